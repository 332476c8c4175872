#pragma once

#include "context.hpp"

#include "core/job.hpp"
#include "core/json.hpp"
#include "core/target.hpp"
#include "query/reader.hpp"
#include "query/scope.hpp"
#include "store/db.hpp"
#include "store/targets.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

// What the statistics commands (stats, series, downtime, check) share:
// --since / --until and how they print numbers.
namespace pk::cli {

using RangeOptions = query::RangeText;

// Adds --since, --until and --last to `cmd`; `default_since` is shown in the help.
void add_range_options(CLI::App& cmd, RangeOptions& o, const std::string& default_since);

// [since, until) from the options (query::parse_range), read in the display
// zone: --since defaults to `default_since` ago, --until to now.
Expected<std::pair<util::SysMicros, util::SysMicros>> parse_range(const Context& ctx, const RangeOptions& o,
                                                                  util::Micros default_since);

// The common start of downtime, series and check: opens the database, finds
// target `ref` and opens a query::Reader on it, then returns fn(reader, target).
template <typename Fn>
Expected<void> with_target(const Context& ctx, const std::string& ref, Fn&& fn) {
  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  auto target = store::targets::find(*db, ref);
  if (!target) return std::unexpected(target.error());
  auto reader = query::Reader::open(*db);
  if (!reader) return std::unexpected(reader.error());
  return std::forward<Fn>(fn)(*reader, *target);
}

// A JSON value as a table or CSV cell: "" (csv) or "-" (table) for null,
// strings as they are, numbers as JSON writes them.
std::string cell(const core::Json& value, Format format);

// A number with `decimals` decimals, or "-" for null (tables).
std::string fixed(const core::Json& value, int decimals);

}  // namespace pk::cli
