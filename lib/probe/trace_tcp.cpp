// TCP SYN traceroute probes: SYN segments written to a raw TCP socket (the
// kernel adds the IP header with the probe's TTL) from one source port that a
// bound TCP socket reserves; routers' errors come on a raw ICMP socket, the
// destination's SYN-ACK or RST on the raw TCP socket.

#include "probe/packet.hpp"
#include "probe/trace_packet.hpp"
#include "probe/trace_socket.hpp"
#include "probe/unique_fd.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <linux/filter.h>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>

namespace pk::probe {

namespace {

constexpr int k_send_attempts = 3;
constexpr int k_flow_attempts = 16;  // flow_id candidates tried before any port

// Lets the kernel keep only segments from `from_port` to `to_port` on a raw
// TCP socket, which otherwise gets a copy of every TCP segment the host
// receives (an IPv4 one from the IP header on, an IPv6 one from the TCP
// header). An optimisation: read_tcp checks every segment anyway.
void filter_segments(int fd, bool v6, std::uint16_t from_port, std::uint16_t to_port) {
  // clang-format off
  std::array<sock_filter, 7> code{{
      v6 ? sock_filter BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0)   // X = 0: the TCP header is first
         : sock_filter BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),  // X = the IPv4 header's length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 0),                    // A = source port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, from_port, 0, 3),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                    // A = destination port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, to_port, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),                        // keep
      BPF_STMT(BPF_RET | BPF_K, 0),                             // drop
  }};
  // clang-format on
  const sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  (void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}

// A TCP socket bound to the first free port of `wanted` (else to any
// ephemeral port), kept open so that no connection of this host uses the
// port the probes come from.
Expected<std::pair<UniqueFd, std::uint16_t>> reserve_port(bool v6, std::span<const std::uint16_t> wanted) {
  UniqueFd fd(socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return make_error(ErrorKind::io, fmt::format("cannot reserve a TCP source port: {}", errno_text(errno)));
  bool bound_port = false;
  for (std::uint16_t port : wanted) {
    const Address at = *Address::parse_literal(v6 ? "::" : "0.0.0.0", port);
    if (bind(fd.get(), at.sockaddr_ptr(), at.length()) == 0) {
      bound_port = true;
      break;
    }
  }
  const Address any = *Address::parse_literal(v6 ? "::" : "0.0.0.0");
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if ((!bound_port && bind(fd.get(), any.sockaddr_ptr(), any.length()) != 0) ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return make_error(ErrorKind::io, fmt::format("cannot reserve a TCP source port: {}", errno_text(errno)));
  }
  const std::uint16_t port = Address(reinterpret_cast<const sockaddr*>(&bound), length).port();
  return std::pair{std::move(fd), port};
}

class TcpTraceSocket final : public TraceSocket {
 public:
  TcpTraceSocket(UniqueFd raw_tcp, IcmpSocket icmp, bool v6)
      : m_tcp(std::move(raw_tcp)), m_icmp(std::move(icmp)), m_v6(v6), m_base(std::random_device{}()) {}

  Expected<void> begin(const Address& destination, std::uint16_t port, std::uint32_t tag) override {
    m_destination = destination;
    m_port = port;
    // The flow's source port (packet::flow_id), so every trace to this
    // destination and port is the same flow.
    std::array<std::uint16_t, k_flow_attempts> wanted{};
    for (int i = 0; i < k_flow_attempts; ++i) {
      wanted[static_cast<std::size_t>(i)] = packet::flow_id(destination, port, core::TraceMethod::tcp, i);
    }
    if (m_source_port != wanted[0]) {
      m_port_holder.reset();  // frees the previous flow's port, which may be wanted
      auto reserved = reserve_port(m_v6, wanted);
      if (!reserved) return std::unexpected(reserved.error());
      m_port_holder = std::move(reserved->first);
      m_source_port = reserved->second;
    }
    filter_segments(m_tcp.get(), m_v6, port, m_source_port);
    m_trace_bits = m_base ^ (tag << 12);  // the high 20 bits of every SYN's sequence number
    // The source address the kernel will choose: a connected UDP socket's.
    UniqueFd probe(socket(destination.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
    const Address to = destination.with_port(port);
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    if (!probe || connect(probe.get(), to.sockaddr_ptr(), to.length()) != 0 ||
        getsockname(probe.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      return make_error(ErrorKind::io,
                        fmt::format("cannot send to {}: {}", destination.to_string(), errno_text(errno)));
    }
    m_source = Address(reinterpret_cast<const sockaddr*>(&local), length);
    return {};
  }

  int send(int ttl, int query, std::int64_t& sent_rt_ns) override {
    if (!set_hop_limit(m_tcp.get(), m_v6, ttl)) return errno;
    const std::uint32_t seq = packet::tcp_probe_seq(m_trace_bits, {ttl, query});
    // IPv6: the kernel computes the checksum (IPV6_CHECKSUM).
    packet::build_tcp_syn(m_segment, m_source, m_destination, m_source_port, m_port, seq, !m_v6);
    int err = 0;
    for (int attempt = 0; attempt < k_send_attempts; ++attempt) {
      sent_rt_ns = clock_ns(CLOCK_REALTIME);
      if (sendto(m_tcp.get(), m_segment.data(), m_segment.size(), MSG_DONTWAIT, m_destination.sockaddr_ptr(),
                 m_destination.length()) >= 0) {
        return 0;
      }
      err = errno;
      if (err != EINTR) break;
    }
    return err;
  }

  std::vector<int> fds() const override { return {m_tcp.get(), m_icmp.fd.get()}; }

  void receive(int fd, std::vector<TraceAnswer>& out) override {
    if (fd == m_tcp.get()) {
      read_tcp(out);
    } else {
      read_icmp(out);
    }
  }

 private:
  // SYN-ACK (open port) or RST (closed) from the destination.
  void read_tcp(std::vector<TraceAnswer>& out) {
    for (int i = 0; i < k_max_reads; ++i) {
      auto m = receive_message(m_tcp.get(), 0, m_buffer);
      if (!m) break;
      auto segment = packet::parse_tcp_segment(m->data, !m_v6);
      if (!segment) continue;
      const Address from = segment->source.value_or(m->name);
      const bool syn_ack =
          (segment->flags & (packet::k_tcp_syn | packet::k_tcp_ack)) == (packet::k_tcp_syn | packet::k_tcp_ack);
      const bool rst =
          (segment->flags & (packet::k_tcp_rst | packet::k_tcp_ack)) == (packet::k_tcp_rst | packet::k_tcp_ack);
      if (!same_ip(from, m_destination) || segment->source_port != m_port ||
          segment->destination_port != m_source_port || (!syn_ack && !rst)) {
        continue;
      }
      auto probe = packet::tcp_seq_probe(segment->ack - 1, m_trace_bits);
      if (!probe) continue;
      out.push_back(TraceAnswer{probe->ttl, probe->query, core::HopReply::reached, from, std::nullopt, std::nullopt,
                                m->ancillary.rx_rt_ns});
    }
  }

  // ICMP errors quoting one of our SYNs.
  void read_icmp(std::vector<TraceAnswer>& out) {
    const Flow flow{packet::k_proto_tcp, m_destination, m_source_port, m_port};
    read_flow_errors(
        m_icmp.fd.get(), m_v6, flow,
        [&](const packet::QuotedTransport& q) -> std::optional<packet::ProbeId> {
          if (!q.tcp_seq) return std::nullopt;
          return packet::tcp_seq_probe(*q.tcp_seq, m_trace_bits);
        },
        m_buffer, out);
  }

  UniqueFd m_tcp;
  IcmpSocket m_icmp;
  UniqueFd m_port_holder;           // keeps m_source_port ours (begin() takes the flow's)
  std::uint16_t m_source_port = 0;  // none until the first trace
  bool m_v6;
  std::uint32_t m_base;
  std::uint32_t m_trace_bits = 0;
  Address m_destination;
  Address m_source;
  std::uint16_t m_port = 0;
  std::array<std::uint8_t, packet::k_tcp_header_size> m_segment{};
  MessageBuffer m_buffer;
};

}  // namespace

Expected<std::unique_ptr<TraceSocket>> open_tcp_trace(bool v6) {
  UniqueFd tcp(socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!tcp) {
    const int err = errno;
    if (is_permission_errno(err)) {
      return make_error(ErrorKind::permission, trace_permission_message(core::TraceMethod::tcp, err));
    }
    return make_error(ErrorKind::io, fmt::format("cannot open a raw TCP socket: {}", errno_text(err)));
  }
  set_int(tcp.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1);
  if (v6) {
    const int offset = 16;  // of the checksum in the TCP header
    if (setsockopt(tcp.get(), IPPROTO_IPV6, IPV6_CHECKSUM, &offset, sizeof(offset)) != 0) {
      return make_error(ErrorKind::io, fmt::format("cannot set IPV6_CHECKSUM: {}", errno_text(errno)));
    }
  }
  auto icmp = open_icmp(v6, true);
  if (!icmp.socket) {
    if (is_permission_errno(icmp.raw_errno)) {
      return make_error(ErrorKind::permission, trace_permission_message(core::TraceMethod::tcp, icmp.raw_errno));
    }
    return make_error(ErrorKind::io, fmt::format("cannot open a raw ICMP socket: {}", errno_text(icmp.raw_errno)));
  }
  return std::unique_ptr<TraceSocket>(std::make_unique<TcpTraceSocket>(std::move(tcp), std::move(icmp.socket), v6));
}

}  // namespace pk::probe
