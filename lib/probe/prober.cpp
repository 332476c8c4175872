#include "probe/prober.hpp"

#include "probe/detail.hpp"
#include "probe/icmp_socket.hpp"
#include "probe/packet.hpp"
#include "probe/unique_fd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <queue>
#include <random>
#include <span>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace pk::probe {

namespace {

using packet::k_icmp_header_size;
using packet::k_match_size;

constexpr int k_max_events = 256;
constexpr int k_max_drain_rounds = 64;                 // recvmmsg calls per socket per wake-up (fairness)
constexpr std::uint32_t k_socket_index = 0xffffffffU;  // the index half of an ICMP socket's epoll tag
constexpr std::uint64_t k_icmp4_tag = (std::uint64_t{4} << 32) | k_socket_index;
constexpr std::uint64_t k_icmp6_tag = (std::uint64_t{6} << 32) | k_socket_index;

// libstdc++'s steady_clock is CLOCK_MONOTONIC, so the two compare directly.
std::int64_t to_ns(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

util::Micros ns_to_micros(std::int64_t ns) { return util::Micros{(ns + 500) / 1000}; }

// One probe in flight, in a slab indexed by the `index` of its match data.
struct Flight {
  bool active = false;
  bool v6 = false;
  bool small = false;  // ICMP payload too small for match data
  bool in_seq_table = false;
  core::ProbeKind kind = core::ProbeKind::icmp;
  std::uint16_t sequence = 0;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  std::int64_t sent_rt_ns = 0;    // CLOCK_REALTIME just before sendto/connect
  std::int64_t sent_mono_ns = 0;  // CLOCK_MONOTONIC likewise
  std::int64_t timeout_ns = 0;
  UniqueFd tcp;  // the connecting socket of a TCP probe
  Address address;
};

// A probe's deadline. Entries of probes that finished early stay in the heap
// and are skipped when they surface (their generation no longer matches).
struct Expiry {
  std::int64_t deadline_ns = 0;
  std::uint32_t index = 0;
  std::uint32_t generation = 0;
  friend bool operator>(const Expiry& a, const Expiry& b) { return a.deadline_ns > b.deadline_ns; }
};

class SocketProber final : public Prober {
 public:
  SocketProber() {
    std::random_device rd;
    m_nonce = rd();
    m_ident = static_cast<std::uint16_t>(rd() & 0xffffU);
    m_recv.reset();
  }

  Expected<void> init(bool icmp) {
    m_epoll.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!m_epoll)
      return make_error(ErrorKind::io, fmt::format("cannot create an epoll instance: {}", errno_text(errno)));
    if (!icmp) return {};
    auto v4 = open_icmp(false);
    auto v6 = open_icmp(true);
    if (!v4.socket) {
      const int err = v4.raw_errno != 0 ? v4.raw_errno : v4.dgram_errno;
      if (is_permission_errno(v4.raw_errno) || is_permission_errno(v4.dgram_errno)) {
        return make_error(ErrorKind::permission, permission_message(is_permission_errno(err) ? err : EPERM));
      }
      if (!v6.socket) {
        return make_error(ErrorKind::io, fmt::format("cannot open an ICMP socket: {}", errno_text(err)));
      }
    }
    m_icmp4 = std::move(v4.socket);
    m_icmp6 = std::move(v6.socket);
    for (auto* s : {&m_icmp4, &m_icmp6}) {
      if (!*s) continue;
      epoll_event ev{};
      ev.events = EPOLLIN;  // EPOLLERR (error queue) is always reported
      ev.data.u64 = s->v6 ? k_icmp6_tag : k_icmp4_tag;
      if (epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, s->fd.get(), &ev) != 0) {
        return make_error(ErrorKind::io, fmt::format("cannot watch the ICMP socket: {}", errno_text(errno)));
      }
    }
    return {};
  }

  void send(const Probe& probe) override {
    const std::uint32_t index = allocate(probe);
    if (probe.kind == core::ProbeKind::tcp) {
      send_tcp(index);
    } else {
      send_icmp(index, probe.payload_size);
    }
  }

