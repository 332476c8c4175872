#include "analyze/source.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <limits>

using namespace std::chrono_literals;
using pk::analyze::choose_tier;
using pk::analyze::Tier;
using pk::analyze::tier_points;
using pk::analyze::tier_width;
using pk::analyze::to_string;
using pk::util::Micros;

namespace {

constexpr Micros k_day = 24h;
constexpr std::array<bool, 4> k_all{true, true, true, true};

// Availability with one tier switched off.
std::array<bool, 4> without(Tier tier) {
  auto a = k_all;
  a[static_cast<std::size_t>(tier)] = false;
  return a;
}

}  // namespace

TEST_SUITE_BEGIN("analyze");

TEST_CASE("source: tier names and widths") {
  CHECK(to_string(Tier::raw) == "raw");
  CHECK(to_string(Tier::m1) == "1m");
  CHECK(to_string(Tier::h1) == "1h");
  CHECK(to_string(Tier::d1) == "1d");
  CHECK(tier_width(Tier::raw) == 0s);
  CHECK(tier_width(Tier::m1) == 60s);
  CHECK(tier_width(Tier::h1) == 3600s);
  CHECK(tier_width(Tier::d1) == 86400s);
}

TEST_CASE("source: points per tier") {
  CHECK(tier_points(Tier::raw, 1h, 1s) == 3600);
  CHECK(tier_points(Tier::m1, 1h, 1s) == 60);
  CHECK(tier_points(Tier::h1, 30 * k_day, 1s) == 720);
  CHECK(tier_points(Tier::d1, 365 * k_day, 1s) == 365);
  CHECK(tier_points(Tier::h1, 90min, 1s) == 1);  // rounded down
  // A rollup is never finer than the raw data it summarises.
  CHECK(tier_points(Tier::m1, 1h, 300s) == 12);
  CHECK(tier_points(Tier::raw, 1h, 300s) == 12);
  // Unknown raw interval: raw is as fine as needed; rollups unaffected.
  CHECK(tier_points(Tier::raw, 1h, 0s) == std::numeric_limits<std::int64_t>::max());
  CHECK(tier_points(Tier::m1, 1h, 0s) == 60);
  // Empty or negative range.
  CHECK(tier_points(Tier::raw, 0s, 1s) == 0);
  CHECK(tier_points(Tier::m1, -1h, 1s) == 0);
}

TEST_CASE("source: 800 points from 1 s raw data") {
  CHECK(choose_tier(1h, 800, 1s) == Tier::raw);              // 60 one-minute rows are too few
  CHECK(choose_tier(1 * k_day, 800, 1s) == Tier::m1);        // 1440 minutes, 24 hours
  CHECK(choose_tier(7 * k_day, 800, 1s) == Tier::m1);        // 168 hours are too few
  CHECK(choose_tier(30 * k_day, 800, 1s) == Tier::m1);       // 720 hours are too few
  CHECK(choose_tier(365 * k_day, 800, 1s) == Tier::h1);      // 8760 hours, 365 days
  CHECK(choose_tier(3 * 365 * k_day, 800, 1s) == Tier::d1);  // 1095 days
}

TEST_CASE("source: the point count boundary is inclusive") {
  CHECK(choose_tier(800h, 800, 1s) == Tier::h1);
  CHECK(choose_tier(800h - 1us, 800, 1s) == Tier::m1);
  CHECK(choose_tier(800min, 800, 1s) == Tier::m1);
  CHECK(choose_tier(800min - 1us, 800, 1s) == Tier::raw);
  CHECK(choose_tier(800 * k_day, 800, 1s) == Tier::d1);
}

TEST_CASE("source: fewer points wanted picks coarser tiers") {
  CHECK(choose_tier(30 * k_day, 30, 1s) == Tier::d1);
  CHECK(choose_tier(30 * k_day, 31, 1s) == Tier::h1);
  CHECK(choose_tier(1h, 60, 1s) == Tier::m1);
  CHECK(choose_tier(1h, 0, 1s) == Tier::d1);  // 0 wanted: coarsest
}

TEST_CASE("source: unavailable tiers are skipped") {
  CHECK(choose_tier(365 * k_day, 800, 1s, without(Tier::h1)) == Tier::m1);
  CHECK(choose_tier(3 * 365 * k_day, 800, 1s, without(Tier::d1)) == Tier::h1);
  CHECK(choose_tier(1 * k_day, 800, 1s, without(Tier::m1)) == Tier::raw);
  CHECK(choose_tier(365 * k_day, 800, 1s, {true, false, false, true}) == Tier::raw);
  // Raw pruned: a range that needs raw falls back to the finest rollup left.
  CHECK(choose_tier(10min, 800, 1s, without(Tier::raw)) == Tier::m1);
  CHECK(choose_tier(10min, 800, 1s, {false, false, true, true}) == Tier::h1);
  // Nothing available: raw.
  CHECK(choose_tier(1h, 800, 1s, {false, false, false, false}) == Tier::raw);
}

TEST_CASE("source: falls back to raw when even raw gives too few points") {
  CHECK(choose_tier(10min, 800, 1s) == Tier::raw);  // 600 raw samples
  CHECK(choose_tier(1h, 800, 60s) == Tier::raw);    // 60 raw samples
  CHECK(choose_tier(0s, 800, 1s) == Tier::raw);
  CHECK(choose_tier(-1h, 800, 1s) == Tier::raw);
}

TEST_CASE("source: the real raw interval matters") {
  // 60 s probes: a day has 1440 raw rows; the 1m rollup has as many, and is coarsest.
  CHECK(choose_tier(1 * k_day, 800, 60s) == Tier::m1);
  // 5 min probes: a day has 288 rows in raw and in 1m (never finer than raw).
  CHECK(choose_tier(1 * k_day, 288, 300s) == Tier::m1);
  CHECK(choose_tier(1 * k_day, 289, 300s) == Tier::raw);
  // 100 ms probes give enough raw points over 2 min.
  CHECK(choose_tier(2min, 800, 100ms) == Tier::raw);
  // Unknown interval: raw always qualifies.
  CHECK(choose_tier(1min, 800, 0s) == Tier::raw);
}

TEST_SUITE_END();
