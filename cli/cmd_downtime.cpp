#include "context.hpp"
#include "output.hpp"
#include "query_options.hpp"

#include "query/downtime.hpp"
#include "store/targets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

struct DowntimeOptions {
  std::string target;
  RangeOptions range;
  std::string min_duration = "30s";
};

void print_report(const Context& ctx, const query::DowntimeReport& r, const date::time_zone* zone) {
  if (ctx.format() == Format::json) {
    print_json(query::to_json(r));
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"target", "start", "end", "duration_ms", "probes", "ongoing"};
    for (const auto& p : r.periods) {
      auto j = query::to_json(p);
      table.rows.push_back({r.target, cell(j["start"], Format::csv), cell(j["end"], Format::csv),
                            cell(j["duration_ms"], Format::csv), cell(j["probes"], Format::csv),
                            cell(j["ongoing"], Format::csv)});
    }
    table.print_csv();
    return;
  }
  table.headers = {"START", "END", "DURATION", "PROBES", "ONGOING"};
  for (const auto& p : r.periods) {
    table.rows.push_back({util::format_table_time(p.start, zone), util::format_table_time(p.end, zone),
                          util::format_duration(std::chrono::round<std::chrono::milliseconds>(p.duration())),
                          std::to_string(p.probes), p.ongoing ? "yes" : "no"});
  }
  if (!table.rows.empty()) table.print_aligned();
  note(ctx.quiet,
       fmt::format("{}: {} period{} of downtime, {} down, availability {:.3f} % ({} to {})", r.target, r.periods.size(),
                   r.periods.size() == 1 ? "" : "s",
                   util::format_duration(std::chrono::round<std::chrono::seconds>(r.total())), r.availability_pct(),
                   util::format_table_time(r.from, zone), util::format_table_time(r.to, zone)));
}

Expected<void> downtime(const Context& ctx, const DowntimeOptions& o) {
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto range = parse_range(ctx, o.range, 24h);
  if (!range) return std::unexpected(range.error());
  auto min_duration = util::parse_duration(o.min_duration);
  if (!min_duration) return std::unexpected(min_duration.error());
  return with_target(ctx, o.target, [&](query::Reader& reader, const core::Target& target) -> Expected<void> {
    auto report = query::downtime(reader, target, range->first, range->second, *min_duration);
    if (!report) return std::unexpected(report.error());
    print_report(ctx, *report, *zone);
    return {};
  });
}

}  // namespace

void register_downtime(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("downtime", "Periods when a target did not answer (default: the last 24 hours)");
  auto o = std::make_shared<DowntimeOptions>();
  cmd->add_option("T", o->target, "Target name or id")->required();
  add_range_options(*cmd, o->range, "24h");
  cmd->add_option("--min-duration", o->min_duration, "Shortest run of losses counted (default 30s)")->option_text("D");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return downtime(ctx, *o); }; });
}

}  // namespace pk::cli
