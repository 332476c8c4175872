#include "analyze/calendar.hpp"

#include "util/duration.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace pk::analyze {

namespace {

using namespace std::chrono_literals;

// The local wall time of t, and how far it is past the local hour.
util::Micros past_local_hour(util::SysMicros t, const date::time_zone* zone) {
  auto local = zone->to_local(t);
  return local - date::floor<std::chrono::hours>(local);
}

util::SysMicros day_start(date::local_days day, const date::time_zone* zone) {
  return util::SysMicros{zone->to_sys(day, date::choose::earliest)};
}

// The first bucket start after `start` (a bucket start itself).
util::SysMicros next_start(util::SysMicros start, Period by, const date::time_zone* zone) {
  if (by == Period::day) {
    return day_start(date::floor<date::days>(zone->to_local(start)) + date::days{1}, zone);
  }
  // The next wall-clock hour; a whole real hour later where it is one (so the
  // repeated hour of a fall-back comes twice).
  auto next = start + 1h;
  if (past_local_hour(next, zone) == util::Micros::zero()) return next;
  auto local = date::floor<std::chrono::hours>(zone->to_local(start)) + 1h;
  auto wall = util::SysMicros{zone->to_sys(local, date::choose::earliest)};
  return wall > start ? wall : next;  // always moves forward
}

// The bucket start at or before t.
util::SysMicros start_of(util::SysMicros t, Period by, const date::time_zone* zone) {
  if (by == Period::hour) return t - past_local_hour(t, zone);
  return day_start(date::floor<date::days>(zone->to_local(t)), zone);
}

}  // namespace

Expected<Period> parse_period(std::string_view text) {
  if (text == "1h") return Period::hour;
  if (text == "1d") return Period::day;
  return invalid_input(fmt::format("invalid period \"{}\": expected 1h or 1d", text));
}

std::string_view to_string(Period period) { return period == Period::hour ? "1h" : "1d"; }

std::vector<core::Interval> calendar_buckets(util::SysMicros from, util::SysMicros to, Period by,
                                             const date::time_zone* zone) {
  std::vector<core::Interval> out;
  if (from >= to) return out;
  for (auto start = start_of(from, by, zone); start < to;) {
    auto next = next_start(start, by, zone);
    core::Interval piece{std::max(start, from), std::min(next, to)};
    if (piece.begin < piece.end) out.push_back(piece);
    start = next;
  }
  return out;
}

}  // namespace pk::analyze