  void poll(SteadyTime deadline, std::vector<Reply>& out) override {
    const std::size_t start = out.size();
    if (!m_ready.empty()) {
      std::move(m_ready.begin(), m_ready.end(), std::back_inserter(out));
      m_ready.clear();
    }
    m_sink = &out;
    struct RestoreSink {
      SocketProber& self;
      ~RestoreSink() { self.m_sink = &self.m_ready; }
    } restore{*this};
    const std::int64_t deadline_ns = to_ns(deadline);
    for (;;) {
      drop_stale_expiries();
      std::int64_t until = deadline_ns;
      if (!m_expiries.empty()) until = std::min(until, m_expiries.top().deadline_ns);
      const std::int64_t wait = out.size() > start ? 0 : std::max<std::int64_t>(0, until - clock_ns(CLOCK_MONOTONIC));
      const int n = wait_events(wait);
      const int wait_errno = errno;
      const std::int64_t now = clock_ns(CLOCK_MONOTONIC);
      for (int i = 0; i < n; ++i) handle_event(m_events[static_cast<std::size_t>(i)]);
      expire(now);
      if (out.size() > start || now >= deadline_ns) break;
      if (n < 0 && wait_errno == EINTR) break;  // let the caller look at its signal flags
    }
  }

  std::size_t in_flight() const override { return m_in_flight; }

  IcmpMode icmp_mode() const override {
    if (m_icmp4) return m_icmp4.raw ? IcmpMode::raw : IcmpMode::datagram;
    if (m_icmp6) return m_icmp6.raw ? IcmpMode::raw : IcmpMode::datagram;
    return IcmpMode::datagram;
  }

 private:
  // --- the in-flight slab ---------------------------------------------------

  std::uint32_t allocate(const Probe& probe) {
    std::uint32_t index = 0;
    if (!m_free.empty()) {
      index = m_free.back();
      m_free.pop_back();
    } else {
      index = static_cast<std::uint32_t>(m_flights.size());
      m_flights.emplace_back();
    }
    Flight& f = m_flights[index];
    if (++m_generation == 0) m_generation = 1;
    f.active = true;
    f.v6 = probe.address.is_v6();
    f.small = false;
    f.in_seq_table = false;
    f.kind = probe.kind;
    f.sequence = 0;
    f.slot = probe.slot;
    f.generation = m_generation;
    f.sent_rt_ns = clock_ns(CLOCK_REALTIME);
    f.sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
    f.timeout_ns = std::max<std::int64_t>(0, probe.timeout.count()) * 1000;
    f.tcp.reset();
    // ICMP sockets want no port (raw IPv6 rejects one).
    f.address = probe.kind == core::ProbeKind::icmp ? probe.address.with_port(0) : probe.address;
    ++m_in_flight;
    return index;
  }

  void release(std::uint32_t index) {
    Flight& f = m_flights[index];
    if (f.in_seq_table) {
      auto& table = m_seq_table[f.v6 ? 1 : 0];
      if (table[f.sequence] == index + 1) table[f.sequence] = 0;
      f.in_seq_table = false;
    }
    f.tcp.reset();  // SO_LINGER 0: no TIME_WAIT left behind
    f.active = false;
    m_free.push_back(index);
    --m_in_flight;
  }

  // A Reply for `index` with the common fields set; append-only sink.
  Reply& emit(std::uint32_t index, core::SampleStatus status) {
    const Flight& f = m_flights[index];
    Reply& r = m_sink->emplace_back();
    r.slot = f.slot;
    r.sent_at = util::SysMicros{util::Micros{f.sent_rt_ns / 1000}};
    r.status = status;
    r.sequence = f.kind == core::ProbeKind::icmp ? f.sequence : 0;
    return r;
  }

  void fail(std::uint32_t index, core::SampleStatus status, std::string detail) {
    emit(index, status).detail = std::move(detail);
    release(index);
  }

  void arm_timeout(std::uint32_t index) {
    const Flight& f = m_flights[index];
    m_expiries.push(Expiry{f.sent_mono_ns + f.timeout_ns, index, f.generation});
  }

  bool is_live(const Expiry& e) const {
    const Flight& f = m_flights[e.index];
    return f.active && f.generation == e.generation;
  }

