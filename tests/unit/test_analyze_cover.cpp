#include "analyze/aggregate.hpp"
#include "analyze/cover.hpp"
#include "util/time.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using pk::analyze::coarsest_tier;
using pk::analyze::plan_cover;
using pk::analyze::Segment;
using pk::analyze::Tier;
using pk::analyze::TierExtent;
using pk::util::SysMicros;

namespace {

// "2026-03-01T10:00:30" (UTC) as an instant.
SysMicros at(const std::string& text) {
  auto t = pk::util::parse_time_point(text + "Z", SysMicros{}, *pk::util::locate_zone("UTC"));
  REQUIRE_MESSAGE(t.has_value(), text);
  return *t;
}

std::size_t idx(Tier t) { return static_cast<std::size_t>(t); }

// Every tier rolled up to `watermark` (each floored to its own width), nothing pruned.
TierExtent rolled_up_to(SysMicros watermark) {
  TierExtent e;
  e.watermark[idx(Tier::m1)] = pk::analyze::floor_to(watermark, 60s);
  e.watermark[idx(Tier::h1)] = pk::analyze::floor_to(watermark, 1h);
  e.watermark[idx(Tier::d1)] = pk::analyze::floor_to(watermark, 24h);
  return e;
}

std::string show(const std::vector<Segment>& segments) {
  std::string out;
  for (const auto& s : segments) {
    out += std::string(pk::analyze::to_string(s.tier)) + " " + pk::util::format_iso_utc(s.from) + " " +
           pk::util::format_iso_utc(s.to) + "\n";
  }
  return out;
}

Segment seg(Tier tier, const std::string& from, const std::string& to) { return {tier, at(from), at(to)}; }

void expect_plan(const std::vector<Segment>& got, const std::vector<Segment>& want) {
  INFO("got:\n" << show(got) << "want:\n" << show(want));
  CHECK(got == want);
}

}  // namespace

TEST_SUITE_BEGIN("analyze.cover");

TEST_CASE("empty and reversed ranges have no segments") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  CHECK(plan_cover(at("2026-03-01T10:00:00"), at("2026-03-01T10:00:00"), e).empty());
  CHECK(plan_cover(at("2026-03-01T11:00:00"), at("2026-03-01T10:00:00"), e).empty());
}

TEST_CASE("nothing rolled up: one raw segment") {
  TierExtent none;
  expect_plan(plan_cover(at("2026-03-01T10:00:30"), at("2026-03-31T10:00:30"), none),
              {seg(Tier::raw, "2026-03-01T10:00:30", "2026-03-31T10:00:30")});
}

TEST_CASE("a range inside one minute is raw") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  expect_plan(plan_cover(at("2026-03-01T10:00:10"), at("2026-03-01T10:00:50"), e),
              {seg(Tier::raw, "2026-03-01T10:00:10", "2026-03-01T10:00:50")});
  SUBCASE("also a whole minute minus a microsecond") {
    auto from = at("2026-03-01T10:00:00");
    expect_plan(plan_cover(from, from + 60s - 1us, e), {{Tier::raw, from, from + 60s - 1us}});
  }
  SUBCASE("an exact minute is its rollup row") {
    expect_plan(plan_cover(at("2026-03-01T10:00:00"), at("2026-03-01T10:01:00"), e),
                {seg(Tier::m1, "2026-03-01T10:00:00", "2026-03-01T10:01:00")});
  }
}

TEST_CASE("aligned ranges are read from one tier") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  expect_plan(plan_cover(at("2026-03-01T00:00:00"), at("2026-03-31T00:00:00"), e),
              {seg(Tier::d1, "2026-03-01T00:00:00", "2026-03-31T00:00:00")});
  expect_plan(plan_cover(at("2026-03-01T05:00:00"), at("2026-03-01T09:00:00"), e),
              {seg(Tier::h1, "2026-03-01T05:00:00", "2026-03-01T09:00:00")});
}

TEST_CASE("a 30-day unaligned range: raw edges, minutes, hours, days") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  auto plan = plan_cover(at("2026-03-01T10:17:42.5"), at("2026-03-31T08:44:05"), e);
  expect_plan(plan, {
                        seg(Tier::raw, "2026-03-01T10:17:42.5", "2026-03-01T10:18:00"),
                        seg(Tier::m1, "2026-03-01T10:18:00", "2026-03-01T11:00:00"),
                        seg(Tier::h1, "2026-03-01T11:00:00", "2026-03-02T00:00:00"),
                        seg(Tier::d1, "2026-03-02T00:00:00", "2026-03-31T00:00:00"),
                        seg(Tier::h1, "2026-03-31T00:00:00", "2026-03-31T08:00:00"),
                        seg(Tier::m1, "2026-03-31T08:00:00", "2026-03-31T08:44:00"),
                        seg(Tier::raw, "2026-03-31T08:44:00", "2026-03-31T08:44:05"),
                    });
  CHECK(coarsest_tier(plan) == Tier::d1);
}

