#include "maintain/clock_guard.hpp"

#include "analyze/source.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

namespace pk::maintain {

ClockCheck judge_clock(util::SysMicros clock, std::optional<util::SysMicros> newest) {
  ClockCheck c;
  c.clock = clock;
  c.newest = newest;
  c.now = clock;
  if (newest) {
    c.now = std::min(clock, *newest + k_clock_margin);
    c.far_ahead = clock - *newest > k_clock_refuse;
  }
  return c;
}

Expected<ClockCheck> check_clock(const store::Database& db, util::SysMicros clock) {
  auto newest = store::samples::newest(db);
  if (!newest) return std::unexpected(newest.error());
  for (auto tier : {analyze::Tier::m1, analyze::Tier::h1, analyze::Tier::d1}) {
    if (*newest) break;
    auto end = store::rollups::newest_end(db, tier);
    if (!end) return std::unexpected(end.error());
    *newest = *end;
  }
  return judge_clock(clock, *newest);
}

Error clock_refusal(const ClockCheck& check) {
  return Error{ErrorKind::invalid_input,
               fmt::format("the clock ({}) is {} past the newest stored data ({}): pruning and rolling up by it "
                           "could delete data that is not old. If the clock is right (collection stopped that long "
                           "ago), run maintenance with the clock trusted",
                           util::format_iso_utc(check.clock),
                           util::format_duration(check.clock - check.newest.value_or(check.clock)),
                           check.newest ? util::format_iso_utc(*check.newest) : std::string("none"))};
}

}  // namespace pk::maintain
