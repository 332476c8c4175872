#include "context.hpp"
#include "known_target.hpp"
#include "output.hpp"
#include "signals.hpp"
#include "trace_history.hpp"

#include "core/json.hpp"
#include "core/trace.hpp"
#include "probe/privileges.hpp"
#include "probe/resolver.hpp"
#include "probe/trace_plan.hpp"
#include "probe/traceroute.hpp"
#include "store/traces.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

constexpr auto k_dns_grace = 1s;  // how long names may take after the trace

struct TraceOptions {
  probe::TraceSettings trace;
  bool no_dns = false;
  bool no_save = false;
  bool history = false;
  std::string trace_option;  // the first option given that only a trace takes
  std::optional<std::string> since;
};

// The checks that need neither the database nor the network.
Expected<void> check_options(const TraceOptions& o) {
  if (auto ok = probe::check_trace_settings(o.trace); !ok) return ok;
  if (o.since && !o.history) return invalid_input("--since applies to --history only");
  if (o.history && !o.trace_option.empty()) {
    return invalid_input(fmt::format("{} applies to a trace, not to --history", o.trace_option));
  }
  return {};
}

std::string describe_method(const probe::TraceRequest& r) {
  if (r.method == core::TraceMethod::icmp) return "icmp";
  return fmt::format("{} port {}", core::to_string(r.method), r.port);
}

// A hop as traceroute(8) prints it: the responder before the first RTT it
// answered, again whenever it changes, "*" for silence, !H-style marks.
std::string hop_line(const core::Trace& t, std::size_t& i, bool v6) {
  const int ttl = t.probes[i].ttl;
  std::string line = fmt::format("{:2d} ", ttl);
  std::optional<std::string> shown;
  for (; i < t.probes.size() && t.probes[i].ttl == ttl; ++i) {
    const core::TraceProbe& p = t.probes[i];
    if (!p.address) {
      line += " *";
      continue;
    }
    if (p.address != shown) {
      line += p.hostname ? fmt::format(" {} ({})", *p.hostname, *p.address) : fmt::format(" {}", *p.address);
      shown = p.address;
    }
    line += fmt::format("  {:.3f} ms", static_cast<double>(p.rtt->count()) / 1000.0);
    if (p.icmp_type && p.icmp_code) {
      if (auto mark = core::unreachable_mark(v6, *p.icmp_type, *p.icmp_code); !mark.empty()) line += " " + mark;
    }
  }
  return line;
}

void print_table(const core::Trace& t) {
  const bool v6 = t.address.find(':') != std::string::npos;
  for (std::size_t i = 0; i < t.probes.size();) fmt::print("{}\n", hop_line(t, i, v6));
}

void print_csv(const core::Trace& t) {
  Table table{{"hop", "query", "address", "hostname", "rtt_ms", "reply", "icmp_type", "icmp_code"}, {}};
  for (const auto& p : t.probes) {
    table.rows.push_back({
        std::to_string(p.ttl),
        std::to_string(p.query),
        p.address.value_or(""),
        p.hostname.value_or(""),
        p.rtt ? fmt::format("{:.3f}", static_cast<double>(p.rtt->count()) / 1000.0) : std::string(),
        std::string(core::to_string(p.reply)),
        p.icmp_type ? std::to_string(*p.icmp_type) : std::string(),
        p.icmp_code ? std::to_string(*p.icmp_code) : std::string(),
    });
  }
  table.print_csv();
}

Expected<void> history(const Context& ctx, const TraceOptions& o) {
  std::optional<store::Database> db;
  auto target = find_known_target(ctx, o.trace.host, /*open_anyway=*/false, db);
  if (!target) return std::unexpected(target.error());
  if (!*target) {
    return not_found(
        fmt::format("unknown target \"{}\": --history lists the stored traces of a known target "
                    "(see: pingkeeper target list)",
                    o.trace.host));
  }
  std::optional<util::SysMicros> since;
  if (o.since) {
    auto zone = ctx.display_zone();
    if (!zone) return std::unexpected(zone.error());
    auto t = util::parse_time_point(*o.since, ctx.now, *zone);
    if (!t) return std::unexpected(t.error());
    since = *t;
  }
  return print_trace_history(ctx, **target, since);
}