TEST_CASE("the tail after the watermarks: hours, minutes, then raw") {
  // Rolled up to 10:42 (1m), 10:00 (1h), midnight (1d); the range runs to 10:42:31.
  auto e = rolled_up_to(at("2026-03-05T10:42:00"));
  expect_plan(plan_cover(at("2026-03-03T00:00:00"), at("2026-03-05T10:42:31"), e),
              {
                  seg(Tier::d1, "2026-03-03T00:00:00", "2026-03-05T00:00:00"),
                  seg(Tier::h1, "2026-03-05T00:00:00", "2026-03-05T10:00:00"),
                  seg(Tier::m1, "2026-03-05T10:00:00", "2026-03-05T10:42:00"),
                  seg(Tier::raw, "2026-03-05T10:42:00", "2026-03-05T10:42:31"),
              });
  SUBCASE("a stale 1-minute watermark leaves a longer raw tail") {
    e.watermark[idx(Tier::m1)] = at("2026-03-05T10:30:00");
    expect_plan(plan_cover(at("2026-03-05T09:00:00"), at("2026-03-05T10:42:31"), e),
                {
                    seg(Tier::h1, "2026-03-05T09:00:00", "2026-03-05T10:00:00"),
                    seg(Tier::m1, "2026-03-05T10:00:00", "2026-03-05T10:30:00"),
                    seg(Tier::raw, "2026-03-05T10:30:00", "2026-03-05T10:42:31"),
                });
  }
  SUBCASE("an unaligned watermark counts from the bucket before it") {
    e.watermark[idx(Tier::m1)] = at("2026-03-05T10:30:59");
    expect_plan(plan_cover(at("2026-03-05T10:29:00"), at("2026-03-05T10:32:00"), e),
                {
                    seg(Tier::m1, "2026-03-05T10:29:00", "2026-03-05T10:30:00"),
                    seg(Tier::raw, "2026-03-05T10:30:00", "2026-03-05T10:32:00"),
                });
  }
}

TEST_CASE("coarsest limits the tiers used") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  auto from = at("2026-03-01T10:17:42");
  auto to = at("2026-03-03T08:44:05");
  expect_plan(plan_cover(from, to, e, Tier::h1), {
                                                     seg(Tier::raw, "2026-03-01T10:17:42", "2026-03-01T10:18:00"),
                                                     seg(Tier::m1, "2026-03-01T10:18:00", "2026-03-01T11:00:00"),
                                                     seg(Tier::h1, "2026-03-01T11:00:00", "2026-03-03T08:00:00"),
                                                     seg(Tier::m1, "2026-03-03T08:00:00", "2026-03-03T08:44:00"),
                                                     seg(Tier::raw, "2026-03-03T08:44:00", "2026-03-03T08:44:05"),
                                                 });
  expect_plan(plan_cover(from, to, e, Tier::raw), {{Tier::raw, from, to}});
}

TEST_CASE("pruned raw samples: edges round outwards to the finest kept bucket") {
  auto e = rolled_up_to(at("2026-04-01T00:00:00"));
  e.horizon[idx(Tier::raw)] = at("2026-03-10T00:00:00");
  SUBCASE("a partial minute before the raw horizon becomes its whole 1-minute bucket") {
    expect_plan(plan_cover(at("2026-03-01T10:17:42"), at("2026-03-01T12:30:10"), e),
                {
                    seg(Tier::m1, "2026-03-01T10:17:00", "2026-03-01T11:00:00"),
                    seg(Tier::h1, "2026-03-01T11:00:00", "2026-03-01T12:00:00"),
                    seg(Tier::m1, "2026-03-01T12:00:00", "2026-03-01T12:31:00"),
                });
  }
  SUBCASE("after the raw horizon the edges are exact again") {
    expect_plan(plan_cover(at("2026-03-09T23:59:30"), at("2026-03-10T00:01:30"), e),
                {
                    seg(Tier::m1, "2026-03-09T23:59:00", "2026-03-10T00:01:00"),
                    seg(Tier::raw, "2026-03-10T00:01:00", "2026-03-10T00:01:30"),
                });
  }
  SUBCASE("1-minute rows pruned too: hours") {
    e.horizon[idx(Tier::m1)] = at("2026-03-05T00:00:00");
    expect_plan(plan_cover(at("2026-03-01T10:17:42"), at("2026-03-01T12:30:10"), e),
                {seg(Tier::h1, "2026-03-01T10:00:00", "2026-03-01T13:00:00")});
  }
  SUBCASE("everything but days pruned: a range inside one day is that day") {
    e.horizon[idx(Tier::m1)] = at("2026-03-05T00:00:00");
    e.horizon[idx(Tier::h1)] = at("2026-03-05T00:00:00");
    expect_plan(plan_cover(at("2026-03-01T10:17:42"), at("2026-03-01T12:30:10"), e),
                {seg(Tier::d1, "2026-03-01T00:00:00", "2026-03-02T00:00:00")});
  }
  SUBCASE("an unaligned horizon keeps only whole buckets after it") {
    e.horizon[idx(Tier::m1)] = at("2026-03-01T10:20:30");
    expect_plan(plan_cover(at("2026-03-01T10:20:10"), at("2026-03-01T10:23:00"), e),
                {seg(Tier::h1, "2026-03-01T10:00:00", "2026-03-01T11:00:00")});
  }
}

