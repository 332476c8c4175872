#include "probe/icmp_socket.hpp"

#include "probe/packet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <system_error>

namespace pk::probe {

namespace {

// From <linux/icmp.h>, which clashes with glibc's <netinet/ip_icmp.h> users.
constexpr int k_icmp_filter = 1;
struct IcmpFilter {
  std::uint32_t blocked;  // bit n set: drop ICMP type n
};

}  // namespace

void set_int(int fd, int level, int name, int value) { (void)setsockopt(fd, level, name, &value, sizeof(value)); }

std::string errno_text(int err) { return std::strerror(err); }

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * k_ns_per_s + ts.tv_nsec;
}

bool is_unreachable_errno(int err) {
  return err == ENETUNREACH || err == EHOSTUNREACH || err == EHOSTDOWN || err == ENONET;
}

bool may_be_pending_error(int err) {
  return is_unreachable_errno(err) || err == ECONNREFUSED || err == EMSGSIZE || err == EPROTO || err == EACCES ||
         err == ENOPROTOOPT;
}

namespace {

void configure_icmp(IcmpSocket& s) {
  const int fd = s.fd.get();
  set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  // Bursts of replies from thousands of targets must not overflow the queue:
  // root may exceed net.core.rmem_max, others get what it allows.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &k_socket_buffer, sizeof(k_socket_buffer)) != 0) {
    set_int(fd, SOL_SOCKET, SO_RCVBUF, k_socket_buffer);
  }
  if (!s.v6) {
    if (s.raw) {
      // A raw socket sees every ICMP packet of the host; keep what can answer us.
      IcmpFilter filter{~((1U << packet::k_v4_echo_reply) | (1U << packet::k_v4_dest_unreachable) |
                          (1U << packet::k_v4_time_exceeded))};
      (void)setsockopt(fd, SOL_RAW, k_icmp_filter, &filter, sizeof(filter));
    } else {
      set_int(fd, IPPROTO_IP, IP_RECVERR, 1);  // ICMP errors on the error queue
      set_int(fd, IPPROTO_IP, IP_RECVTTL, 1);  // raw sockets read TTL from the IP header instead
    }
    return;
  }
  set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
  if (s.raw) {
    icmp6_filter filter{};
    std::fill(std::begin(filter.icmp6_filt), std::end(filter.icmp6_filt), 0xffffffffU);  // block all...
    for (std::uint8_t type : {packet::k_v6_echo_reply, packet::k_v6_dest_unreachable, packet::k_v6_packet_too_big,
                              packet::k_v6_time_exceeded}) {
      filter.icmp6_filt[type >> 5] &= ~(1U << (type & 31U));  // ...but these
    }
    (void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
  } else {
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
  }
}

}  // namespace

// An unprivileged datagram socket first (net.ipv4.ping_group_range, for both
// families), a raw socket second (root or CAP_NET_RAW).
OpenedIcmp open_icmp(bool v6, bool raw_only) {
  const int af = v6 ? AF_INET6 : AF_INET;
  const int proto = v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  OpenedIcmp r;
  r.socket.v6 = v6;
  if (!raw_only) r.socket.fd.reset(socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  if (!r.socket) {
    r.dgram_errno = raw_only ? 0 : errno;
    r.socket.fd.reset(socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
    if (!r.socket) {
      r.raw_errno = errno;
      return r;
    }
    r.socket.raw = true;
  }
  configure_icmp(r.socket);
  return r;
}

bool is_permission_errno(int err) { return err == EPERM || err == EACCES; }

std::string binary_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("pingkeeper") : exe.string();
}

std::string permission_message(int err) {
  return fmt::format(
      "cannot open an ICMP socket ({}): allow unprivileged ping with "
      "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\", or let pingkeeper open raw sockets with "
      "setcap cap_net_raw+ep {} (or run it as root); TCP probes (--tcp PORT) need no privilege",
      errno_text(err), binary_path());
}

Ancillary read_ancillary(msghdr& h) {
  Ancillary a;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
    const unsigned char* data = CMSG_DATA(c);
    const auto length = static_cast<socklen_t>(c->cmsg_len - CMSG_LEN(0));
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && length >= sizeof(timespec)) {
      timespec ts{};
      std::memcpy(&ts, data, sizeof(ts));
      a.rx_rt_ns = static_cast<std::int64_t>(ts.tv_sec) * k_ns_per_s + ts.tv_nsec;
    } else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) &&
               length >= sizeof(int)) {
      int ttl = 0;
      std::memcpy(&ttl, data, sizeof(ttl));
      a.ttl = ttl;
    } else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
               length >= sizeof(sock_extended_err)) {
      a.error = reinterpret_cast<const sock_extended_err*>(data);
      a.error_length = length;
    }
  }
  return a;
}

}  // namespace pk::probe
