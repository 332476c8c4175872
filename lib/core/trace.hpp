#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Traceroute results as the rest of the program sees them: produced by
// lib/probe (probe/traceroute.hpp), compared by lib/analyze (analyze/path.hpp),
// stored by lib/store (store/traces.hpp), rendered by cli/.
namespace pk::core {

// How a trace probes: ICMP echo, UDP to a port (Paris-style: one flow), or
// TCP SYN to a port.
enum class TraceMethod { icmp, udp, tcp };
std::string_view to_string(TraceMethod m);
Expected<TraceMethod> parse_trace_method(std::string_view text);

inline constexpr std::uint16_t k_default_udp_trace_port = 33434;  // as traceroute(8)
inline constexpr std::uint16_t k_default_tcp_trace_port = 80;
inline constexpr int k_max_trace_hops = 255;
inline constexpr int k_max_trace_queries = 10;

// What answered one probe.
enum class HopReply {
  none,           // silence: '*'
  time_exceeded,  // a router on the way (ICMP time exceeded)
  unreachable,    // an ICMP destination unreachable from a router (ends the trace)
  reached,        // the destination: echo reply, port unreachable, SYN-ACK or RST, or any answer from it
};
std::string_view to_string(HopReply r);
std::optional<HopReply> parse_hop_reply(std::string_view text);

// One probe of a trace: the TTL it was sent with, its query number (from 1)
// and what came back.
struct TraceProbe {
  int ttl = 0;
  int query = 0;
  HopReply reply = HopReply::none;
  std::optional<std::string> address;   // the responder; nullopt when silent
  std::optional<std::string> hostname;  // its reverse DNS name, when looked up and found
  std::optional<util::Micros> rtt;      // kernel receive timestamp - send time
  std::optional<int> icmp_type;         // of the answer; nullopt for TCP answers and silence
  std::optional<int> icmp_code;
  friend bool operator==(const TraceProbe&, const TraceProbe&) = default;
};

// traceroute(8)'s annotation of an unreachable answer: "!H", "!N", "!P",
// "!X" (administratively prohibited), "!F" (fragmentation needed), "!S",
// "!<code>" otherwise; "" for anything that is not destination unreachable,
// and for a port unreachable (that is how UDP probes reach a destination).
std::string unreachable_mark(bool v6, int icmp_type, int icmp_code);

// One traceroute run.
struct Trace {
  std::int64_t id = 0;                    // 0 until stored
  std::optional<std::int64_t> target_id;  // nullopt: an ad-hoc host
  std::optional<std::int64_t> job_id;     // set when a job's path metric took it
  std::string target;                     // target name, or the host as typed
  std::string host;                       // what was resolved
  std::string address;                    // the destination address
  TraceMethod method = TraceMethod::icmp;
  std::uint16_t port = 0;  // udp / tcp destination port, 0 for icmp
  util::SysMicros started_at{};
  util::Micros duration{};
  int first_ttl = 1;
  int max_hops = 30;
  int queries = 3;
  // The last TTL reported: the destination's, the hop that answered
  // unreachable, else max_hops.
  int hop_count = 0;
  bool reached = false;
  // Every probe sent with TTL first_ttl..hop_count, ordered by (ttl, query).
  std::vector<TraceProbe> probes;
  // Filled when stored (analyze/path.hpp).
  std::string path_hash;
  bool path_changed = false;
};

}  // namespace pk::core