TEST_CASE("a rounded bucket swallows the finer segments it overlaps") {
  // 1-minute rows up to 10:05, raw pruned before 10:30, hours kept: 10:05 can
  // only be answered by the hour 10:00, which replaces the minutes 10:00-10:05.
  TierExtent e;
  e.watermark[idx(Tier::m1)] = at("2026-03-01T10:05:00");
  e.watermark[idx(Tier::h1)] = at("2026-03-01T12:00:00");
  e.horizon[idx(Tier::raw)] = at("2026-03-01T10:30:00");
  expect_plan(plan_cover(at("2026-03-01T09:58:00"), at("2026-03-01T10:40:00"), e),
              {
                  seg(Tier::m1, "2026-03-01T09:58:00", "2026-03-01T10:00:00"),
                  seg(Tier::h1, "2026-03-01T10:00:00", "2026-03-01T11:00:00"),
              });
}

TEST_CASE("no data at all in part of the range leaves it out") {
  TierExtent e;
  e.horizon[idx(Tier::raw)] = at("2026-03-01T10:30:00");
  expect_plan(plan_cover(at("2026-03-01T10:00:00"), at("2026-03-01T11:00:00"), e),
              {seg(Tier::raw, "2026-03-01T10:30:00", "2026-03-01T11:00:00")});
  CHECK(plan_cover(at("2026-03-01T10:00:00"), at("2026-03-01T10:20:00"), e).empty());
  SUBCASE("--source raw over pruned raw: only the kept part") {
    auto r = rolled_up_to(at("2026-04-01T00:00:00"));
    r.horizon[idx(Tier::raw)] = at("2026-03-01T10:30:00");
    expect_plan(plan_cover(at("2026-03-01T10:00:00"), at("2026-03-01T11:00:00"), r, Tier::raw),
                {seg(Tier::raw, "2026-03-01T10:30:00", "2026-03-01T11:00:00")});
  }
}

TEST_CASE("coarsest_tier") {
  CHECK(coarsest_tier({}) == Tier::raw);
  CHECK(coarsest_tier({seg(Tier::raw, "2026-03-01T10:00:00", "2026-03-01T10:00:10")}) == Tier::raw);
  CHECK(coarsest_tier({seg(Tier::m1, "2026-03-01T10:00:00", "2026-03-01T10:01:00"),
                       seg(Tier::h1, "2026-03-01T11:00:00", "2026-03-01T12:00:00")}) == Tier::h1);
}

