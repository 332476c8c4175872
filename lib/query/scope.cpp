#include "query/scope.hpp"

#include "store/targets.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::query {

Expected<std::pair<util::SysMicros, util::SysMicros>> parse_range(const RangeText& text, util::SysMicros now,
                                                                  const date::time_zone* zone,
                                                                  util::Micros default_since, const RangeNames& names) {
  util::SysMicros until = now;
  if (text.until) {
    auto t = util::parse_time_point(*text.until, now, zone);
    if (!t) return std::unexpected(t.error());
    until = *t;
  }
  util::SysMicros since = now - default_since;
  if (text.last) {
    auto d = util::parse_duration(*text.last);
    if (!d) return std::unexpected(d.error());
    if (*d <= util::Micros{}) return invalid_input(fmt::format("{} must be more than 0", names.last));
    since = now - *d;
  }
  if (text.since) {
    auto t = util::parse_time_point(*text.since, now, zone);
    if (!t) return std::unexpected(t.error());
    since = *t;
  }
  if (since >= until) return invalid_input(fmt::format("{} must be before {}", names.since, names.until));
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

}  // namespace pk::query