  void drop_stale_expiries() {
    while (!m_expiries.empty() && !is_live(m_expiries.top())) m_expiries.pop();
  }

  void expire(std::int64_t now) {
    bool drained = false;
    while (!m_expiries.empty() && m_expiries.top().deadline_ns <= now) {
      const Expiry e = m_expiries.top();
      if (!is_live(e)) {
        m_expiries.pop();
        continue;
      }
      if (!drained) {
        // A reply that arrived in time may still sit in a socket queue.
        drain_icmp(m_icmp4);
        drain_icmp(m_icmp6);
        drained = true;
        continue;
      }
      m_expiries.pop();
      emit(e.index, core::SampleStatus::timeout);
      release(e.index);
    }
  }

  // --- ICMP -----------------------------------------------------------------

  // Picks the echo sequence: the next number, registered in the sequence table
  // (the fallback match for payloads without match data and for errors that
  // quote too little). A probe without match data needs a number no other
  // probe in flight holds; with match data a clash only loses the fallback.
  bool assign_sequence(std::uint32_t index) {
    Flight& f = m_flights[index];
    const std::size_t family = f.v6 ? 1 : 0;
    auto& table = m_seq_table[family];
    if (table.empty()) table.assign(std::size_t{1} << 16, 0);
    for (std::size_t attempt = 0; attempt <= 0xffff; ++attempt) {
      const std::uint16_t seq = m_next_seq[family]++;
      if (table[seq] == 0) {
        table[seq] = index + 1;
        f.sequence = seq;
        f.in_seq_table = true;
        return true;
      }
      if (!f.small) {
        f.sequence = seq;
        return true;
      }
    }
    return false;
  }

  void send_icmp(std::uint32_t index, int payload_size) {
    Flight& f = m_flights[index];
    IcmpSocket& sock = f.v6 ? m_icmp6 : m_icmp4;
    if (f.address.family() != AF_INET && f.address.family() != AF_INET6) {
      fail(index, core::SampleStatus::send_error, "no address to probe");
      return;
    }
    if (!sock) {
      fail(index, core::SampleStatus::send_error,
           f.v6 ? "no ICMPv6 socket (IPv6 is not available)" : "no ICMP socket for IPv4");
      return;
    }
    const auto payload = static_cast<std::size_t>(std::clamp(payload_size, 0, core::k_max_payload));
    f.small = payload < k_match_size;
    if (!assign_sequence(index)) {
      fail(index, core::SampleStatus::send_error, "65536 ICMP probes without match data are in flight");
      return;
    }
    const std::size_t size = k_icmp_header_size + payload;
    if (m_send_buffer.size() < size) {
      m_send_buffer.resize(size);
      packet::fill_pattern(std::span(m_send_buffer).subspan(k_icmp_header_size));
    }
    std::span<std::uint8_t> pkt(m_send_buffer.data(), size);
    // A small payload is all pattern: restore the bytes earlier match data covered.
    if (f.small) packet::fill_pattern(pkt.subspan(k_icmp_header_size));
    packet::write_echo_request(pkt, f.v6, sock.raw ? m_ident : 0, f.sequence,
                               packet::Match{m_nonce, f.slot, index, f.generation}, !f.v6 && sock.raw);
    for (int attempt = 0;; ++attempt) {
      // RTT = kernel receive timestamp - this wall-clock time, taken right
      // before sendto (like ping(8)); the monotonic time bounds it.
      f.sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
      f.sent_rt_ns = clock_ns(CLOCK_REALTIME);
      if (sendto(sock.fd.get(), pkt.data(), pkt.size(), 0, f.address.sockaddr_ptr(), f.address.length()) >= 0) break;
      const int err = errno;
      if (err == EINTR) continue;
      if (!sock.raw && attempt < 2 && may_be_pending_error(err)) {
        // Probably an ICMP error for another probe left on the socket (sk_err):
        // deliver those, then try again.
        drain_error_queue(sock);
        if (!m_flights[index].active) return;  // cannot happen (other generations), but be safe
        continue;
      }
      fail(index, is_unreachable_errno(err) ? core::SampleStatus::unreachable : core::SampleStatus::send_error,
           "sendto: " + errno_text(err));
      return;
    }
    arm_timeout(index);
  }

