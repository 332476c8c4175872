#pragma once

#include "util/duration.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pk::analyze {

// Where a query reads its data from: raw samples or one of the rollup tiers
// (1-minute, 1-hour, 1-day buckets). Ordered from finest to coarsest; the
// numeric value indexes the `available` array of choose_tier.
enum class Tier { raw = 0, m1 = 1, h1 = 2, d1 = 3 };

// "raw", "1m", "1h", "1d": the `"source"` field of CLI/API output.
std::string_view to_string(Tier tier);

// The bucket width of a rollup tier; zero for raw (its width is the data's
// own probe interval).
util::Micros tier_width(Tier tier);

// How many points `tier` yields over `range`: range / effective interval,
// rounded down, where the effective interval is the tier's width but never
// finer than raw_interval (a 1-minute rollup of 5-minute data has one row per
// 5 minutes). A non-positive raw_interval means "unknown, assume very fine":
// raw then yields as many points as anyone wants. Non-positive range: 0.
std::int64_t tier_points(Tier tier, util::Micros range, util::Micros raw_interval);

// Adaptive source selection (the idea of seed 004's table: < 1 h raw,
// 1-24 h 1-minute, 1-7 d 1-hour, > 7 d daily), but derived from the data
// rather than fixed thresholds: the coarsest tier marked available whose
// tier_points(...) is at least points_wanted. With 1 s raw data and 800
// points wanted: 1 h -> raw (60 one-minute rows are too few), 1 d -> 1m,
// 30 d -> 1m (720 hourly rows are too few), 1 y -> 1h, 3 y -> 1d.
// When no available tier gives enough points, the finest available tier
// (raw, unless raw is unavailable, e.g. pruned); when no tier is marked
// available at all, raw. points_wanted 0 picks the coarsest available tier.
Tier choose_tier(util::Micros range, std::size_t points_wanted, util::Micros raw_interval,
                 const std::array<bool, 4>& available = {true, true, true, true});

}  // namespace pk::analyze
