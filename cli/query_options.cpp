#include "query_options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

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
  util::SysMicros until = ctx.now;
  if (o.until) {
    auto t = util::parse_time_point(*o.until, ctx.now, *zone);
    if (!t) return std::unexpected(t.error());
    until = *t;
  }
  util::SysMicros since = ctx.now - default_since;
  if (o.last) {
    auto d = util::parse_duration(*o.last);
    if (!d) return std::unexpected(d.error());
    if (*d <= util::Micros{}) return invalid_input("--last must be more than 0");
    since = ctx.now - *d;
  }
  if (o.since) {
    auto t = util::parse_time_point(*o.since, ctx.now, *zone);
    if (!t) return std::unexpected(t.error());
    since = *t;
  }
  if (since >= until) return invalid_input("--since must be before --until");
  return std::pair{since, until};
}

Expected<std::vector<core::Target>> resolve_targets(const store::Database& db, const std::vector<std::string>& refs,
                                                    const std::optional<core::Job>& job) {
  if (!refs.empty()) {
    auto found = store::targets::find_all(db, refs);
    if (!found || !job) return found;
    for (const auto& t : *found) {
      bool member = std::any_of(job->targets.begin(), job->targets.end(), [&](const auto& m) { return m.id == t.id; });
      if (!member) return invalid_input(fmt::format("target {} is not in job {}", t.name, job->name));
    }
    return found;
  }
  if (!job) return store::targets::list(db);
  std::vector<std::string> ids;
  for (const auto& m : job->targets) ids.push_back(std::to_string(m.id));
  return store::targets::find_all(db, ids);
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
