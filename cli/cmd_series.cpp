#include "context.hpp"
#include "output.hpp"
#include "query_options.hpp"

#include "query/series.hpp"
#include "store/targets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cctype>
#include <memory>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

struct SeriesOptions {
  std::string target;
  RangeOptions range;
  std::int64_t points = static_cast<std::int64_t>(query::k_default_points);
  std::string metric = "avg";
};

void print_series(const Context& ctx, const query::Series& s, const date::time_zone* zone) {
  auto doc = query::to_json(s);
  if (ctx.format() == Format::json) {
    print_json(doc);
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"time", "value"};
    for (const auto& p : doc["points"])
      table.rows.push_back({cell(p["time"], Format::csv), cell(p["value"], Format::csv)});
    table.print_csv();
    return;
  }
  const bool loss = s.metric == query::Metric::loss;
  table.headers = {"TIME", fmt::format("{}_{}", query::to_string(s.metric), loss ? "%" : "MS")};
  for (auto& c : table.headers[1]) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    table.rows.push_back(
        {util::format_table_time(s.points[i].time, zone), fixed(doc["points"][i]["value"], loss ? 2 : 3)});
  }
  table.print_aligned();
}

Expected<void> series(const Context& ctx, const SeriesOptions& o) {
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto range = parse_range(ctx, o.range, 24h);
  if (!range) return std::unexpected(range.error());
  auto metric = query::parse_metric(o.metric);
  if (!metric) return std::unexpected(metric.error());
  if (o.points < 1 || o.points > static_cast<std::int64_t>(query::k_max_points)) {
    return invalid_input(fmt::format("--points must be between 1 and {}", query::k_max_points));
  }
  return with_target(ctx, o.target, [&](query::Reader& reader, const core::Target& target) -> Expected<void> {
    auto s = query::series(reader, target, {range->first, range->second, static_cast<std::size_t>(o.points), *metric});
    if (!s) return std::unexpected(s.error());
    print_series(ctx, *s, *zone);
    return {};
  });
}

}  // namespace

void register_series(CLI::App& app, Context& ctx) {
  auto* cmd =
      app.add_subcommand("series", "A metric over time in at most --points points (default: the last 24 hours)");
  auto o = std::make_shared<SeriesOptions>();
  cmd->add_option("T", o->target, "Target name or id")->required();
  add_range_options(*cmd, o->range, "24h");
  cmd->add_option("--points", o->points, "At most this many points (default 800)")->option_text("N");
  cmd->add_option("--metric", o->metric, "What each point shows (default avg)")
      ->option_text("avg|min|max|median|p95|p99|jitter|loss");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return series(ctx, *o); }; });
}

}  // namespace pk::cli
