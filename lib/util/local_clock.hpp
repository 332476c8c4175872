#pragma once

#include "util/time.hpp"

#include <chrono>
#include <string>

namespace date {
class time_zone;
}

namespace pk::util {

// Local time in one zone for a stream of instants (exports): the zone's
// rule period holding the last instant ([begin, end) with one UTC offset) is
// kept, so a million samples cost a handful of zone lookups, not a million.
class LocalClock {
 public:
  explicit LocalClock(const date::time_zone* zone) : m_zone(zone) {}

  // The zone's UTC offset at t.
  std::chrono::seconds offset(SysMicros t);

  // format_iso_local(t, zone): "2026-11-22T10:00:00.250000+01:00".
  std::string iso(SysMicros t) { return format_iso_offset(t, offset(t)); }

  // The local wall time at t as an Excel serial date: days (and fraction of a
  // day) since 1899-12-30 00:00, the 1900 date system's epoch for every date
  // after 1900-02-28. Exact to the microsecond before rounding to double
  // (about 1 µs resolution for present-day dates).
  double excel_serial(SysMicros t);

 private:
  const date::time_zone* m_zone;
  SysMicros m_begin = SysMicros::max();  // the cached period [m_begin, m_end); empty at first
  SysMicros m_end = SysMicros::min();
  std::chrono::seconds m_offset{};
};

}  // namespace pk::util
