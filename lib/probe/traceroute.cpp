#include "probe/traceroute.hpp"

#include "probe/icmp_socket.hpp"
#include "probe/trace_socket.hpp"
#include "probe/trace_wait.hpp"
#include "util/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <time.h>
#include <vector>

namespace pk::probe {

namespace {

using namespace std::chrono_literals;

constexpr std::int64_t k_stop_check_ns = 100'000'000;  // the stop flag is read at least this often
constexpr util::Micros k_max_wait = 60s;
constexpr int k_full_buffer_retries = 10;
constexpr std::int64_t k_full_buffer_pause_ns = 1'000'000;

// One probe of the running trace.
struct Slot {
  core::TraceProbe probe;
  bool sent = false;
  bool answered = false;
  std::int64_t sent_rt_ns = 0;
  std::int64_t sent_mono_ns = 0;
};

Expected<void> check_request(const TraceRequest& r, core::TraceMethod method, bool v6) {
  if (r.destination.family() != (v6 ? AF_INET6 : AF_INET)) {
    return invalid_input(fmt::format("this tracer is for IPv{} destinations", v6 ? 6 : 4));
  }
  if (r.method != method) return invalid_input(fmt::format("this tracer probes with {}", core::to_string(method)));
  if (r.max_hops < 1 || r.max_hops > core::k_max_trace_hops) {
    return invalid_input(fmt::format("max hops must be 1 to {}", core::k_max_trace_hops));
  }
  if (r.first_ttl < 1 || r.first_ttl > r.max_hops) return invalid_input("first TTL must be 1 to max hops");
  if (r.queries < 1 || r.queries > core::k_max_trace_queries) {
    return invalid_input(fmt::format("queries must be 1 to {}", core::k_max_trace_queries));
  }
  if (r.wait <= util::Micros{0} || r.wait > k_max_wait) return invalid_input("wait must be above 0 and at most 60 s");
  return {};
}

class SocketTracer final : public Tracer {
 public:
  SocketTracer(std::unique_ptr<TraceSocket> socket, core::TraceMethod method, bool v6)
      : m_socket(std::move(socket)), m_method(method), m_v6(v6), m_fds(m_socket->fds()) {
    for (int fd : m_fds) set_idle(fd, true);
  }

  Expected<core::Trace> run(const TraceRequest& request, const std::atomic<bool>& stop) override {
    if (auto ok = check_request(request, m_method, m_v6); !ok) return std::unexpected(ok.error());
    std::uint16_t port = 0;
    if (m_method != core::TraceMethod::icmp) {
      port = request.port != 0                    ? request.port
             : m_method == core::TraceMethod::udp ? core::k_default_udp_trace_port
                                                  : core::k_default_tcp_trace_port;
    }
    m_destination = request.destination.with_port(0);
    m_first_ttl = request.first_ttl;
    m_queries = request.queries;
    m_wait_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(request.wait).count();
    for (int fd : m_fds) set_idle(fd, false);
    struct Idle {  // whatever happens below, the sockets take nothing once the trace is over
      SocketTracer& self;
      ~Idle() {
        for (int fd : self.m_fds) set_idle(fd, true);
      }
    } idle_after{*this};
    if (auto ok = m_socket->begin(m_destination, port, ++m_tag); !ok) return std::unexpected(ok.error());
    m_fds = m_socket->fds();  // begin() may open new sockets (a flow's own port)
    m_polled.resize(m_fds.size());
    for (int fd : m_fds) discard_pending(fd);  // stale packets from while the tracer was idle

    core::Trace trace;
    trace.address = m_destination.to_string();
    trace.method = m_method;
    trace.port = port;
    trace.first_ttl = request.first_ttl;
    trace.max_hops = request.max_hops;
    trace.queries = request.queries;
    trace.started_at = util::now_utc();
    const std::int64_t started_ns = clock_ns(CLOCK_MONOTONIC);

    m_slots.assign(static_cast<std::size_t>((request.max_hops - request.first_ttl + 1) * request.queries), Slot{});
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
      m_slots[i].probe.ttl = m_first_ttl + static_cast<int>(i) / m_queries;
      m_slots[i].probe.query = 1 + static_cast<int>(i) % m_queries;
    }
    if (auto sent = send_all(stop); !sent) return std::unexpected(sent.error());
    await_answers(stop);

    const std::optional<int> last = final_ttl();
    trace.hop_count = last.value_or(request.max_hops);
    for (const Slot& s : m_slots) {
      if (s.probe.ttl > trace.hop_count) break;
      if (s.probe.ttl == trace.hop_count && s.probe.reply == core::HopReply::reached) trace.reached = true;
      trace.probes.push_back(s.probe);
    }
    trace.duration = util::Micros{(clock_ns(CLOCK_MONOTONIC) - started_ns) / 1000};
    return trace;
  }