// Random ranges over random extents: the plan is ordered, non-overlapping,
// aligned, reads only usable data, and covers every instant of the range
// that some tier holds.
TEST_CASE("property: plans are sound and complete") {
  std::mt19937_64 rng(20260329);
  const auto base = at("2026-03-01T00:00:00");
  auto pick = [&](std::int64_t max_us) { return std::uniform_int_distribution<std::int64_t>(0, max_us)(rng); };
  auto maybe_time = [&](std::int64_t max_us) -> std::optional<SysMicros> {
    if (pick(3) == 0) return std::nullopt;
    auto us = pick(max_us);
    switch (pick(3)) {  // often aligned
      case 0: us -= us % 60'000'000; break;
      case 1: us -= us % 3'600'000'000; break;
      default: break;
    }
    return base + std::chrono::microseconds{us};
  };
  const std::int64_t span = 10LL * 86'400'000'000;
  for (int round = 0; round < 3000; ++round) {
    TierExtent e;
    for (std::size_t t = 1; t < 4; ++t) e.watermark[t] = maybe_time(span);
    for (std::size_t t = 0; t < 4; ++t) e.horizon[t] = maybe_time(span);
    auto a = base + std::chrono::microseconds{pick(span)};
    auto b = a + std::chrono::microseconds{pick(pick(1) == 0 ? 7'200'000'000 : span)};
    auto coarsest = static_cast<Tier>(pick(3));
    auto plan = plan_cover(a, b, e, coarsest);
    INFO("round " << round << "\n" << show(plan));

    auto usable_bucket = [&](Tier tier, SysMicros bucket) {
      auto i = idx(tier);
      auto w = pk::analyze::tier_width(tier);
      return tier <= coarsest && e.watermark[i] && bucket + w <= *e.watermark[i] &&
             (!e.horizon[i] || bucket >= *e.horizon[i]);
    };
    auto raw_usable = [&](SysMicros t) { return !e.horizon[0] || t >= *e.horizon[0]; };
    for (std::size_t k = 0; k < plan.size(); ++k) {
      const auto& s = plan[k];
      REQUIRE(s.from < s.to);
      if (k > 0) REQUIRE(plan[k - 1].to <= s.from);
      if (s.tier == Tier::raw) {
        REQUIRE(s.from >= a);
        REQUIRE(s.to <= b);
        REQUIRE(raw_usable(s.from));
      } else {
        auto w = pk::analyze::tier_width(s.tier);
        REQUIRE(pk::analyze::floor_to(s.from, w) == s.from);
        REQUIRE(pk::analyze::floor_to(s.to, w) == s.to);
        REQUIRE(usable_bucket(s.tier, s.from));
        REQUIRE(usable_bucket(s.tier, s.to - w));
        // Outward rounding only at the range edges.
        REQUIRE(s.from > a - w);
        REQUIRE(s.to < b + w);
      }
    }
    // Every probed instant that some allowed tier holds is covered.
    for (int probe = 0; probe < 20 && a < b; ++probe) {
      auto t = a + std::chrono::microseconds{pick((b - a).count() - 1)};
      bool held = raw_usable(t);
      for (Tier tier : {Tier::m1, Tier::h1, Tier::d1}) {
        held = held || usable_bucket(tier, pk::analyze::floor_to(t, pk::analyze::tier_width(tier)));
      }
      bool covered = false;
      for (const auto& s : plan) covered = covered || (s.from <= t && t < s.to);
      INFO("instant " << pk::util::format_iso_utc(t));
      REQUIRE(covered == held);
    }
  }
}

TEST_CASE("append_plan: a later period's plan never reads what the plan already covers") {
  const SysMicros t0{std::chrono::hours{24 * 20000}};  // a UTC midnight
  std::vector<Segment> plan{{Tier::m1, t0, t0 + 1min}};
  SUBCASE("a segment inside the covered part is dropped") {
    pk::analyze::append_plan(plan, {{Tier::m1, t0, t0 + 1min}});
    CHECK(plan == std::vector<Segment>{{Tier::m1, t0, t0 + 1min}});
  }
  SUBCASE("a rollup segment running past it starts at its end") {
    pk::analyze::append_plan(plan, {{Tier::m1, t0, t0 + 5min}, {Tier::raw, t0 + 5min, t0 + 5min + 7s}});
    CHECK(plan == std::vector<Segment>{{Tier::m1, t0, t0 + 1min},
                                       {Tier::m1, t0 + 1min, t0 + 5min},
                                       {Tier::raw, t0 + 5min, t0 + 5min + 7s}});
  }
  SUBCASE("a coarser segment starts at its next bucket") {
    pk::analyze::append_plan(plan, {{Tier::h1, t0, t0 + 3h}});
    CHECK(plan == std::vector<Segment>{{Tier::m1, t0, t0 + 1min}, {Tier::h1, t0 + 1h, t0 + 3h}});
  }
  SUBCASE("raw samples start exactly at its end") {
    plan = {{Tier::raw, t0, t0 + 10s}};
    pk::analyze::append_plan(plan, {{Tier::raw, t0 + 5s, t0 + 20s}});
    CHECK(plan == std::vector<Segment>{{Tier::raw, t0, t0 + 10s}, {Tier::raw, t0 + 10s, t0 + 20s}});
  }
  SUBCASE("disjoint plans are appended as they are; an empty plan takes all") {
    pk::analyze::append_plan(plan, {{Tier::raw, t0 + 2min, t0 + 3min}});
    CHECK(plan.back() == Segment{Tier::raw, t0 + 2min, t0 + 3min});
    std::vector<Segment> empty;
    pk::analyze::append_plan(empty, plan);
    CHECK(empty == plan);
  }
}

TEST_SUITE_END();
