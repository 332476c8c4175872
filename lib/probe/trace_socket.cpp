#include "probe/trace_socket.hpp"

#include "probe/packet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <time.h>

namespace pk::probe {

std::string trace_permission_message(core::TraceMethod method, int err) {
  if (method == core::TraceMethod::tcp) {
    return fmt::format(
        "cannot open a raw socket for TCP SYN probes ({}): TCP traces need root or CAP_NET_RAW "
        "(setcap cap_net_raw+ep {}, or run it as root); UDP traces (--probe udp) need no privilege",
        errno_text(err), binary_path());
  }
  return fmt::format(
      "cannot open an ICMP socket ({}): allow unprivileged ICMP with "
      "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\", or let pingkeeper open raw sockets with "
      "setcap cap_net_raw+ep {} (or run it as root); UDP traces (--probe udp) need no privilege",
      errno_text(err), binary_path());
}

core::HopReply error_reply(bool v6, int type, int code, const Address& from, const Address& destination) {
  if (same_ip(from, destination)) return core::HopReply::reached;
  // Port unreachable is how a UDP probe arrives; from another address, a
  // firewall answering for the destination: arrival too, as traceroute(8) has it.
  if (v6 ? (type == packet::k_v6_dest_unreachable && code == 4)
         : (type == packet::k_v4_dest_unreachable && code == 3)) {
    return core::HopReply::reached;
  }
  if (type == (v6 ? packet::k_v6_time_exceeded : packet::k_v4_time_exceeded)) return core::HopReply::time_exceeded;
  return core::HopReply::unreachable;
}

bool set_hop_limit(int fd, bool v6, int ttl) {
  return v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) == 0
            : setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0;
}

std::optional<Message> receive_message(int fd, int flags, MessageBuffer& buffer) {
  iovec iov{buffer.data.data(), buffer.data.size()};
  msghdr h{};
  h.msg_name = &buffer.name;
  h.msg_namelen = sizeof(buffer.name);
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = buffer.control.bytes.data();
  h.msg_controllen = buffer.control.bytes.size();
  ssize_t n = -1;
  do {
    n = recvmsg(fd, &h, flags | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return std::nullopt;
  Message m;
  m.data = std::span<const std::uint8_t>(buffer.data.data(), std::min(static_cast<std::size_t>(n), buffer.data.size()));
  m.truncated = (h.msg_flags & MSG_TRUNC) != 0;
  m.name = Address(reinterpret_cast<const sockaddr*>(&buffer.name), h.msg_namelen);
  m.ancillary = read_ancillary(h);
  return m;
}

void read_flow_errors(int fd, bool v6, const Flow& flow, const IdentifyQuote& identify, MessageBuffer& buffer,
                      std::vector<TraceAnswer>& out) {
  for (int i = 0; i < k_max_reads; ++i) {
    auto m = receive_message(fd, 0, buffer);
    if (!m) break;
    auto error = v6 ? packet::parse_transport_error(m->data, true) : packet::parse_ipv4_transport_error(m->data);
    if (!error) continue;
    const packet::QuotedTransport& q = error->quoted;
    if (q.protocol != flow.protocol || !same_ip(q.destination, flow.destination) || q.source_port != flow.source_port ||
        q.destination_port != flow.destination_port) {
      continue;
    }
    auto probe = identify(q);
    if (!probe) continue;
    out.push_back(TraceAnswer{probe->ttl, probe->query,
                              error_reply(v6, error->type, error->code, m->name, flow.destination), m->name,
                              error->type, error->code, m->ancillary.rx_rt_ns});
  }
}

void set_idle(int fd, bool idle) {
  if (!idle) {
    const int unused = 0;  // the kernel wants an int's worth of option all the same
    (void)setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused));  // ENOENT when none: fine
    return;
  }
  std::array<sock_filter, 1> drop{{BPF_STMT(BPF_RET | BPF_K, 0)}};
  const sock_fprog program{static_cast<unsigned short>(drop.size()), drop.data()};
  (void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}

void discard_pending(int fd) {
  std::array<std::uint8_t, 1> byte{};
  for (int flags : {0, int{MSG_ERRQUEUE}}) {
    for (int i = 0; i < k_max_discard; ++i) {
      const ssize_t n = recv(fd, byte.data(), byte.size(), flags | MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0 && errno != EINTR) break;  // EAGAIN: empty (a pending socket error ends it too)
    }
  }
}

std::optional<QueuedError> queued_icmp_error(const Message& m) {
  const sock_extended_err* ee = m.ancillary.error;
  if (ee == nullptr || (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6)) {
    return std::nullopt;
  }
  QueuedError e;
  e.type = ee->ee_type;
  e.code = ee->ee_code;
  // SO_EE_OFFENDER: the sender's address follows the extended error.
  e.offender = Address(reinterpret_cast<const sockaddr*>(ee + 1),
                       static_cast<socklen_t>(m.ancillary.error_length - sizeof(sock_extended_err)));
  return e;
}

}  // namespace pk::probe