  std::optional<std::uint32_t> find_icmp_flight(bool v6, const packet::Echo& echo, bool is_error) const {
    if (echo.match) {
      const packet::Match& m = *echo.match;
      if (m.nonce != m_nonce || m.index >= m_flights.size()) return std::nullopt;
      const Flight& f = m_flights[m.index];
      if (!f.active || f.generation != m.generation || f.slot != m.slot || f.kind != core::ProbeKind::icmp ||
          f.v6 != v6 || f.sequence != echo.sequence) {
        return std::nullopt;
      }
      return m.index;
    }
    // No match data: a probe sent without room for it, or an error quoting
    // too little of ours. The echo id was checked by the caller (raw) or the
    // kernel (datagram: the socket only sees its own id).
    const auto& table = m_seq_table[v6 ? 1 : 0];
    if (table.empty() || table[echo.sequence] == 0) return std::nullopt;
    const std::uint32_t index = table[echo.sequence] - 1;
    const Flight& f = m_flights[index];
    if (!f.active || f.kind != core::ProbeKind::icmp || f.v6 != v6 || f.sequence != echo.sequence) {
      return std::nullopt;
    }
    if (!f.small && !is_error) return std::nullopt;  // a reply to a probe with match data must carry it
    return index;
  }

  // RTT from the kernel receive timestamp; the monotonic clock stands in when
  // there is none or the wall clock stepped (a negative or impossible value).
  std::int64_t rtt_ns(const Flight& f, std::int64_t rx_rt_ns) const {
    const std::int64_t mono = clock_ns(CLOCK_MONOTONIC) - f.sent_mono_ns;
    if (rx_rt_ns < 0) return mono;
    const std::int64_t rtt = rx_rt_ns - f.sent_rt_ns;
    return rtt < 0 || rtt > mono ? mono : rtt;
  }

  void answer(std::uint32_t index, std::int64_t rx_rt_ns, std::optional<int> ttl) {
    const Flight& f = m_flights[index];
    const std::int64_t rtt = rtt_ns(f, rx_rt_ns);
    if (rtt > f.timeout_ns) {
      emit(index, core::SampleStatus::timeout);  // late: lost, as if it had never come
    } else {
      Reply& r = emit(index, core::SampleStatus::ok);
      r.rtt = ns_to_micros(rtt);
      r.ttl = ttl;
    }
    release(index);
  }

  void icmp_error(std::uint32_t index, std::int64_t rx_rt_ns, const packet::ErrorClass& cls, const Address& from) {
    const Flight& f = m_flights[index];
    if (rtt_ns(f, rx_rt_ns) > f.timeout_ns) {
      emit(index, core::SampleStatus::timeout);
    } else {
      const std::string who = from.family() == 0 ? std::string("?") : from.to_string();
      emit(index, cls.status).detail = format_error_detail(who, cls.reason);
    }
    release(index);
  }

  void on_icmp(const IcmpSocket& s, std::span<const std::uint8_t> data, bool complete, const Address& from,
               const Ancillary& anc) {
    auto r = (!s.v6 && s.raw) ? packet::parse_ipv4_packet(data, complete) : packet::parse_icmp(data, s.v6);
    if (!r) return;
    if (s.raw && r->echo.id != m_ident) return;  // another program's echo traffic
    const bool is_error = r->kind == packet::Kind::error;
    auto index = find_icmp_flight(s.v6, r->echo, is_error);
    if (!index) return;
    if (r->quoted_destination && !same_ip(*r->quoted_destination, m_flights[*index].address)) return;
    if (!is_error) {
      answer(*index, anc.rx_rt_ns, r->ttl ? r->ttl : anc.ttl);
    } else {
      icmp_error(*index, anc.rx_rt_ns, packet::classify_error(s.v6, r->type, r->code), from);
    }
  }

