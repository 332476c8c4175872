#pragma once

#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace pk::core {

// One weekly rule: on the days in `days` (bit 0 = Monday ... bit 6 = Sunday),
// from local wall time `start_min` to `end_min` (minutes after midnight,
// 0..1440). When end_min <= start_min the window runs overnight and ends on
// the next day ("22:00-06:00"); "00:00-24:00" is the whole day.
struct WindowRule {
  std::uint8_t days = 0;
  int start_min = 0;
  int end_min = 0;
  friend bool operator==(const WindowRule&, const WindowRule&) = default;
};

// A half-open span of instants [begin, end).
struct Interval {
  util::SysMicros begin;
  util::SysMicros end;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Weekly windows such as "mon-fri 09:00-17:00; sat 10:00-12:00", evaluated in
// an IANA time zone. An empty schedule means "always open".
//
// DST: an instant is inside a rule occurrence exactly when the local wall
// clock at that instant shows a time within [start, end) of that occurrence.
// So "mon-fri 09:00-17:00" is always 09:00 to 17:00 on the wall clock, and a
// window across a DST change is an hour shorter or longer in real time; a
// start inside a spring-forward gap opens when the gap ends; a window inside
// the repeated hour of a fall-back happens twice that night; an occurrence
// entirely inside a gap is empty. The `zone` passed to the evaluation
// functions must not be null.
class WeeklySchedule {
 public:
  WeeklySchedule() = default;

  // Grammar, case-insensitive, white space around tokens ignored:
  //   schedule := "" | rule (";" rule)*
  //   rule     := [days " "] HH:MM "-" HH:MM      (days omitted = every day)
  //   days     := dayspec ("," dayspec)*
  //   dayspec  := day | day "-" day | "daily" | "weekdays" | "weekends"
  //   day      := mon|tue|wed|thu|fri|sat|sun (also full English names)
  // A range may wrap ("fri-mon"). HH 00-23 (24:00 allowed as an end only),
  // MM 00-59. Start equal to end is rejected unless it is 00:00-24:00.
  // Errors are invalid_input: `invalid window "...": <why>; expected e.g.
  // "mon-fri 09:00-17:00; sat 10:00-12:00"`.
  static Expected<WeeklySchedule> parse(std::string_view spec);

  // Canonical text that parse() accepts and that round-trips:
  // "mon-fri 09:00-17:00; sat 10:00-12:00". Rules keep their order; days are
  // "daily" for all seven, else runs from Monday's, 3+ days as a range
  // ("fri-mon"), two as "sat,sun". Empty when always open.
  std::string to_string() const;

  bool always_open() const { return m_rules.empty(); }
  const std::vector<WindowRule>& rules() const { return m_rules; }

  // Is instant t inside one of the windows (always true when always_open)?
  bool contains(util::SysMicros t, const date::time_zone* zone) const;

  // The windows overlapping [from, to), merged where they touch or overlap,
  // clipped to [from, to), in order. always_open gives one [from, to); an
  // empty or reversed range gives none. Work is linear in the days covered.
  std::vector<Interval> intervals(util::SysMicros from, util::SysMicros to, const date::time_zone* zone) const;

  // The first instant > t at which a window opens (a closed period ends).
  // nullopt when always open (nothing ever opens), also when the rules cover
  // all time ("daily 00:00-24:00").
  std::optional<util::SysMicros> next_open(util::SysMicros t, const date::time_zone* zone) const;

  // The first instant > t at which a window closes: the end of the merged
  // window containing t, or of the next one. nullopt when always open, also
  // when the rules cover all time.
  std::optional<util::SysMicros> next_close(util::SysMicros t, const date::time_zone* zone) const;

 private:
  std::vector<WindowRule> m_rules;
};

}  // namespace pk::core