Expected<void> traceroute(const Context& ctx, const TraceOptions& o) {
  if (auto ok = check_options(o); !ok) return ok;
  if (o.history) return history(ctx, o);
  std::optional<store::Database> db;
  auto target = find_known_target(ctx, o.trace.host, /*open_anyway=*/false, db);
  if (!target) return std::unexpected(target.error());
  auto planned = probe::plan_trace(o.trace, std::move(*target));
  if (!planned) return std::unexpected(planned.error());
  probe::TracePlan& plan = *planned;

  auto address = probe::Resolver::resolve_now(plan.host, plan.family);
  if (!address) return std::unexpected(address.error());
  plan.request.destination = *address;
  auto tracer = probe::Tracer::open(plan.request.method, address->is_v6());
  if (!tracer) return std::unexpected(tracer.error());
  if (auto dropped = probe::drop_privileges(); !dropped) return std::unexpected(dropped.error());

  const auto& stop = install_stop_signals();
  if (ctx.format() == Format::table && !ctx.quiet) {
    fmt::print("traceroute to {} ({}), {} hops max, {}\n", o.trace.host, address->to_string(), plan.request.max_hops,
               describe_method(plan.request));
    std::fflush(stdout);
  }
  auto traced = (*tracer)->run(plan.request, stop);
  if (!traced) return std::unexpected(traced.error());
  const bool cut_short = stop.load();  // a Ctrl-C during the name lookups below spares the trace
  core::Trace& trace = *traced;
  trace.target = plan.target ? plan.target->name : o.trace.host;
  trace.target_id = plan.target ? std::optional<std::int64_t>(plan.target->id) : std::nullopt;
  trace.host = plan.host;
  if (!o.no_dns && !cut_short) probe::add_hostnames(trace, k_dns_grace);
  // A trace cut short by Ctrl-C is shown but not stored: it is not a path.
  Expected<void> saved;
  if (plan.target && !o.no_save) {
    if (cut_short) {
      if (!ctx.quiet) fmt::print(stderr, "pingkeeper: interrupted: the trace is not stored\n");
    } else {
      saved = store::traces::save(*db, trace);
    }
  }

  switch (ctx.format()) {
    case Format::json: print_json(core::to_json(trace)); break;
    case Format::csv: print_csv(trace); break;
    case Format::table: print_table(trace); break;
  }
  std::fflush(stdout);
  return saved;  // the trace is shown even when it could not be stored
}

}  // namespace

