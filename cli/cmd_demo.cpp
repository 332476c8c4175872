#include "context.hpp"
#include "output.hpp"
#include "progress_line.hpp"
#include "signals.hpp"

#include "maintain/demo.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <limits>

namespace pk::cli {

namespace {

struct DemoCliOptions {
  int targets = 12;
  int days = 30;
  std::string interval = "1s";
  std::string seed = "1";
  std::string prefix = "demo";
};

using Clock = std::chrono::steady_clock;

// A seed: a whole number from 0 to 2^64 - 1 (CLI11 would wrap "-1" around).
Expected<std::uint64_t> parse_seed(const std::string& text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return invalid_input(fmt::format("invalid value \"{}\" for --seed: expected a whole number from 0 to {}", text,
                                     std::numeric_limits<std::uint64_t>::max()));
  }
  return value;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The progress line's text.
std::string progress_text(const maintain::DemoProgress& p, Clock::time_point start) {
  if (!p.rollup_stage.empty()) {
    return fmt::format("demo: building rollups: {} ({:.0f} %)", p.rollup_stage, 100.0 * p.rollup_fraction);
  }
  const double pct = p.total > 0 ? 100.0 * static_cast<double>(p.committed) / static_cast<double>(p.total) : 100.0;
  const double rate = static_cast<double>(p.committed) / std::max(1e-3, seconds_since(start));
  return fmt::format("demo: {} of {} samples written ({:.0f} %), {:.0f} samples/s", p.committed, p.total, pct, rate);
}

nlohmann::ordered_json to_json(const maintain::DemoReport& r, const maintain::DemoOptions& o, double elapsed_s) {
  nlohmann::ordered_json doc;
  std::int64_t outages = 0;
  auto targets = nlohmann::ordered_json::array();
  for (const auto& t : r.targets) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& out : t.outages) {
      list.push_back({{"start", util::format_iso_utc(out.start)},
                      {"end", util::format_iso_utc(out.end)},
                      {"duration_s", std::chrono::duration<double>(out.end - out.start).count()},
                      {"probes", out.probes}});
    }
    outages += static_cast<std::int64_t>(t.outages.size());
    targets.push_back({{"id", t.target.id},
                       {"name", t.target.name},
                       {"host", t.target.host},
                       {"samples", t.samples},
                       {"base_rtt_ms", std::round(t.profile.base_rtt_us) / 1000.0},
                       {"outages", std::move(list)}});
  }
  doc["since"] = util::format_iso_utc(r.start);
  doc["until"] = util::format_iso_utc(r.end);
  doc["interval_s"] = std::chrono::duration<double>(o.interval).count();
  doc["seed"] = o.seed;
  doc["samples"] = r.samples;
  doc["outages"] = outages;
  doc["rollup_rows"] = {
      {"1m", r.rollups.rows_written[1]}, {"1h", r.rollups.rows_written[2]}, {"1d", r.rollups.rows_written[3]}};
  doc["elapsed_s"] = std::round(elapsed_s * 1000.0) / 1000.0;
  doc["targets"] = std::move(targets);
  return doc;
}

void print_report(const Context& ctx, const maintain::DemoReport& r, const maintain::DemoOptions& o, double elapsed_s,
                  const date::time_zone* zone) {
  if (ctx.format() == Format::json) {
    print_json(to_json(r, o, elapsed_s));
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"target", "start", "end", "duration_s", "probes"};
    for (const auto& t : r.targets) {
      for (const auto& out : t.outages) {
        table.rows.push_back({t.target.name, util::format_iso_utc(out.start), util::format_iso_utc(out.end),
                              fmt::format("{:g}", std::chrono::duration<double>(out.end - out.start).count()),
                              std::to_string(out.probes)});
      }
    }
    table.print_csv();
    return;
  }
  if (ctx.quiet) return;
  std::size_t outages = 0;
  for (const auto& t : r.targets) outages += t.outages.size();
  print_fields({
      {"targets", r.targets.size() == 1 ? fmt::format("1 ({}, paused)", r.targets.front().target.name)
                                        : fmt::format("{} ({} .. {}, paused)", r.targets.size(),
                                                      r.targets.front().target.name, r.targets.back().target.name)},
      {"range", fmt::format("{} .. {}", util::format_table_time(r.start, zone), util::format_table_time(r.end, zone))},
      {"interval", util::format_duration(o.interval)},
      {"samples", std::to_string(r.samples)},
      {"outages", std::to_string(outages)},
      {"rollups", fmt::format("{} 1m rows, {} 1h, {} 1d", r.rollups.rows_written[1], r.rollups.rows_written[2],
                              r.rollups.rows_written[3])},
      {"elapsed", fmt::format("{:.1f} s", elapsed_s)},
  });
  fmt::print("\n");
  table.headers = {"TARGET", "BASE_RTT_MS", "SAMPLES", "OUTAGES"};
  for (const auto& t : r.targets) {
    table.rows.push_back({t.target.name, fmt::format("{:.1f}", t.profile.base_rtt_us / 1000.0),
                          std::to_string(t.samples), std::to_string(t.outages.size())});
  }
  table.print_aligned();
  fmt::print("\nTry: pingkeeper stats {0} --since {1}d; pingkeeper downtime {0} --since {1}d (outage times: --json)\n",
             r.targets.front().target.name, o.days);
}

Expected<void> demo(const Context& ctx, const DemoCliOptions& c) {
  const auto t0 = Clock::now();
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto interval = util::parse_duration(c.interval);
  if (!interval) return std::unexpected(interval.error());
  maintain::DemoOptions o;
  o.targets = c.targets;
  o.days = c.days;
  o.interval = *interval;
  auto seed = parse_seed(c.seed);
  if (!seed) return std::unexpected(seed.error());
  o.seed = *seed;
  o.prefix = c.prefix;
  o.zone = *zone;
  o.now = ctx.now;
  // Before the database is opened (and perhaps created): a bad option changes nothing.
  if (auto ok = maintain::validate(o); !ok) return ok;

  const auto& stop = install_stop_signals();
  ProgressLine line(!ctx.quiet && stderr_is_terminal());
  const auto start = Clock::now();
  auto report = maintain::make_demo(ctx.db_file(), o, [&](const maintain::DemoProgress& p) {
    if (line.enabled()) line.show(progress_text(p, start));
    return !stop.load();
  });
  line.clear();
  if (!report) return std::unexpected(report.error());
  print_report(ctx, *report, o, seconds_since(t0), *zone);
  return {};
}

}  // namespace

void register_demo(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "demo", "Create paused demo targets with realistic synthetic history ending now, rolled up (never probed)");
  auto o = std::make_shared<DemoCliOptions>();
  cmd->add_option("--targets", o->targets, "How many targets (1-10000)")->option_text("N")->capture_default_str();
  cmd->add_option("--days", o->days, "Days of history per target (1-3650)")->option_text("D")->capture_default_str();
  cmd->add_option("--interval", o->interval, "Probe interval of the history (1s-1d)")
      ->option_text("I")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed: the same seed gives the same history")
      ->option_text("N")
      ->capture_default_str();
  cmd->add_option("--prefix", o->prefix, "Target names: PREFIX-01, PREFIX-02, ...")
      ->option_text("NAME")
      ->capture_default_str();
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return demo(ctx, *o); }; });
}

}  // namespace pk::cli
