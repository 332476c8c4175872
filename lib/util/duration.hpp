#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pk::util {

using Micros = std::chrono::microseconds;

// Parses a duration: one or more <integer><unit> terms, units us, ms, s, m, h,
// d, w, y (365 days), largest first and each at most once ("250ms", "5s",
// "1h30m", "1w2d", "5y").
// A single term may have a decimal fraction ("1.5s", "0.25h"). A bare "0" is
// zero. Rejects empty text, signs, unknown or repeated units, units out of
// order, fractions finer than a microsecond and values beyond 100 years, with a
// message that quotes the text and shows the expected form.
Expected<Micros> parse_duration(std::string_view text);

// parse_duration of an optional text: nullopt stays nullopt.
Expected<std::optional<Micros>> parse_optional_duration(const std::optional<std::string>& text);

// Formats a duration in the same syntax, largest units first, exact:
// 90 min -> "1h30m", 250 ms -> "250ms", 1500 ms -> "1s500ms", 1825 d -> "5y",
// 0 -> "0s".
// Negative durations get a leading '-'.
std::string format_duration(Micros d);

// Whole milliseconds of a duration (truncated): the unit of *_ms fields.
inline std::int64_t to_ms(Micros d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace pk::util
