#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace pk::util {

// Stored and exchanged instants are integer microseconds since the Unix epoch,
// UTC: 64 bits cover ±292,000 years, and µs is finer than any RTT we measure.
// Intervals and timeouts are scheduled on the steady clock instead (not here).
using SysMicros = std::chrono::sys_time<std::chrono::microseconds>;

// Wall-clock now, truncated to microseconds.
SysMicros now_utc();

inline std::int64_t to_epoch_us(SysMicros t) { return t.time_since_epoch().count(); }
inline SysMicros from_epoch_us(std::int64_t us) { return SysMicros{std::chrono::microseconds{us}}; }

// Finds an IANA zone ("Europe/Berlin", "UTC"). Error invalid_input names it.
Expected<const date::time_zone*> locate_zone(std::string_view name);

// The machine's zone: $TZ if it names a known zone, else /etc/localtime, else UTC.
const date::time_zone* local_zone();

// "2026-11-22T09:00:00Z", with ".ffffff" only when the instant has a fraction
// of a second. The JSON form of every time.
std::string format_iso_utc(SysMicros t);

// "2026-11-22T10:00:00+01:00" in the given zone (fraction as format_iso_utc;
// historic offsets with seconds, such as LMT, print as "+00:53:28").
std::string format_iso_local(SysMicros t, const date::time_zone* zone);
// The same text for a known UTC offset (see util::LocalClock).
std::string format_iso_offset(SysMicros t, std::chrono::seconds offset);

// "2026-11-22 10:00:00 CET" in the given zone, with the zone's abbreviation:
// the human table form, truncated to the second; with `millis`,
// "2026-11-22 10:00:00.250 CET".
std::string format_table_time(SysMicros t, const date::time_zone* zone, bool millis = false);

// Parses a point in time (CLI.md "Time and duration syntax"):
//  - ISO 8601 date or date-time: "2026-11-22", "2026-11-22T09:00",
//    "2026-11-22T09:00:30.5", "2026-11-22 09:00"; with an offset "Z",
//    "+01:00", "+0100" it is absolute; without, it is wall time in `zone`
//    (a time in a DST gap moves forward to the instant the gap ends, so
//    02:30 on a 02:00->03:00 day is 03:00; an ambiguous time takes the earlier
//    instant). Seconds are optional, and after them a fraction of 1-9 digits
//    ("." or ","); digits beyond microseconds are truncated. Offsets may also
//    be "+01"; "z" and "t" may be lower case. A date alone is local midnight.
//  - "now"; "today" / "yesterday": local midnight in `zone` of that day
//    (case-insensitive; a midnight in a DST gap is the end of the gap).
//  - "-24h" or "24h": that duration before `now`; "+2h": after `now`
//    (parse_duration syntax).
// No white space around the text. `zone` must not be null.
// Errors are invalid_input and quote the text with the accepted forms.
Expected<SysMicros> parse_time_point(std::string_view text, SysMicros now, const date::time_zone* zone);

}  // namespace pk::util
