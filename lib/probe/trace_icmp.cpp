// ICMP echo traceroute probes: a datagram ICMP socket (errors on its error
// queue) or a raw one (errors read as packets), as open_icmp gives.

#include "probe/packet.hpp"
#include "probe/trace_packet.hpp"
#include "probe/trace_socket.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <random>
#include <sys/socket.h>

namespace pk::probe {

namespace {

constexpr int k_send_attempts = 3;
constexpr int k_flow_attempts = 16;    // flow_id candidates tried before the kernel's choice
constexpr std::size_t k_payload = 32;  // as traceroute(8): 60-byte IPv4 packets
// Paris-style: every probe of a trace has the same type, code and checksum
// (the first 4 bytes, where load balancers read the ports of UDP and TCP;
// the word after the match data balances the sum) and echo id; the match
// data and the sequence number (packet::probe_number) name the probe.
constexpr std::uint16_t k_sum = 0x5041;  // "PA"
constexpr std::size_t k_balance_at = packet::k_icmp_header_size + packet::k_match_size;

class IcmpTraceSocket final : public TraceSocket {
 public:
  explicit IcmpTraceSocket(IcmpSocket socket) : m_socket(std::move(socket)) {
    m_nonce = std::random_device{}();
    packet::fill_pattern(std::span(m_packet).subspan(packet::k_icmp_header_size));
  }

  Expected<void> begin(const Address& destination, std::uint16_t, std::uint32_t tag) override {
    m_tag = tag;
    m_destination = destination;
    // The flow's echo id (packet::flow_id), so every trace to this
    // destination is the same flow. A datagram socket's id is its bound
    // "port": a new socket per trace, bound to it.
    if (m_socket.raw) {
      m_ident = packet::flow_id(destination, 0, core::TraceMethod::icmp, 0);
      return {};
    }
    auto fresh = open_icmp(m_socket.v6);
    if (!fresh.socket || fresh.socket.raw) return {};  // keep the one we have
    for (int attempt = 0; attempt < k_flow_attempts; ++attempt) {
      const Address id = *Address::parse_literal(m_socket.v6 ? "::" : "0.0.0.0",
                                                 packet::flow_id(destination, 0, core::TraceMethod::icmp, attempt));
      if (bind(fresh.socket.fd.get(), id.sockaddr_ptr(), id.length()) == 0) break;
    }
    m_socket = std::move(fresh.socket);
    return {};
  }

  int send(int ttl, int query, std::int64_t& sent_rt_ns) override {
    const int fd = m_socket.fd.get();
    if (!set_hop_limit(fd, m_socket.v6, ttl)) return errno;
    // The echo id of a datagram socket is the kernel's.
    const std::uint16_t sequence = packet::probe_number(m_tag, {ttl, query});
    packet::write_echo_request(
        m_packet, m_socket.v6, m_socket.raw ? m_ident : 0, sequence,
        packet::Match{m_nonce, static_cast<std::uint32_t>(ttl), static_cast<std::uint32_t>(query), m_tag}, false);
    packet::balance_checksum(m_packet, k_balance_at, k_sum);
    if (!m_socket.v6 && m_socket.raw) {  // the kernel sums the others
      const std::uint16_t sum = packet::checksum(m_packet);
      m_packet[2] = static_cast<std::uint8_t>(sum >> 8);
      m_packet[3] = static_cast<std::uint8_t>(sum & 0xffU);
    }
    int err = 0;
    for (int attempt = 0; attempt < k_send_attempts; ++attempt) {
      sent_rt_ns = clock_ns(CLOCK_REALTIME);
      if (sendto(fd, m_packet.data(), m_packet.size(), MSG_DONTWAIT, m_destination.sockaddr_ptr(),
                 m_destination.length()) >= 0) {
        return 0;
      }
      err = errno;
      if (err != EINTR && (m_socket.raw || !may_be_pending_error(err))) break;
    }
    return err;
  }

  std::vector<int> fds() const override { return {m_socket.fd.get()}; }

  void receive(int fd, std::vector<TraceAnswer>& out) override {
    if (!m_socket.raw) read_error_queue(fd, out);
    for (int i = 0; i < k_max_reads; ++i) {
      auto m = receive_message(fd, 0, m_buffer);
      if (!m) {
        if (errno == EAGAIN || m_socket.raw) break;
        continue;  // a pending error: its details are on the error queue
      }
      auto r = (!m_socket.v6 && m_socket.raw) ? packet::parse_ipv4_packet(m->data, !m->truncated)
                                              : packet::parse_icmp(m->data, m_socket.v6);
      if (!r || (m_socket.raw && r->echo.id != m_ident)) continue;  // another program's echo traffic
      auto probe = packet::echo_probe(r->echo, r->kind == packet::Kind::error, m_nonce, m_tag);
      if (!probe) continue;
      TraceAnswer a{probe->ttl, probe->query, core::HopReply::reached, m->name,
                    r->type,    r->code,      m->ancillary.rx_rt_ns};
      if (r->kind == packet::Kind::error) {
        if (r->quoted_destination && !same_ip(*r->quoted_destination, m_destination)) continue;
        a.reply = error_reply(m_socket.v6, r->type, r->code, m->name, m_destination);
      }
      out.push_back(a);
    }
    if (!m_socket.raw) read_error_queue(fd, out);
  }

 private:
  // Datagram sockets: the errors about our probes, with the echo request
  // they quote as data.
  void read_error_queue(int fd, std::vector<TraceAnswer>& out) {
    for (int i = 0; i < k_max_reads; ++i) {
      auto m = receive_message(fd, MSG_ERRQUEUE, m_buffer);
      if (!m) break;
      auto error = queued_icmp_error(*m);
      if (!error || (m->name.family() != 0 && !same_ip(m->name, m_destination))) continue;
      auto echo = packet::parse_echo_request(m->data, m_socket.v6);
      auto probe = echo ? packet::echo_probe(*echo, true, m_nonce, m_tag) : std::nullopt;
      if (!probe) continue;
      out.push_back(TraceAnswer{probe->ttl, probe->query,
                                error_reply(m_socket.v6, error->type, error->code, error->offender, m_destination),
                                error->offender, error->type, error->code, m->ancillary.rx_rt_ns});
    }
    int err = 0;  // the pending socket error, else poll reports POLLERR forever
    socklen_t len = sizeof(err);
    (void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }

  IcmpSocket m_socket;
  std::uint32_t m_nonce = 0;
  std::uint16_t m_ident = 0;  // echo id of a raw socket: the flow's
  std::uint32_t m_tag = 0;
  Address m_destination;
  std::array<std::uint8_t, packet::k_icmp_header_size + k_payload> m_packet{};
  MessageBuffer m_buffer;
};

}  // namespace

Expected<std::unique_ptr<TraceSocket>> open_icmp_trace(bool v6) {
  auto opened = open_icmp(v6);
  if (!opened.socket) {
    if (is_permission_errno(opened.raw_errno) || is_permission_errno(opened.dgram_errno)) {
      return make_error(ErrorKind::permission, trace_permission_message(core::TraceMethod::icmp, EPERM));
    }
    const int err = opened.raw_errno != 0 ? opened.raw_errno : opened.dgram_errno;
    return make_error(ErrorKind::io, fmt::format("cannot open an ICMP socket: {}", errno_text(err)));
  }
  return std::unique_ptr<TraceSocket>(std::make_unique<IcmpTraceSocket>(std::move(opened.socket)));
}

}  // namespace pk::probe
