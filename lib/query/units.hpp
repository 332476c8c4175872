#pragma once

#include "core/json.hpp"
#include "util/duration.hpp"

#include <cstdint>
#include <optional>

// How query results print their numbers, the same in JSON, tables and CSV.
namespace pk::query {

// µs -> ms with microsecond precision (12345.678 µs -> 12.346); null for nullopt.
core::Json ms_json(std::optional<double> us);
// A percentage rounded to 4 decimals; null for nullopt.
core::Json pct_json(std::optional<double> pct);
// A duration in whole milliseconds, rounded to nearest.
std::int64_t round_ms(util::Micros d);

}  // namespace pk::query
