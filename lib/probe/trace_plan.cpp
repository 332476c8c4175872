#include "probe/trace_plan.hpp"

#include "core/host.hpp"
#include "probe/reverse_dns.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

namespace pk::probe {

namespace {

using namespace std::chrono_literals;

constexpr util::Micros k_min_wait = 1ms;
constexpr util::Micros k_max_wait = 60s;

}  // namespace

Expected<void> check_trace_settings(const TraceSettings& s) {
  if (s.max_hops < 1 || s.max_hops > core::k_max_trace_hops) {
    return invalid_input(fmt::format("--max-hops must be 1 to {}", core::k_max_trace_hops));
  }
  if (s.queries < 1 || s.queries > core::k_max_trace_queries) {
    return invalid_input(fmt::format("--queries must be 1 to {}", core::k_max_trace_queries));
  }
  if (s.first_ttl < 1 || s.first_ttl > s.max_hops) {
    return invalid_input(fmt::format("--first-ttl must be 1 to --max-hops ({})", s.max_hops));
  }
  if (s.port && (*s.port < 1 || *s.port > 65535)) return invalid_input("--port must be 1 to 65535");
  return {};
}

Expected<TracePlan> plan_trace(const TraceSettings& s, std::optional<core::Target> target) {
  TracePlan plan;
  plan.host = s.host;
  core::TraceMethod method = core::TraceMethod::icmp;
  if (target) {
    plan.host = target->host;
    plan.family = target->family;
    if (target->probe == core::ProbeKind::tcp) {
      method = core::TraceMethod::tcp;
      plan.request.port = static_cast<std::uint16_t>(target->port.value_or(core::k_default_tcp_trace_port));
    }
  } else if (auto kind = core::classify_host(s.host); !kind) {
    return invalid_input(
        fmt::format("\"{}\" is neither a known target nor a valid host: {}", s.host, kind.error().message));
  }
  if (s.probe) {
    auto parsed = core::parse_trace_method(*s.probe);
    if (!parsed) return invalid_input(fmt::format("--probe must be icmp, udp or tcp, not \"{}\"", *s.probe));
    if (*parsed != method) plan.request.port = 0;  // the target's port is for its own probe
    method = *parsed;
  }
  if (s.port) {
    if (method == core::TraceMethod::icmp) return invalid_input("--port applies to --probe udp or tcp, not icmp");
    plan.request.port = static_cast<std::uint16_t>(*s.port);
  }
  plan.request.method = method;
  if (method != core::TraceMethod::icmp && plan.request.port == 0) {
    plan.request.port =
        method == core::TraceMethod::udp ? core::k_default_udp_trace_port : core::k_default_tcp_trace_port;
  }
  if (s.v4) plan.family = core::Family::v4;
  if (s.v6) plan.family = core::Family::v6;
  plan.request.max_hops = s.max_hops;
  plan.request.first_ttl = s.first_ttl;
  plan.request.queries = s.queries;
  auto wait = util::parse_optional_duration(s.wait);
  if (!wait) return std::unexpected(wait.error());
  if (*wait) {
    if (auto ok = core::check_duration("--wait", **wait, k_min_wait, k_max_wait); !ok) {
      return std::unexpected(ok.error());
    }
    plan.request.wait = **wait;
  }
  plan.target = std::move(target);
  return plan;
}

void add_hostnames(core::Trace& trace, std::chrono::steady_clock::duration grace) {
  ReverseDns dns;
  for (const auto& p : trace.probes) {
    if (p.address) dns.request(*p.address);
  }
  const auto names = dns.names(std::chrono::steady_clock::now() + grace);
  for (auto& p : trace.probes) {
    if (!p.address) continue;
    if (auto it = names.find(*p.address); it != names.end()) p.hostname = it->second;
  }
}

}  // namespace pk::probe