  void drain_icmp(IcmpSocket& s) {
    if (!s) return;
    for (int round = 0; round < k_max_drain_rounds; ++round) {
      m_recv.reset();
      const int n =
          recvmmsg(s.fd.get(), m_recv.headers.data(), static_cast<unsigned>(k_recv_batch), MSG_DONTWAIT, nullptr);
      if (n < 0) {
        const int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN) break;  // == EWOULDBLOCK on Linux
        // A pending socket error (an ICMP error on a datagram socket): its
        // details wait on the error queue; then read on.
        if (!s.raw) {
          drain_error_queue(s);
          continue;
        }
        break;
      }
      for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
        msghdr& h = m_recv.headers[i].msg_hdr;
        const std::size_t length = std::min<std::size_t>(m_recv.headers[i].msg_len, k_recv_buffer);
        const bool complete = (h.msg_flags & MSG_TRUNC) == 0;
        const Address from(reinterpret_cast<const sockaddr*>(&m_recv.names[i]), h.msg_namelen);
        on_icmp(s, std::span<const std::uint8_t>(m_recv.data.data() + i * k_recv_buffer, length), complete, from,
                read_ancillary(h));
      }
      if (static_cast<std::size_t>(n) < k_recv_batch) break;
    }
  }

  // Datagram sockets: ICMP errors about our probes, with the quoted echo
  // request as data and the sender in the extended error.
  void drain_error_queue(IcmpSocket& s) {
    if (!s || s.raw) return;
    for (int i = 0; i < k_max_drain_rounds * static_cast<int>(k_recv_batch); ++i) {
      m_recv.reset();
      msghdr& h = m_recv.headers[0].msg_hdr;
      const ssize_t n = recvmsg(s.fd.get(), &h, MSG_ERRQUEUE | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      const Ancillary anc = read_ancillary(h);
      if (anc.error == nullptr) continue;
      const sock_extended_err& ee = *anc.error;
      if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6) continue;  // local: sendto said it
      const std::size_t length = std::min(static_cast<std::size_t>(n), k_recv_buffer);
      auto echo = packet::parse_echo_request(std::span<const std::uint8_t>(m_recv.data.data(), length), s.v6);
      if (!echo) continue;
      auto index = find_icmp_flight(s.v6, *echo, true);
      if (!index) continue;
      // msg_name holds the probe's destination.
      const Address dest(reinterpret_cast<const sockaddr*>(&m_recv.names[0]), h.msg_namelen);
      if (dest.family() != 0 && !same_ip(dest, m_flights[*index].address)) continue;
      // SO_EE_OFFENDER: the sender's address follows the extended error.
      const Address from(reinterpret_cast<const sockaddr*>(&ee + 1),
                         static_cast<socklen_t>(anc.error_length - sizeof(sock_extended_err)));
      icmp_error(*index, anc.rx_rt_ns, packet::classify_error(s.v6, ee.ee_type, ee.ee_code), from);
    }
  }

  // --- TCP ------------------------------------------------------------------

  void send_tcp(std::uint32_t index) {
    Flight& f = m_flights[index];
    if (f.address.family() != AF_INET && f.address.family() != AF_INET6) {
      fail(index, core::SampleStatus::send_error, "no address to probe");
      return;
    }
    f.tcp.reset(socket(f.address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!f.tcp) {
      fail(index, core::SampleStatus::send_error, "socket: " + errno_text(errno));
      return;
    }
    // Close with a reset: probing thousands of hosts must not pile up TIME_WAIT.
    const linger abort{1, 0};
    (void)setsockopt(f.tcp.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
    // No kernel timestamp exists for "connection established", so TCP RTT is
    // the monotonic time from just before connect() to the moment epoll says
    // the handshake finished (it includes our wake-up latency, a few µs).
    f.sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
    f.sent_rt_ns = clock_ns(CLOCK_REALTIME);
    if (connect(f.tcp.get(), f.address.sockaddr_ptr(), f.address.length()) == 0) {
      finish_tcp(index, 0);
      return;
    }
    const int err = errno;
    if (err != EINPROGRESS) {
      finish_tcp(index, err);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = (std::uint64_t{f.generation} << 32) | index;
    if (epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, f.tcp.get(), &ev) != 0) {
      fail(index, core::SampleStatus::send_error, "epoll: " + errno_text(errno));
      return;
    }
    arm_timeout(index);
  }

  void finish_tcp(std::uint32_t index, int err) {
    const Flight& f = m_flights[index];
    const std::int64_t rtt = clock_ns(CLOCK_MONOTONIC) - f.sent_mono_ns;
    if (err == 0 || err == ECONNREFUSED) {
      if (rtt > f.timeout_ns) {
        emit(index, core::SampleStatus::timeout);
      } else {
        // A refusal is an answer: the host is up and sent a reset.
        emit(index, err == 0 ? core::SampleStatus::ok : core::SampleStatus::refused).rtt = ns_to_micros(rtt);
      }
    } else if (err == ETIMEDOUT) {
      emit(index, core::SampleStatus::timeout);
    } else if (is_unreachable_errno(err)) {
      emit(index, core::SampleStatus::unreachable).detail = "connect: " + errno_text(err);
    } else {
      emit(index, core::SampleStatus::send_error).detail = "connect: " + errno_text(err);
    }
    release(index);
  }

  // --- the event loop -------------------------------------------------------

  int wait_events(std::int64_t wait_ns) {
    if (m_have_pwait2) {
      const timespec ts{static_cast<time_t>(wait_ns / k_ns_per_s), static_cast<long>(wait_ns % k_ns_per_s)};
      const int n = epoll_pwait2(m_epoll.get(), m_events.data(), k_max_events, &ts, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      m_have_pwait2 = false;  // kernel before 5.11
    }
    const std::int64_t ms = (wait_ns + 999'999) / 1'000'000;
    return epoll_wait(m_epoll.get(), m_events.data(), k_max_events,
                      static_cast<int>(std::min<std::int64_t>(ms, 60'000)));
  }

  void handle_event(const epoll_event& ev) {
    const std::uint64_t tag = ev.data.u64;
    if (tag == k_icmp4_tag || tag == k_icmp6_tag) {
      IcmpSocket& s = tag == k_icmp6_tag ? m_icmp6 : m_icmp4;
      if ((ev.events & EPOLLERR) != 0) {
        drain_error_queue(s);
        // An ICMP error sets sk_err after queueing its details, so it can
        // outlive the queue; reading SO_ERROR clears it (else EPOLLERR spins).
        int err = 0;
        socklen_t len = sizeof(err);
        (void)getsockopt(s.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      }
      if ((ev.events & EPOLLIN) != 0) drain_icmp(s);
      return;
    }
    const auto index = static_cast<std::uint32_t>(tag & 0xffffffffU);
    const auto generation = static_cast<std::uint32_t>(tag >> 32);
    if (index >= m_flights.size()) return;
    const Flight& f = m_flights[index];
    if (!f.active || f.generation != generation || f.kind != core::ProbeKind::tcp || !f.tcp) return;
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(f.tcp.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    finish_tcp(index, err);
  }

  UniqueFd m_epoll;
  IcmpSocket m_icmp4;
  IcmpSocket m_icmp6;
  std::uint32_t m_nonce = 0;
  std::uint16_t m_ident = 0;  // echo id of raw sockets (datagram sockets get theirs from the kernel)
  std::uint32_t m_generation = 0;
  std::array<std::uint16_t, 2> m_next_seq{1, 1};  // per family, as ping(8) counts from 1
  // Per family: echo sequence -> in-flight index + 1 (0: free).
  std::array<std::vector<std::uint32_t>, 2> m_seq_table;
  std::vector<Flight> m_flights;
  std::vector<std::uint32_t> m_free;
  std::size_t m_in_flight = 0;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> m_expiries;
  std::vector<Reply> m_ready;  // finished outside poll() (local failures at send)
  std::vector<Reply>* m_sink = &m_ready;
  std::vector<std::uint8_t> m_send_buffer;
  RecvBatch m_recv;
  std::array<epoll_event, k_max_events> m_events{};
  bool m_have_pwait2 = true;
};

}  // namespace

Expected<std::unique_ptr<Prober>> Prober::open(bool icmp) {
  auto prober = std::make_unique<SocketProber>();
  if (auto ok = prober->init(icmp); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<Prober>(std::move(prober));
}

}  // namespace pk::probe