void register_traceroute(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("traceroute", "Trace the path to a host or a known target, like traceroute(8)");
  auto o = std::make_shared<TraceOptions>();
  cmd->add_option("HOST", o->trace.host, "IPv4/IPv6 address, DNS name, or a known target's name or id")->required();
  cmd->add_option("--probe", o->trace.probe, "icmp (echo, the default), udp (no privilege needed) or tcp (SYN)")
      ->option_text("METHOD");
  cmd->add_option("--port", o->trace.port,
                  "Destination port for udp (default 33434) and tcp (default 80, or the target's)")
      ->option_text("P");
  cmd->add_option("--max-hops", o->trace.max_hops, "The highest TTL probed, 1-255 (default 30)")->option_text("N");
  cmd->add_option("--queries", o->trace.queries, "Probes per hop, 1-10 (default 3)")->option_text("N");
  cmd->add_option("--wait", o->trace.wait, "The longest a probe's answer is waited for, 1ms-60s (default 1s)")
      ->option_text("D");
  cmd->add_option("--first-ttl", o->trace.first_ttl, "The first TTL probed (default 1)")->option_text("N");
  cmd->add_flag("--no-dns", o->no_dns, "Show addresses only (no reverse DNS lookups)");
  cmd->add_flag("--no-save", o->no_save, "Do not store the trace of a known target");
  cmd->add_flag("--history", o->history, "List the stored traces of the known target instead, marking path changes");
  cmd->add_option("--since", o->since, "With --history: from this time (e.g. -7d, today, 2026-11-22T09:00)")
      ->option_text("TIME");
  auto* v4 = cmd->add_flag("-4", o->trace.v4, "IPv4 only");
  cmd->add_flag("-6", o->trace.v6, "IPv6 only")->excludes(v4);
  cmd->footer(
      "All probes are sent at once, so a trace takes at most about one --wait. As traceroute(8) does\n"
      "(-w 5,3,10), a silent probe is given up sooner once a later hop has answered (after 10 times\n"
      "that RTT, at least 10 ms) or its own hop has (3 times). A hop line shows each responder\n"
      "(\"name (address)\", or the address with --no-dns) and the RTT of each probe it answered, \"*\" for\n"
      "silence, and traceroute(8)'s marks for unreachable answers (!H host, !N network, !P protocol,\n"
      "!X prohibited, ...). The trace ends at the destination, at a router's unreachable, or at --max-hops.\n"
      "Exit 0 whether the destination was reached or not; 1 when nothing can be sent (no route).\n"
      "\n"
      "Probes: each trace is one flow (Paris traceroute: udp keeps both ports, icmp its echo id,\n"
      "sequence and checksum), so per-flow ECMP load balancers keep it on one path. udp needs no privilege\n"
      "(but without CAP_NET_RAW a router that quotes only 8 bytes of a probe shows '*'); icmp needs\n"
      "net.ipv4.ping_group_range to hold your group, or CAP_NET_RAW; tcp (SYN from one source port) needs\n"
      "root or CAP_NET_RAW (exit 4 says how). A known target's family and, for a TCP target, its probe and\n"
      "port are the defaults.\n"
      "\n"
      "Routers rate-limit their ICMP errors (Linux: about one a second per source after a short burst),\n"
      "so traces run back to back may show '*' where a later trace gets an answer.\n"
      "\n"
      "The trace of a known target is stored (unless --no-save, or Ctrl-C cut it short); --history lists\n"
      "the stored ones and marks each whose hops differ from the previous trace.\n"
      "--json prints one object: {\"target\",\"host\",\"address\",\"probe\",\"port\",\"started_at\",\"duration_ms\",\n"
      "  "
      "\"reached\",\"hop_count\",...,\"hops\":[{\"hop\",\"addresses\",\"probes\":[{\"query\",\"address\",\"hostname\","
      "\n"
      "  \"rtt_ms\",\"reply\" (none|time_exceeded|unreachable|reached),\"icmp_type\",\"icmp_code\",\"mark\"}]}]}.\n"
      "--csv prints one row per probe: hop,query,address,hostname,rtt_ms,reply,icmp_type,icmp_code.\n"
      "\n"
      "Examples:\n"
      "  pingkeeper traceroute example.net\n"
      "  pingkeeper traceroute web1 --probe tcp --port 443 --no-dns\n"
      "  pingkeeper traceroute 2001:db8::1 --probe udp --max-hops 20 --wait 500ms --json\n"
      "  pingkeeper traceroute web1 --history --since -7d");
  cmd->callback([&ctx, o, cmd] {
    for (const char* name : {"--probe", "--port", "--max-hops", "--queries", "--wait", "--first-ttl", "--no-dns",
                             "--no-save", "-4", "-6"}) {
      if (cmd->count(name) > 0) {
        o->trace_option = name;
        break;
      }
    }
    ctx.action = [&ctx, o]() -> Expected<void> { return traceroute(ctx, *o); };
  });
}

}  // namespace pk::cli
