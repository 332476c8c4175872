#include "context.hpp"
#include "known_target.hpp"
#include "signals.hpp"

#include "core/host.hpp"
#include "core/json.hpp"
#include "probe/detail.hpp"
#include "probe/ping_stats.hpp"
#include "probe/privileges.hpp"
#include "probe/prober.hpp"
#include "probe/resolver.hpp"
#include "store/samples.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

constexpr util::Micros k_min_interval = 10ms;  // ad hoc pings may go faster than a target's 100 ms
constexpr auto k_wake_slice = 500ms;           // bounds the wait for a stop signal
constexpr std::size_t k_save_batch = 100;      // --save: samples per transaction...
constexpr auto k_save_every = 5s;              // ...or this often, whichever comes first

struct PingOptions {
  std::string host;
  std::optional<long long> count;
  std::optional<std::string> interval;
  std::optional<std::string> timeout;
  std::optional<int> size;
  std::optional<int> tcp_port;
  bool v4 = false;
  bool v6 = false;
  bool save = false;
};

// What one ping session probes, after target defaults and options.
struct Plan {
  std::string label;  // HOST as typed
  std::optional<core::Target> target;
  std::string host;
  core::Family family = core::Family::any;
  core::ProbeKind kind = core::ProbeKind::icmp;
  int port = 0;
  int payload = core::k_default_payload;
  util::Micros interval = 1s;
  util::Micros timeout = 1s;
  std::optional<long long> count;
  probe::Address address;
};

// ping(8)'s precision: three significant decimals below 1 ms, fewer above.
std::string format_ms(util::Micros rtt) {
  const auto us = rtt.count();
  if (us >= 99'950) return fmt::format("{}", (us + 500) / 1000);
  if (us >= 9'995) return fmt::format("{:.1f}", static_cast<double>(us) / 1000.0);
  if (us >= 1'000) return fmt::format("{:.2f}", static_cast<double>(us) / 1000.0);
  return fmt::format("{:.3f}", static_cast<double>(us) / 1000.0);
}

std::string with_port(const probe::Address& a) {
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), a.port()) : fmt::format("{}:{}", a.to_string(), a.port());
}

// ping(8)'s words for the common ICMP errors; others as the prober wrote them.
std::string ping_reason(const std::string& reason) {
  if (reason == "host unreachable") return "Destination Host Unreachable";
  if (reason == "network unreachable") return "Destination Net Unreachable";
  if (reason == "port unreachable") return "Destination Port Unreachable";
  if (reason == "protocol unreachable") return "Destination Protocol Unreachable";
  if (reason == "time to live exceeded") return "Time to live exceeded";
  std::string text = reason;
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

std::string reply_line(const Plan& plan, const probe::Reply& r) {
  const bool tcp = plan.kind == core::ProbeKind::tcp;
  const std::string seq = tcp ? fmt::format("seq={}", r.slot) : fmt::format("icmp_seq={}", r.sequence);
  switch (r.status) {
    case core::SampleStatus::ok:
      if (tcp) return fmt::format("connected to {}: {} time={} ms", with_port(plan.address), seq, format_ms(*r.rtt));
      return fmt::format("{} bytes from {}: {}{} time={} ms", plan.payload + 8, plan.address.to_string(), seq,
                         r.ttl ? fmt::format(" ttl={}", *r.ttl) : std::string(), format_ms(*r.rtt));
    case core::SampleStatus::refused:
      return fmt::format("refused by {}: {} time={} ms", with_port(plan.address), seq, format_ms(*r.rtt));
    case core::SampleStatus::timeout:
      return fmt::format("Request timeout for {}",
                         tcp ? fmt::format("seq {}", r.slot) : fmt::format("icmp_seq {}", r.sequence));
    default: break;
  }
  if (auto d = probe::split_error_detail(r.detail))
    return fmt::format("From {} {} {}", d->from, seq, ping_reason(d->reason));
  return fmt::format("{} error: {}", seq, r.detail.empty() ? std::string(core::to_string(r.status)) : r.detail);
}

core::Json reply_json(const Plan& plan, const probe::Reply& r) {
  return {
      {"type", "reply"},
      {"seq", plan.kind == core::ProbeKind::tcp ? std::int64_t{r.slot} : std::int64_t{r.sequence}},
      {"time", util::format_iso_utc(r.sent_at)},
      {"host", plan.host},
      {"address", plan.address.to_string()},
      {"status", core::to_string(r.status)},
      {"rtt_ms", core::rtt_ms(r.rtt)},
      {"ttl", r.ttl ? core::Json(*r.ttl) : core::Json(nullptr)},
      {"detail", r.detail.empty() ? core::Json(nullptr) : core::Json(r.detail)},
  };
}

core::Json ms_or_null(const std::optional<double>& ms) {
  if (!ms) return nullptr;
  return std::round(*ms * 1000.0) / 1000.0;  // microsecond precision
}

void print_json_object(const core::Json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, core::Json::error_handler_t::replace));
}

