#pragma once

// The sockets of one traceroute method (UDP, ICMP echo or TCP SYN) behind
// one interface, so that Tracer (traceroute.cpp) runs the same loop for all
// three. Internal to lib/probe.

#include "core/trace.hpp"
#include "probe/address.hpp"
#include "probe/icmp_socket.hpp"
#include "probe/trace_packet.hpp"
#include "util/expected.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pk::probe {

// An answer to one probe of the current trace.
struct TraceAnswer {
  int ttl = 0;
  int query = 0;
  core::HopReply reply = core::HopReply::none;
  Address from;
  std::optional<int> icmp_type;  // nullopt for TCP answers
  std::optional<int> icmp_code;
  std::int64_t rx_rt_ns = -1;  // kernel receive timestamp (CLOCK_REALTIME), -1 when missing
};

class TraceSocket {
 public:
  virtual ~TraceSocket() = default;

  // Prepares a trace to `destination` (port `port` for UDP and TCP); `tag`
  // differs from the previous trace's, so that late answers to an earlier
  // trace never match. Fails with kind io when there is no route.
  virtual Expected<void> begin(const Address& destination, std::uint16_t port, std::uint32_t tag) = 0;

  // Sends the probe (ttl, query) of the current trace and sets `sent_rt_ns`
  // to CLOCK_REALTIME taken right before the send. Returns 0, or the errno of
  // a send that failed (after retrying the errors an earlier ICMP error left
  // pending on the socket).
  virtual int send(int ttl, int query, std::int64_t& sent_rt_ns) = 0;

  // The non-blocking descriptors to wait on for input (POLLIN; an error
  // queue shows as POLLERR).
  virtual std::vector<int> fds() const = 0;

  // Reads what is waiting on `fd` and appends the answers to probes of the
  // current trace; anything else is dropped. Reads a bounded number of
  // messages per call.
  virtual void receive(int fd, std::vector<TraceAnswer>& out) = 0;
};

// Openers of each method; permission errors carry trace_permission_message.
Expected<std::unique_ptr<TraceSocket>> open_udp_trace(bool v6);
Expected<std::unique_ptr<TraceSocket>> open_icmp_trace(bool v6);
Expected<std::unique_ptr<TraceSocket>> open_tcp_trace(bool v6);

// The exit-4 message when a method's socket cannot be opened for lack of
// privilege: what the method needs and that UDP traces need nothing.
std::string trace_permission_message(core::TraceMethod method, int err);

// What an ICMP error of `type` and `code` from `from` says about a probe to
// `destination`: the destination answered (reached; so does a port
// unreachable from anywhere, a firewall answering for it), a router's time
// exceeded, or a router's unreachable.
core::HopReply error_reply(bool v6, int type, int code, const Address& from, const Address& destination);

// The IP_TTL / IPV6_UNICAST_HOPS of the next sends on `fd`; false on failure.
bool set_hop_limit(int fd, bool v6, int ttl);

// Room for one received message and its ancillary data.
struct MessageBuffer {
  std::array<std::uint8_t, k_recv_buffer> data{};
  RecvBatch::Control control{};
  sockaddr_storage name{};
};

// One message read by receive_message: views into its MessageBuffer.
struct Message {
  std::span<const std::uint8_t> data;
  bool truncated = false;  // the datagram was longer than the buffer
  Address name;            // the sender (error queue: the probe's destination)
  Ancillary ancillary;
};

// Reads one message from `fd` without blocking (`flags` may add
// MSG_ERRQUEUE); nullopt when there is none or the read failed (a pending
// socket error included).
std::optional<Message> receive_message(int fd, int flags, MessageBuffer& buffer);

// Discards everything queued on `fd` (data and error queue), without
// blocking and at most k_max_discard messages: a tracer's raw sockets get a
// copy of every ICMP (and TCP) packet of the host while idle between traces,
// and a full receive buffer would drop the next trace's answers.
inline constexpr int k_max_discard = 100'000;
void discard_pending(int fd);

// Between traces a tracer's sockets take nothing (a socket filter that drops
// every packet: raw sockets would otherwise copy every ICMP or TCP packet of
// the host into their buffers); during a trace they take what their method
// lets through (TraceSocket::begin may attach its own filter after this).
void set_idle(int fd, bool idle);

// An ICMP error read from a datagram socket's error queue (IP_RECVERR).
struct QueuedError {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  Address offender;  // the router or host that sent the error
};

// The ICMP error a message from the error queue carries: nullopt for local
// errors and anything not from ICMP / ICMPv6.
std::optional<QueuedError> queued_icmp_error(const Message& m);

// The flow of a UDP or TCP trace, as a quoted packet shows it.
struct Flow {
  std::uint8_t protocol = 0;  // packet::k_proto_udp or k_proto_tcp
  Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
};

// Which probe a quoted packet of the flow was; nullopt when it is none of
// the current trace's.
using IdentifyQuote = std::function<std::optional<packet::ProbeId>(const packet::QuotedTransport&)>;

// Reads up to k_max_reads messages from a raw ICMP socket and appends an
// answer for each ICMP error that quotes a packet of `flow` that `identify`
// recognises; everything else is dropped.
void read_flow_errors(int fd, bool v6, const Flow& flow, const IdentifyQuote& identify, MessageBuffer& buffer,
                      std::vector<TraceAnswer>& out);

// The most messages a receive() call reads from one socket: bounds the work
// per wake-up; the rest waits for the next poll.
inline constexpr int k_max_reads = 256;

}  // namespace pk::probe
