#include "query/downtime.hpp"
#include "query/loss_units.hpp"
#include "query_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

// Six hours at 2 s, single losses every 1,001 probes, a 40 s outage at
// 03:00:30, and no samples 04:30:00-04:30:20 (a paused collector).
struct Fixture {
  test::QueryDb f;
  std::vector<core::Sample> samples;

  Fixture() {
    test::History h;
    h.length = 6h;
    h.random_loss = 0;
    h.lost = {{3h + 30s, 3h + 70s}};
    h.silent = {{4h + 30min, 4h + 30min + 20s}};
    for (int i = 0; i < 6 * 1800; i += 1001) h.lost.push_back({2s * i, 2s * i + 1s});
    samples = h.samples(f.target.id);
    f.insert(samples);
    f.roll_up(samples, k_monday + 6h);
  }

  std::vector<query::LossUnit> units(const core::Target& target, util::Micros min_duration = 30s) {
    auto reader = f.reader();
    auto u = query::loss_units(reader, target, k_monday, k_monday + 6h, min_duration);
    REQUIRE(u);
    return *u;
  }
};

bool covers(const std::vector<query::LossUnit>& units, util::SysMicros t) {
  return std::any_of(units.begin(), units.end(), [&](const auto& u) { return u.raw && u.from <= t && t < u.to; });
}

}  // namespace

TEST_SUITE_BEGIN("query.loss_units");

TEST_CASE("regular hours: single losses are left out, the outage is read") {
  Fixture x;
  auto u = x.units(x.f.target);
  CHECK(covers(u, k_monday + 3h + 30s));             // the outage's minute
  CHECK_FALSE(covers(u, k_monday + 2s * 1001 * 2));  // 01:06:44, a single loss in a regular hour
  CHECK_FALSE(covers(u, k_monday + 2s * 1001 * 5));  // 02:46:50
  // The first and last hours have only one neighbour: read.
  CHECK(covers(u, k_monday));                   // the loss at 00:00:00
  CHECK(covers(u, k_monday + 2s * 1001 * 10));  // 05:33:40
  // The hour with the pause holds fewer samples: read (04:26:56 is in it), and
  // so are the losses of its neighbours (03:20:12).
  CHECK(covers(u, k_monday + 2s * 1001 * 8));
  CHECK(covers(u, k_monday + 2s * 1001 * 6));
}

TEST_CASE("another interval than the target's, or a short minimum, reads every minute with losses") {
  Fixture x;
  auto fast = x.f.add_target("fast", 1s);
  fast.id = x.f.target.id;  // the same samples, but a 1 s interval configured
  auto u = x.units(fast);
  CHECK(covers(u, k_monday + 2s * 1001 * 2));
  CHECK(covers(u, k_monday + 2s * 1001 * 5));
  auto short_min = x.units(x.f.target, 12s);  // (1 + 3) x 2 x 2 s = 16 s is not < 12 s
  CHECK(covers(short_min, k_monday + 2s * 1001 * 2));
}

TEST_CASE("whatever is left out, the periods are the detector's") {
  Fixture x;
  auto fast = x.f.add_target("fast", 1s);
  fast.id = x.f.target.id;
  for (const auto* target : {&x.f.target, &fast}) {
    for (util::Micros min : {0s, 2s, 30s, 40s, 42s}) {
      auto reader = x.f.reader();
      auto got = query::downtime_periods(reader, *target, k_monday, k_monday + 6h, min);
      REQUIRE(got);
      CHECK(*got == analyze::detect_downtime(x.samples, min, k_monday + 6h));
    }
  }
}

TEST_CASE("where raw samples were pruned, rollup buckets are units") {
  Fixture x;
  x.f.prune_raw(k_monday + 3h);
  auto u = x.units(x.f.target);
  REQUIRE(!u.empty());
  CHECK_FALSE(u.front().raw);
  CHECK(u.front().from == k_monday);
  CHECK(covers(u, k_monday + 3h + 30s));
  CHECK(std::all_of(u.begin(), u.end(), [](const auto& unit) { return unit.raw || unit.to <= k_monday + 3h; }));
}

TEST_SUITE_END();
