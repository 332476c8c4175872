#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <optional>

namespace pk::store {
class Database;
}

// Maintenance against a wrong clock: prune and rollup take "now" from the
// clock, so a clock far ahead would delete every raw sample and push rollup
// watermarks into the future. They never move past the newest stored data
// plus a margin, and a clock much further ahead than that is refused.
namespace pk::maintain {

// Maintenance never acts beyond the newest stored data plus this.
inline constexpr util::Micros k_clock_margin = std::chrono::minutes{10};
// A clock this far beyond the newest stored data makes `maintain` refuse.
inline constexpr util::Micros k_clock_refuse = std::chrono::hours{24};

struct ClockCheck {
  util::SysMicros clock{};                     // what the clock says
  std::optional<util::SysMicros> newest;       // the newest stored data (any tier)
  util::SysMicros now{};                       // what maintenance takes as now
  bool far_ahead = false;                      // clock > newest + k_clock_refuse
};

// Pure: now = min(clock, newest + k_clock_margin) (the clock when there is no
// data); far_ahead when the clock is more than k_clock_refuse beyond newest.
ClockCheck judge_clock(util::SysMicros clock, std::optional<util::SysMicros> newest);

// judge_clock against the newest raw sample, or else the end of the newest
// rollup bucket (raw samples may all be pruned).
Expected<ClockCheck> check_clock(const store::Database& db, util::SysMicros clock);

// The refusal of `maintain` for a clock far ahead (invalid_input), naming
// both times and how to override it.
Error clock_refusal(const ClockCheck& check);

}  // namespace pk::maintain
