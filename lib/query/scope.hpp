#pragma once

#include "core/job.hpp"
#include "core/target.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace date {
class time_zone;
}

namespace pk::store {
class Database;
}

// What a query covers, as a user writes it: a time range and the targets
// (the CLI's --since / --until / --last and T... / --job, serve's query
// parameters). Both front ends parse through these, so they agree.
namespace pk::query {

// A range as typed: each field is optional.
struct RangeText {
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::optional<std::string> last;  // a duration: [now - last, now)
};

// How the fields are called in error messages ("--since" on the command
// line, "since" in a query string).
struct RangeNames {
  std::string_view since = "--since";
  std::string_view until = "--until";
  std::string_view last = "--last";
};

// [since, until) from the text, times read by util::parse_time_point in
// `zone` relative to `now`: since defaults to `default_since` before now,
// until to now; `last` means since = now - last. invalid_input on bad text,
// a `last` that is not more than 0, or when since is not before until.
Expected<std::pair<util::SysMicros, util::SysMicros>> parse_range(const RangeText& text, util::SysMicros now,
                                                                  const date::time_zone* zone,
                                                                  util::Micros default_since,
                                                                  const RangeNames& names = {});

// The targets a query over several targets asks for (stats, export): the
// given names or ids (each a member of `job` when there is one), else the
// job's targets, else every live target. not_found for an unknown target;
// invalid_input for one outside the job.
Expected<std::vector<core::Target>> resolve_targets(const store::Database& db, const std::vector<std::string>& refs,
                                                    const std::optional<core::Job>& job);

}  // namespace pk::query