void print_summary(const Context& ctx, const Plan& plan, const probe::PingStats& stats, std::int64_t time_ms) {
  if (ctx.json) {
    print_json_object({
        {"type", "summary"},
        {"target", plan.target ? core::Json(plan.target->name) : core::Json(nullptr)},
        {"host", plan.host},
        {"address", plan.address.to_string()},
        {"probe", core::to_string(plan.kind)},
        {"port", plan.kind == core::ProbeKind::tcp ? core::Json(plan.port) : core::Json(nullptr)},
        {"transmitted", stats.transmitted()},
        {"received", stats.received()},
        {"errors", stats.errors()},
        {"loss_pct", std::round(stats.loss_percent() * 1000.0) / 1000.0},
        {"time_ms", time_ms},
        {"rtt_min_ms", ms_or_null(stats.min_ms())},
        {"rtt_avg_ms", ms_or_null(stats.avg_ms())},
        {"rtt_max_ms", ms_or_null(stats.max_ms())},
        {"rtt_mdev_ms", ms_or_null(stats.mdev_ms())},
    });
    return;
  }
  fmt::print("\n--- {} ping statistics ---\n", plan.label);
  fmt::print("{} packets transmitted, {} received, {}{:g}% packet loss, time {}ms\n", stats.transmitted(),
             stats.received(), stats.errors() > 0 ? fmt::format("+{} errors, ", stats.errors()) : std::string(),
             stats.loss_percent(), time_ms);
  if (stats.min_ms()) {
    fmt::print("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms\n", *stats.min_ms(), *stats.avg_ms(),
               *stats.max_ms(), *stats.mdev_ms());
  }
}

// HOST may name a known target (by name or id): its settings become the
// defaults. The database is consulted when it exists, or for --save.
Expected<Plan> make_plan(const Context& ctx, const PingOptions& o, std::optional<store::Database>& db) {
  Plan plan;
  plan.label = o.host;
  plan.host = o.host;
  auto known = find_known_target(ctx, o.host, /*open_anyway=*/o.save, db);
  if (!known) return std::unexpected(known.error());
  plan.target = std::move(*known);
  if (o.save && !plan.target) {
    return invalid_input(
        fmt::format("--save needs a known target: \"{}\" is not one (add it with `pingkeeper target "
                    "add`, then ping it by name or id)",
                    o.host));
  }
  if (plan.target) {
    const auto& t = *plan.target;
    plan.host = t.host;
    plan.family = t.family;
    plan.kind = t.probe;
    plan.port = t.port.value_or(core::k_default_tcp_port);
    plan.payload = t.payload_size;
    plan.interval = t.interval;
    plan.timeout = t.timeout;
  } else if (auto kind = core::classify_host(o.host); !kind) {
    return invalid_input(
        fmt::format("\"{}\" is neither a known target nor a valid host: {}", o.host, kind.error().message));
  }

  if (o.v4) plan.family = core::Family::v4;
  if (o.v6) plan.family = core::Family::v6;
  if (o.tcp_port) {
    if (*o.tcp_port < 1 || *o.tcp_port > 65535) return invalid_input("--tcp needs a port from 1 to 65535");
    plan.kind = core::ProbeKind::tcp;
    plan.port = *o.tcp_port;
  }
  if (o.size) {
    if (plan.kind == core::ProbeKind::tcp) return invalid_input("--size applies to ICMP echo, not to --tcp");
    if (*o.size < 0 || *o.size > core::k_max_payload) {
      return invalid_input(fmt::format("--size must be 0 to {} bytes", core::k_max_payload));
    }
    plan.payload = *o.size;
  }
  auto interval = util::parse_optional_duration(o.interval);
  if (!interval) return std::unexpected(interval.error());
  if (*interval) {
    if (auto ok = core::check_duration("--interval", **interval, k_min_interval, core::k_max_interval); !ok) {
      return std::unexpected(ok.error());
    }
    plan.interval = **interval;
  }
  auto timeout = util::parse_optional_duration(o.timeout);
  if (!timeout) return std::unexpected(timeout.error());
  if (*timeout) {
    if (auto ok = core::check_duration("--timeout", **timeout, core::k_min_timeout, core::k_max_timeout); !ok) {
      return std::unexpected(ok.error());
    }
    plan.timeout = **timeout;
  }
  if (o.count && *o.count < 1) return invalid_input("--count must be at least 1");
  plan.count = o.count;
  return plan;
}

