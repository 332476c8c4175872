#pragma once

#include "core/target.hpp"
#include "core/trace.hpp"
#include "probe/traceroute.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <optional>
#include <string>

// What one traceroute run probes, from the settings a user gives
// (`pingkeeper traceroute`, serve's POST /api/v1/traceroute) and the known
// target they may name.
namespace pk::probe {

// The settings of a trace, as given.
struct TraceSettings {
  std::string host;                  // a host, or a known target's name or id
  std::optional<std::string> probe;  // icmp, udp or tcp
  std::optional<int> port;
  int max_hops = 30;
  int queries = 3;
  std::optional<std::string> wait;  // util::parse_duration syntax
  int first_ttl = 1;
  bool v4 = false;
  bool v6 = false;
};

// The checks that need neither the database nor the network: max_hops 1..255,
// queries 1..10, first_ttl 1..max_hops, port 1..65535 (messages name the
// CLI's options).
Expected<void> check_trace_settings(const TraceSettings& s);

// A trace to run: the target (when the host named one), the host to resolve,
// its family and the request (destination still unset).
struct TracePlan {
  std::optional<core::Target> target;
  std::string host;
  core::Family family = core::Family::any;
  TraceRequest request;
};

// The plan for `s`: a known target's host and family, and for a TCP target
// its probe and port, are the defaults; otherwise `s.host` must be a valid
// host. invalid_input for a bad method, port or wait.
Expected<TracePlan> plan_trace(const TraceSettings& s, std::optional<core::Target> target);

// Names every responder of `trace` by reverse DNS, waiting at most `grace`.
void add_hostnames(core::Trace& trace, std::chrono::steady_clock::duration grace);

}  // namespace pk::probe
