#include "query_options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace pk::cli {

void add_range_options(CLI::App& cmd, RangeOptions& o, const std::string& default_since) {
  cmd.add_option("--since", o.since,
                 "From this time (e.g. -1h, 7d, today, 2026-11-22T09:00; default " + default_since + " ago)")
      ->option_text("TIME");
  auto* until = cmd.add_option("--until", o.until, "Before this time (default: now)")->option_text("TIME");
  cmd.add_option("--last", o.last, "The last D up to now: --last 24h is --since -24h")
      ->option_text("D")
      ->excludes("--since")
      ->excludes(until);
}

Expected<std::pair<util::SysMicros, util::SysMicros>> parse_range(const Context& ctx, const RangeOptions& o,
                                                                  util::Micros default_since) {
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  return query::parse_range(o, ctx.now, *zone, default_since);
}

std::string cell(const core::Json& value, Format format) {
  if (value.is_null()) return format == Format::csv ? "" : "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string fixed(const core::Json& value, int decimals) {
  if (value.is_null()) return "-";
  return fmt::format("{:.{}f}", value.get<double>(), decimals);
}

}  // namespace pk::cli