// Stores the pending samples; on failure they stay pending for the next try.
Expected<void> save(const std::optional<store::Database>& db, std::vector<core::Sample>& samples) {
  if (samples.empty() || !db) return {};
  auto ok = store::samples::insert_batch(*db, samples);
  if (!ok) return std::unexpected(ok.error());
  samples.clear();
  return {};
}

Expected<void> ping(const Context& ctx, const PingOptions& o) {
  if (ctx.csv) return invalid_input("ping prints lines as it goes: use --json for NDJSON, not --csv");
  std::optional<store::Database> db;
  auto planned = make_plan(ctx, o, db);
  if (!planned) return std::unexpected(planned.error());
  Plan& plan = *planned;

  auto address = probe::Resolver::resolve_now(plan.host, plan.family);
  if (!address) return std::unexpected(address.error());
  plan.address =
      plan.kind == core::ProbeKind::tcp ? address->with_port(static_cast<std::uint16_t>(plan.port)) : *address;

  auto prober = probe::Prober::open(plan.kind == core::ProbeKind::icmp);
  if (!prober) return std::unexpected(prober.error());
  if (auto dropped = probe::drop_privileges(); !dropped) return std::unexpected(dropped.error());
  if (ctx.verbose > 0 && plan.kind == core::ProbeKind::icmp) {
    fmt::print(stderr, "pingkeeper: {} ICMP sockets\n",
               (*prober)->icmp_mode() == probe::IcmpMode::raw ? "raw" : "datagram");
  }

  if (!ctx.json) {
    if (plan.kind == core::ProbeKind::tcp) {
      fmt::print("PING {} ({}): TCP connect to port {}\n", plan.label, plan.address.to_string(), plan.port);
    } else {
      fmt::print("PING {} ({}): {} data bytes\n", plan.label, plan.address.to_string(), plan.payload);
    }
    std::fflush(stdout);
  }

  const auto& stop = install_stop_signals();
  probe::PingStats stats;
  std::vector<probe::Reply> replies;
  std::vector<core::Sample> samples;
  auto last_save = std::chrono::steady_clock::now();
  const auto started = std::chrono::steady_clock::now();
  auto next_send = started;
  long long sent = 0;
  Expected<void> saved;
  auto handle = [&](std::vector<probe::Reply>& batch) {
    for (const auto& r : batch) {
      stats.add_result(r.status, r.rtt);
      if (!ctx.quiet) {
        if (ctx.json) {
          print_json_object(reply_json(plan, r));
        } else {
          fmt::print("{}\n", reply_line(plan, r));
        }
      }
      if (o.save) {
        samples.push_back(core::Sample{plan.target->id, r.sent_at, r.rtt, r.status, r.ttl,
                                       r.detail.empty() ? std::nullopt : std::optional<std::string>(r.detail)});
      }
    }
    if (!batch.empty()) std::fflush(stdout);
    batch.clear();
  };

  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    const bool sending = !plan.count || sent < *plan.count;
    if (sending && now >= next_send) {
      ++sent;
      probe::Probe p;
      p.slot = static_cast<std::uint32_t>(sent);
      p.address = plan.address;
      p.kind = plan.kind;
      p.payload_size = plan.payload;
      p.timeout = plan.timeout;
      (*prober)->send(p);
      stats.add_transmitted();
      next_send += plan.interval;
      if (next_send <= now) next_send = now + plan.interval;  // fell behind: no burst to catch up
    }
    if (!sending && (*prober)->in_flight() == 0) break;
    const auto until = sending ? std::min(next_send, now + k_wake_slice) : now + k_wake_slice;
    (*prober)->poll(until, replies);
    handle(replies);
    if (samples.size() >= k_save_batch ||
        (!samples.empty() && std::chrono::steady_clock::now() - last_save >= k_save_every)) {
      (void)save(db, samples);  // a failure keeps them pending for the next try
      last_save = std::chrono::steady_clock::now();
    }
  }
  if (o.save) {
    // Await the probes in flight (at most their timeout) so every probe sent is stored.
    const auto drain_until = std::chrono::steady_clock::now() + plan.timeout + k_wake_slice;
    while ((*prober)->in_flight() > 0 && std::chrono::steady_clock::now() < drain_until) {
      (*prober)->poll(std::min(drain_until, std::chrono::steady_clock::now() + k_wake_slice), replies);
      handle(replies);
    }
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    saved = save(db, samples);
    if (saved) break;
  }

  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  print_summary(ctx, plan, stats, elapsed.count());
  std::fflush(stdout);
  if (!saved) return saved;
  if (stats.received() == 0) {
    return make_error(ErrorKind::io, fmt::format("no reply from {}", plan.label));
  }
  return {};
}

}  // namespace

