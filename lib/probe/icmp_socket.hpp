#pragma once

// ICMP sockets for the Prober: opening (datagram first, raw second),
// configuring (timestamps, TTL, error queue, filters) and reading batches of
// messages with their ancillary data. Internal to lib/probe.

#include "probe/unique_fd.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>  // struct timespec, for linux/errqueue.h
#include <linux/errqueue.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace pk::probe {

inline constexpr std::size_t k_recv_batch = 32;     // messages per recvmmsg
inline constexpr std::size_t k_recv_buffer = 2048;  // bytes per message: a default echo whole; match data always fits
inline constexpr std::size_t k_control_buffer = 256;
inline constexpr int k_socket_buffer = 4 << 20;
inline constexpr std::int64_t k_ns_per_s = 1'000'000'000;

// Sets an int socket option, ignoring failure (the option is an optimisation).
void set_int(int fd, int level, int name, int value);

std::string errno_text(int err);

// clock_gettime(clock) in nanoseconds (CLOCK_REALTIME for send times that
// kernel receive timestamps are compared with, CLOCK_MONOTONIC for waits).
std::int64_t clock_ns(clockid_t clock);

// An errno from sendto/connect that says the destination cannot be reached
// (as opposed to a local failure).
bool is_unreachable_errno(int err);

// An errno a datagram socket may return from sendto/recvmsg because an
// earlier ICMP error was pending on it (sk_err), not because of this call.
bool may_be_pending_error(int err);

struct IcmpSocket {
  UniqueFd fd;
  bool v6 = false;
  bool raw = false;
  explicit operator bool() const { return static_cast<bool>(fd); }
};

// The opened socket, or the errno of each attempt when neither could open.
struct OpenedIcmp {
  IcmpSocket socket;
  int dgram_errno = 0;
  int raw_errno = 0;
};

// An unprivileged datagram socket first (net.ipv4.ping_group_range, for both
// families), a raw socket second (root or CAP_NET_RAW), configured for use.
// `raw_only` skips the datagram socket (it sees no errors about TCP or UDP).
OpenedIcmp open_icmp(bool v6, bool raw_only = false);

bool is_permission_errno(int err);

// The running binary's path, for the setcap advice of exit-4 messages.
std::string binary_path();

// The exit-4 message: why ICMP sockets cannot be opened and how to fix it.
std::string permission_message(int err);

// Preallocated recvmmsg buffers: no allocation per packet.
struct RecvBatch {
  struct alignas(cmsghdr) Control {
    std::array<std::uint8_t, k_control_buffer> bytes;
  };
  std::vector<std::uint8_t> data = std::vector<std::uint8_t>(k_recv_batch * k_recv_buffer);
  std::vector<Control> control = std::vector<Control>(k_recv_batch);
  std::array<sockaddr_storage, k_recv_batch> names{};
  std::array<iovec, k_recv_batch> iov{};
  std::array<mmsghdr, k_recv_batch> headers{};

  void reset() {
    for (std::size_t i = 0; i < k_recv_batch; ++i) {
      iov[i] = iovec{data.data() + i * k_recv_buffer, k_recv_buffer};
      msghdr& h = headers[i].msg_hdr;
      h.msg_name = &names[i];
      h.msg_namelen = sizeof(sockaddr_storage);
      h.msg_iov = &iov[i];
      h.msg_iovlen = 1;
      h.msg_control = control[i].bytes.data();
      h.msg_controllen = k_control_buffer;
      h.msg_flags = 0;
      headers[i].msg_len = 0;
    }
  }
};

// What the ancillary data of a received ICMP message says.
struct Ancillary {
  std::int64_t rx_rt_ns = -1;  // kernel receive timestamp (CLOCK_REALTIME), -1 when missing
  std::optional<int> ttl;
  const sock_extended_err* error = nullptr;  // error queue only
  socklen_t error_length = 0;                // bytes of cmsg data at `error`
};

// Reads the timestamp, TTL / hop limit and queued error of one message.
Ancillary read_ancillary(msghdr& h);

}  // namespace pk::probe
