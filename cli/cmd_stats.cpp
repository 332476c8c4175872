#include "context.hpp"
#include "output.hpp"
#include "query/stats.hpp"
#include "query_options.hpp"

#include "store/jobs.hpp"
#include "store/targets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

struct StatsOptions {
  std::vector<std::string> targets;
  std::optional<std::string> job;
  RangeOptions range;
  std::optional<std::string> by;
  std::string source = "auto";
  std::string min_duration = "30s";
};

void print_stats(const Context& ctx, const std::vector<query::Stats>& rows, bool by, const date::time_zone* zone) {
  if (ctx.format() == Format::json) {
    auto doc = core::Json::array();
    for (const auto& s : rows) doc.push_back(query::to_json(s));
    print_json(doc);
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    const auto shape = query::to_json(query::Stats{});
    for (const auto& [key, value] : shape.items()) table.headers.push_back(key);
    for (const auto& s : rows) {
      const auto j = query::to_json(s);
      auto& row = table.rows.emplace_back();
      for (const auto& [key, value] : j.items()) row.push_back(cell(value, Format::csv));
    }
    table.print_csv();
    return;
  }
  table.headers = {"TARGET",    "SENT",   "LOSS_%", "MIN_MS",    "AVG_MS",  "MAX_MS", "STDDEV_MS",
                   "MEDIAN_MS", "P95_MS", "P99_MS", "JITTER_MS", "AVAIL_%", "MOS",    "SOURCE"};
  if (by) table.headers.insert(table.headers.begin() + 1, "FROM");
  for (const auto& s : rows) {
    auto j = query::to_json(s);
    std::vector<std::string> row{s.target,
                                 cell(j["sent"], Format::table),
                                 fixed(j["loss_pct"], 2),
                                 fixed(j["min_ms"], 3),
                                 fixed(j["avg_ms"], 3),
                                 fixed(j["max_ms"], 3),
                                 fixed(j["stddev_ms"], 3),
                                 fixed(j["median_ms"], 3),
                                 fixed(j["p95_ms"], 3),
                                 fixed(j["p99_ms"], 3),
                                 fixed(j["jitter_ms"], 3),
                                 fixed(j["availability_pct"], 3),
                                 fixed(j["mos"], 2),
                                 std::string(analyze::to_string(s.source))};
    if (by) row.insert(row.begin() + 1, util::format_table_time(s.from, zone));
    table.rows.push_back(std::move(row));
  }
  table.print_aligned();
}

Expected<void> stats(const Context& ctx, const StatsOptions& o) {
  if (auto ok = ctx.reject_bracket_lists("target", o.targets); !ok) return ok;
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  query::StatsQuery q;
  auto range = parse_range(ctx, o.range, 24h);
  if (!range) return std::unexpected(range.error());
  std::tie(q.from, q.to) = *range;
  q.zone = *zone;
  if (o.by) {
    auto by = analyze::parse_period(*o.by);
    if (!by) return std::unexpected(by.error());
    q.by = *by;
  }
  auto source = query::parse_source(o.source);
  if (!source) return std::unexpected(source.error());
  q.options.source = *source;
  auto min_duration = util::parse_duration(o.min_duration);
  if (!min_duration) return std::unexpected(min_duration.error());
  q.options.min_downtime = *min_duration;

  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  if (o.job) {
    auto job = store::jobs::find(*db, *o.job);
    if (!job) return std::unexpected(job.error());
    q.job = std::move(*job);
  }
  auto targets = query::resolve_targets(*db, o.targets, q.job);
  if (!targets) return std::unexpected(targets.error());
  q.targets = std::move(*targets);
  auto reader = query::Reader::open(*db);
  if (!reader) return std::unexpected(reader.error());
  auto rows = query::stats(*reader, q);
  if (!rows) return std::unexpected(rows.error());
  print_stats(ctx, *rows, q.by.has_value(), *zone);
  return {};
}

}  // namespace

void register_stats(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("stats", "Statistics of targets over a time range (default: the last 24 hours)");
  auto o = std::make_shared<StatsOptions>();
  cmd->add_option("T", o->targets, "Target names or ids (default: every target, or the job's)");
  cmd->add_option("--job", o->job, "Count only the samples inside this job's windows (and start/end)")
      ->option_text("J");
  add_range_options(*cmd, o->range, "24h");
  cmd->add_option("--by", o->by, "One row per local hour or day of the display zone")->option_text("1h|1d");
  cmd->add_option("--source", o->source,
                  "auto (raw and exact percentiles for up to 100,000 samples, else rollups), raw, or rollup")
      ->option_text("auto|raw|rollup");
  cmd->add_option("--min-duration", o->min_duration, "Shortest run of losses counted as downtime (default 30s)")
      ->option_text("D");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return stats(ctx, *o); }; });
}

}  // namespace pk::cli