void register_ping(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("ping", "Probe a host or a known target now, like ping(8)");
  auto o = std::make_shared<PingOptions>();
  cmd->add_option("HOST", o->host, "IPv4/IPv6 address, DNS name, or a known target's name or id")->required();
  cmd->add_option("-c,--count", o->count, "Stop after N probes (default: until Ctrl-C)")->option_text("N");
  cmd->add_option("-i,--interval", o->interval, "Time between probes (default 1s, or the target's)")->option_text("D");
  cmd->add_option("-W,--timeout", o->timeout, "How long to wait for each reply (default 1s, or the target's)")
      ->option_text("D");
  cmd->add_option("-s,--size", o->size, "ICMP payload bytes (default 56, or the target's)")->option_text("B");
  auto* v4 = cmd->add_flag("-4", o->v4, "IPv4 only");
  cmd->add_flag("-6", o->v6, "IPv6 only")->excludes(v4);
  cmd->add_option("--tcp", o->tcp_port, "Probe by TCP connect to this port instead of ICMP echo")->option_text("PORT");
  cmd->add_flag("--save", o->save, "Store the results as samples of the known target HOST");
  cmd->footer(
      "Prints a line per reply and a summary; exits 0 when any reply came back, 1 when none did.\n"
      "--json prints NDJSON instead: one object per probe\n"
      "  {\"type\":\"reply\",\"seq\",\"time\" (send time, ISO 8601 UTC),\"host\",\"address\",\"status\"\n"
      "   (ok|timeout|unreachable|ttl_exceeded|refused|send_error),\"rtt_ms\" (null when lost),\"ttl\",\"detail\"}\n"
      "and a final {\"type\":\"summary\",\"target\" (name or "
      "null),\"host\",\"address\",\"probe\",\"port\",\"transmitted\",\"received\",\n"
      "  \"errors\",\"loss_pct\",\"time_ms\",\"rtt_min_ms\",\"rtt_avg_ms\",\"rtt_max_ms\",\"rtt_mdev_ms\"}.\n"
      "ICMP needs net.ipv4.ping_group_range to hold your group, or CAP_NET_RAW (exit 4 says how).");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o]() -> Expected<void> { return ping(ctx, *o); }; });
}

}  // namespace pk::cli