 private:
  // Every probe, in TTL order, all in flight together; but none beyond a
  // final hop already known (on a short, fast path the destination answers
  // before the probes past it are sent, and the ICMP rate limit of the
  // destination is not spent on them).
  Expected<void> send_all(const std::atomic<bool>& stop) {
    bool any_sent = false;
    for (Slot& s : m_slots) {
      if (stop.load()) break;  // the rest left silent
      s.sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
      int err = m_socket->send(s.probe.ttl, s.probe.query, s.sent_rt_ns);
      // A full send buffer (thousands of probes back to back): let it drain
      // a little and try again, rather than show the probe as silence.
      for (int retry = 0; (err == EAGAIN || err == ENOBUFS) && retry < k_full_buffer_retries; ++retry) {
        poll_answers(k_full_buffer_pause_ns);
        s.sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
        err = m_socket->send(s.probe.ttl, s.probe.query, s.sent_rt_ns);
      }
      if (err == 0) {
        s.sent = true;
        any_sent = true;
      } else if (!any_sent) {
        // Nothing left the host: no route, or a local firewall.
        return make_error(ErrorKind::io,
                          fmt::format("cannot send to {}: {}", m_destination.to_string(), errno_text(err)));
      }
      if (s.probe.query == m_queries) {
        poll_answers(0);
        if (auto last = final_ttl(); last && *last <= s.probe.ttl) break;
      }
    }
    return {};
  }

  // The lowest TTL answered by the destination or by a router's unreachable.
  std::optional<int> final_ttl() const {
    for (const Slot& s : m_slots) {
      if (s.probe.reply == core::HopReply::reached || s.probe.reply == core::HopReply::unreachable) {
        return s.probe.ttl;
      }
    }
    return std::nullopt;
  }

  // Until every probe up to the final hop is answered or has waited its
  // time, or `stop`.
  void await_answers(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      const int last = final_ttl().value_or(core::k_max_trace_hops);
      const std::vector<std::int64_t> give_up = give_up_after();
      const std::int64_t now = clock_ns(CLOCK_MONOTONIC);
      std::int64_t next_expiry = -1;
      for (std::size_t i = 0; i < m_slots.size(); ++i) {
        const Slot& s = m_slots[i];
        if (s.probe.ttl > last) break;
        const std::int64_t expiry = s.sent_mono_ns + give_up[i];
        if (!s.sent || s.answered || now >= expiry) continue;
        if (next_expiry < 0 || expiry < next_expiry) next_expiry = expiry;
      }
      if (next_expiry < 0) return;
      poll_answers(std::min(next_expiry - now, k_stop_check_ns));
    }
  }

  std::vector<std::int64_t> give_up_after() const {
    std::vector<std::int64_t> rtt_ns(m_slots.size(), -1);
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
      if (m_slots[i].answered && m_slots[i].probe.rtt) rtt_ns[i] = m_slots[i].probe.rtt->count() * 1000;
    }
    return probe::give_up_after(rtt_ns, m_queries, m_wait_ns);
  }

  // Records the answers waiting, or arriving within `wait_ns`.
  void poll_answers(std::int64_t wait_ns) {
    for (std::size_t i = 0; i < m_fds.size(); ++i) m_polled[i] = pollfd{m_fds[i], POLLIN, 0};
    const timespec timeout{static_cast<time_t>(wait_ns / k_ns_per_s), static_cast<long>(wait_ns % k_ns_per_s)};
    if (ppoll(m_polled.data(), m_polled.size(), &timeout, nullptr) <= 0) return;  // timeout or EINTR
    for (const pollfd& p : m_polled) {
      if (p.revents != 0) m_socket->receive(p.fd, m_answers);
    }
    for (const TraceAnswer& a : m_answers) record(a);
    m_answers.clear();
  }

  void record(const TraceAnswer& a) {
    if (a.ttl < m_first_ttl || a.ttl > core::k_max_trace_hops || a.query < 1 || a.query > m_queries) return;
    const auto index = static_cast<std::size_t>((a.ttl - m_first_ttl) * m_queries + a.query - 1);
    if (index >= m_slots.size()) return;
    Slot& s = m_slots[index];
    if (!s.sent || s.answered) return;
    // RTT from the kernel receive timestamp; the monotonic clock stands in
    // when there is none or the wall clock stepped.
    const std::int64_t mono = clock_ns(CLOCK_MONOTONIC) - s.sent_mono_ns;
    std::int64_t rtt = a.rx_rt_ns < 0 ? mono : a.rx_rt_ns - s.sent_rt_ns;
    if (rtt < 0 || rtt > mono) rtt = mono;
    if (rtt > m_wait_ns) return;  // late: silence, as traceroute(8) shows it
    s.answered = true;
    s.probe.reply = a.reply;
    s.probe.address = a.from.to_string();
    s.probe.rtt = util::Micros{(rtt + 500) / 1000};
    s.probe.icmp_type = a.icmp_type;
    s.probe.icmp_code = a.icmp_code;
  }

  std::unique_ptr<TraceSocket> m_socket;
  core::TraceMethod m_method;
  bool m_v6;
  std::vector<int> m_fds;
  std::vector<pollfd> m_polled;
  std::vector<TraceAnswer> m_answers;
  std::uint32_t m_tag = 0;
  // The running trace.
  Address m_destination;
  int m_first_ttl = 1;
  int m_queries = 1;
  std::int64_t m_wait_ns = 0;
  std::vector<Slot> m_slots;
};

}  // namespace

Expected<std::unique_ptr<Tracer>> Tracer::open(core::TraceMethod method, bool v6) {
  auto socket = method == core::TraceMethod::udp    ? open_udp_trace(v6)
                : method == core::TraceMethod::icmp ? open_icmp_trace(v6)
                                                    : open_tcp_trace(v6);
  if (!socket) return std::unexpected(socket.error());
  return std::unique_ptr<Tracer>(std::make_unique<SocketTracer>(std::move(*socket), method, v6));
}

}  // namespace pk::probe
