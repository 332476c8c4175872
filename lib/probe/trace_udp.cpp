// UDP traceroute probes without privilege: a connected datagram socket with
// IP_RECVERR / IPV6_RECVERR (as tracepath), one flow per trace (Paris), the
// probes told apart by the match data of their payload. The error queue
// returns what a router quoted of that payload, nothing of the UDP header, so
// a router that quotes only the 8 bytes RFC 792 asks for cannot be matched
// there; when a raw ICMP socket can be opened too (root or CAP_NET_RAW), it
// reads those errors and the probe is named by its UDP checksum, which a word
// after the match data sets (packet::probe_number, as Paris traceroute does).

#include "probe/packet.hpp"
#include "probe/trace_packet.hpp"
#include "probe/trace_socket.hpp"
#include "probe/unique_fd.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>

namespace pk::probe {

namespace {

constexpr int k_send_attempts = 3;
constexpr int k_flow_attempts = 16;  // flow_id candidates tried before any port

// A UDP socket that timestamps and queues the ICMP errors about its packets.
Expected<UniqueFd> open_udp_socket(bool v6) {
  UniqueFd fd(socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return make_error(ErrorKind::io, fmt::format("cannot open a UDP socket: {}", errno_text(errno)));
  set_int(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1);
  set_int(fd.get(), SOL_SOCKET, SO_RCVBUF, k_socket_buffer);  // room for a trace's errors (as rmem_max allows)
  const int on = 1;
  if (setsockopt(fd.get(), v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &on, sizeof(on)) != 0) {
    return make_error(ErrorKind::io, fmt::format("cannot read ICMP errors on a UDP socket: {}", errno_text(errno)));
  }
  return fd;
}

class UdpTraceSocket final : public TraceSocket {
 public:
  UdpTraceSocket(UniqueFd fd, IcmpSocket raw_icmp, bool v6)
      : m_fd(std::move(fd)), m_icmp(std::move(raw_icmp)), m_v6(v6), m_nonce(std::random_device{}()) {}

  Expected<void> begin(const Address& destination, std::uint16_t port, std::uint32_t tag) override {
    m_tag = tag;
    m_destination = destination;
    m_port = port;
    // Connecting fixes the flow (both addresses and ports) for every probe
    // and lets the kernel queue the ICMP errors about it. A new socket per
    // trace, bound to the flow's source port (packet::flow_id), so every
    // trace to this destination and port is the same flow.
    auto fd = open_udp_socket(m_v6);
    if (!fd) return std::unexpected(fd.error());
    m_fd = std::move(*fd);
    for (int attempt = 0; attempt < k_flow_attempts; ++attempt) {
      const Address any = *Address::parse_literal(m_v6 ? "::" : "0.0.0.0",
                                                  packet::flow_id(destination, port, core::TraceMethod::udp, attempt));
      if (bind(m_fd.get(), any.sockaddr_ptr(), any.length()) == 0) break;  // else taken: the next candidate
    }
    const Address to = destination.with_port(port);
    if (connect(m_fd.get(), to.sockaddr_ptr(), to.length()) != 0) {
      return make_error(ErrorKind::io,
                        fmt::format("cannot send to {}: {}", destination.to_string(), errno_text(errno)));
    }
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    if (getsockname(m_fd.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      return make_error(ErrorKind::io, fmt::format("cannot read the UDP source address: {}", errno_text(errno)));
    }
    m_source = Address(reinterpret_cast<const sockaddr*>(&local), length);
    return {};
  }

  int send(int ttl, int query, std::int64_t& sent_rt_ns) override {
    if (!set_hop_limit(m_fd.get(), m_v6, ttl)) return errno;
    packet::write_match(
        m_payload, packet::Match{m_nonce, static_cast<std::uint32_t>(ttl), static_cast<std::uint32_t>(query), m_tag});
    packet::set_udp_checksum(m_payload, packet::k_match_size, m_source, m_source.port(), m_destination, m_port,
                             packet::probe_number(m_tag, {ttl, query}));
    int err = 0;
    for (int attempt = 0; attempt < k_send_attempts; ++attempt) {
      sent_rt_ns = clock_ns(CLOCK_REALTIME);
      if (::send(m_fd.get(), m_payload.data(), m_payload.size(), MSG_DONTWAIT) >= 0) return 0;
      err = errno;
      // An error pending from an earlier probe's ICMP answer (port
      // unreachable: ECONNREFUSED) fails one send and is cleared by it.
      if (err != EINTR && !may_be_pending_error(err)) break;
    }
    return err;
  }

  std::vector<int> fds() const override {
    if (!m_icmp) return {m_fd.get()};
    return {m_fd.get(), m_icmp.fd.get()};
  }

  void receive(int fd, std::vector<TraceAnswer>& out) override {
    if (fd == m_icmp.fd.get()) {
      read_raw_icmp(out);
      return;
    }
    for (int i = 0; i < k_max_reads; ++i) {
      auto m = receive_message(fd, MSG_ERRQUEUE, m_buffer);
      if (!m) break;
      auto error = queued_icmp_error(*m);
      // The data is the quoted probe's UDP payload (what the router quoted of it).
      auto match = packet::read_match(m->data);
      if (!error || !match || match->nonce != m_nonce || match->generation != m_tag) continue;
      out.push_back(TraceAnswer{static_cast<int>(match->slot), static_cast<int>(match->index),
                                error_reply(m_v6, error->type, error->code, error->offender, m_destination),
                                error->offender, error->type, error->code, m->ancillary.rx_rt_ns});
    }
    drop_replies();
  }

 private:
  // Errors about our flow on the raw ICMP socket: by the match data when the
  // router quoted it, else by the quoted checksum. (Errors the error queue
  // matched too are ignored as repeats.)
  void read_raw_icmp(std::vector<TraceAnswer>& out) {
    const Flow flow{packet::k_proto_udp, m_destination, m_source.port(), m_port};
    read_flow_errors(
        m_icmp.fd.get(), m_v6, flow,
        [&](const packet::QuotedTransport& q) -> std::optional<packet::ProbeId> {
          if (auto match = packet::read_match(q.payload)) {
            if (match->nonce != m_nonce || match->generation != m_tag) return std::nullopt;
            return packet::ProbeId{static_cast<int>(match->slot), static_cast<int>(match->index)};
          }
          if (q.udp_checksum) return packet::probe_of_number(*q.udp_checksum, m_tag);
          return std::nullopt;
        },
        m_buffer, out);
  }

  // Datagrams a UDP service at the port sent back, and the pending socket
  // error (else poll reports POLLERR forever).
  void drop_replies() {
    for (int i = 0; i < k_max_reads; ++i) {
      if (!receive_message(m_fd.get(), 0, m_buffer) && errno == EAGAIN) break;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    (void)getsockopt(m_fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  }

  UniqueFd m_fd;
  IcmpSocket m_icmp;  // raw, when allowed: errors that quote 8 bytes
  bool m_v6;
  std::uint32_t m_nonce;
  std::uint32_t m_tag = 0;
  Address m_destination;
  std::uint16_t m_port = 0;
  Address m_source;                                                // with the socket's port
  std::array<std::uint8_t, packet::k_match_size + 2> m_payload{};  // match data, the checksum word
  MessageBuffer m_buffer;
};

}  // namespace

Expected<std::unique_ptr<TraceSocket>> open_udp_trace(bool v6) {
  auto fd = open_udp_socket(v6);  // checks that UDP sockets can be opened; each trace opens its own
  if (!fd) return std::unexpected(fd.error());
  // Without the privilege for it, errors come from the error queue only.
  auto raw = open_icmp(v6, true);
  return std::unique_ptr<TraceSocket>(std::make_unique<UdpTraceSocket>(std::move(*fd), std::move(raw.socket), v6));
}

}  // namespace pk::probe
