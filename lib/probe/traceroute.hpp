#pragma once

#include "core/trace.hpp"
#include "probe/address.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

// Traceroute: probes with increasing TTL / hop limit, every probe of a trace
// in flight together, so a trace takes about one wait time (the slowest
// probe's answer or `wait`), not hops x queries x wait.
//
// Methods and the sockets they need:
//  - udp: a UDP socket connected to (destination, port) with IP_RECVERR /
//    IPV6_RECVERR, as tracepath does: no privilege at all. Paris-style: every
//    probe of a trace has the same flow fields (addresses, protocol, both
//    ports; the source port is the flow's, packet::flow_id, the same for
//    every trace to that destination and port), so per-flow ECMP load
//    balancers keep the traces on one path; the
//    probes differ only in their payload, which identifies them in the quoted
//    packet an ICMP error carries (Linux routers quote up to 576 bytes). With
//    root or CAP_NET_RAW a raw ICMP socket is read too, and a payload word
//    sets the UDP checksum to the probe's number (Paris traceroute's way), so
//    errors quoting only 8 bytes match; without it such answers show as
//    silence. The destination answers port unreachable.
//  - icmp: echo requests over an unprivileged datagram ICMP socket with
//    IP_RECVERR (net.ipv4.ping_group_range), else a raw ICMP socket (root or
//    CAP_NET_RAW). One echo id per destination (the flow's,
//    packet::flow_id); the echo sequence names the probe (trace tag, TTL,
//    query: trace_packet.hpp), so even an error quoting only 8 bytes
//    identifies it, and a payload word keeps the checksum constant (one
//    flow, as Paris traceroute); the destination answers echo reply.
//  - tcp: SYN segments from the flow's source port over a raw socket (root or
//    CAP_NET_RAW; errors read from a raw ICMP socket); the destination answers
//    SYN-ACK (port open) or RST (closed), either of which ends the trace.
// Without the privilege a method needs, open() fails with
// ErrorKind::permission and a fix-it message (trace_permission_message in
// trace_socket.hpp: setcap / ping_group_range, or --probe udp).
//
// Answers: ICMP time exceeded (a router), destination unreachable from a
// router (the trace ends at that hop, as traceroute(8) ends at !H / !N / !X),
// or the destination. RTT = kernel receive timestamp (SO_TIMESTAMPNS) - the
// wall-clock time just before the send. Probes go out in TTL order with the
// answers read between TTLs, and none past a final hop already known; probes
// at TTLs beyond the first that reached the destination are not reported.
namespace pk::probe {

struct TraceRequest {
  Address destination;  // resolved; the port is ignored (see `port`)
  core::TraceMethod method = core::TraceMethod::icmp;
  std::uint16_t port = 0;                       // udp / tcp; 0 = the method's default (33434 / 80)
  int first_ttl = 1;                            // 1..max_hops
  int max_hops = 30;                            // 1..255
  int queries = 3;                              // probes per TTL, 1..10
  util::Micros wait = std::chrono::seconds{1};  // per probe, from its send
};

// The sockets of one method and family, opened once and reused for any
// number of traces, one at a time (a path-metric thread keeps one per method
// and family; the privilege can be dropped once they are open).
class Tracer {
 public:
  // Opens what `method` needs for destinations of the family `v6`.
  static Expected<std::unique_ptr<Tracer>> open(core::TraceMethod method, bool v6);

  virtual ~Tracer() = default;

  // Runs one trace and returns it with target/host/ids left for the caller
  // to fill: address, method, port, started_at, duration, first_ttl,
  // max_hops, queries, hop_count, reached and probes (addresses, no
  // hostnames) are set. Returns early, with what was answered so far and the
  // rest silent, when `stop` becomes true. A local failure to send (no route
  // to the destination: ENETUNREACH) is an error of kind `io`;
  // a request out of range is `invalid_input`.
  virtual Expected<core::Trace> run(const TraceRequest& request, const std::atomic<bool>& stop) = 0;
};

}  // namespace pk::probe
