#pragma once

#include "core/window.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace pk::analyze {

// The calendar periods `stats --by` splits a range into.
enum class Period { hour, day };

// "1h" -> hour, "1d" -> day; anything else is invalid_input naming the text.
Expected<Period> parse_period(std::string_view text);
std::string_view to_string(Period period);  // "1h", "1d"

// Splits [from, to) at the starts of the local hours or days of `zone`, in
// order; the first and last pieces are clipped to the range. A local day runs
// from one local midnight to the next, so a day with a DST change lasts 23 or
// 25 hours (a midnight inside a DST gap starts the day when the gap ends). A
// local hour starts when the wall clock shows HH:00:00 (or when a DST gap
// that swallowed that time ends); where offsets are whole hours every hour
// lasts 3600 s, across DST changes too (the repeated hour of a fall-back
// comes twice). Empty when from >= to. `zone` must not be null.
std::vector<core::Interval> calendar_buckets(util::SysMicros from, util::SysMicros to, Period by,
                                             const date::time_zone* zone);

}  // namespace pk::analyze
