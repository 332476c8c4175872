#include "analyze/calendar.hpp"
#include "util/time.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using pk::analyze::calendar_buckets;
using pk::analyze::Period;
using pk::core::Interval;
using pk::util::SysMicros;

namespace {

const date::time_zone* zone(const char* name) {
  auto z = pk::util::locate_zone(name);
  REQUIRE_MESSAGE(z.has_value(), "time zone ", name, " is missing from the tz database");
  return *z;
}

SysMicros at(const std::string& iso) {
  auto t = pk::util::parse_time_point(iso, SysMicros{}, zone("UTC"));
  REQUIRE_MESSAGE(t.has_value(), iso);
  return *t;
}

std::vector<std::chrono::hours> lengths(const std::vector<Interval>& buckets) {
  std::vector<std::chrono::hours> out;
  for (const auto& b : buckets) out.push_back(std::chrono::duration_cast<std::chrono::hours>(b.end - b.begin));
  return out;
}

// Every piece follows the previous one without a gap and the range is covered.
void expect_tiling(const std::vector<Interval>& buckets, SysMicros from, SysMicros to) {
  REQUIRE(!buckets.empty());
  CHECK(buckets.front().begin == from);
  CHECK(buckets.back().end == to);
  for (std::size_t i = 1; i < buckets.size(); ++i) CHECK(buckets[i - 1].end == buckets[i].begin);
}

}  // namespace

TEST_SUITE_BEGIN("analyze.calendar");

TEST_CASE("parse_period") {
  CHECK(*pk::analyze::parse_period("1h") == Period::hour);
  CHECK(*pk::analyze::parse_period("1d") == Period::day);
  for (const char* bad : {"", "1m", "2h", "1w", "h", "1H"}) {
    auto p = pk::analyze::parse_period(bad);
    REQUIRE(!p.has_value());
    CHECK(p.error().kind == pk::ErrorKind::invalid_input);
    CHECK(p.error().message == "invalid period \"" + std::string(bad) + "\": expected 1h or 1d");
  }
  CHECK(pk::analyze::to_string(Period::hour) == "1h");
  CHECK(pk::analyze::to_string(Period::day) == "1d");
}

TEST_CASE("empty and reversed ranges") {
  CHECK(calendar_buckets(at("2026-03-01T00:00Z"), at("2026-03-01T00:00Z"), Period::day, zone("UTC")).empty());
  CHECK(calendar_buckets(at("2026-03-02T00:00Z"), at("2026-03-01T00:00Z"), Period::hour, zone("UTC")).empty());
}

TEST_CASE("UTC days, clipped at both ends") {
  auto from = at("2026-03-01T10:30Z");
  auto to = at("2026-03-04T06:00Z");
  auto b = calendar_buckets(from, to, Period::day, zone("UTC"));
  expect_tiling(b, from, to);
  REQUIRE(b.size() == 4);
  CHECK(b[1].begin == at("2026-03-02T00:00Z"));
  CHECK(b[2].begin == at("2026-03-03T00:00Z"));
  CHECK(b[3].begin == at("2026-03-04T00:00Z"));
  SUBCASE("a range of whole days has no partial pieces") {
    auto whole = calendar_buckets(at("2026-03-01T00:00Z"), at("2026-03-03T00:00Z"), Period::day, zone("UTC"));
    CHECK(lengths(whole) == std::vector<std::chrono::hours>{24h, 24h});
  }
}

TEST_CASE("Europe/Berlin days across DST: 23 hours in spring, 25 in autumn") {
  const auto* berlin = zone("Europe/Berlin");
  SUBCASE("2026-03-29: clocks go from 02:00 to 03:00") {
    auto from = at("2026-03-28T00:00+01:00");
    auto to = at("2026-03-31T00:00+02:00");
    auto b = calendar_buckets(from, to, Period::day, berlin);
    expect_tiling(b, from, to);
    CHECK(lengths(b) == std::vector<std::chrono::hours>{24h, 23h, 24h});
    CHECK(b[1].begin == at("2026-03-28T23:00Z"));
    CHECK(b[2].begin == at("2026-03-29T22:00Z"));
  }
  SUBCASE("2026-10-25: clocks go from 03:00 back to 02:00") {
    auto from = at("2026-10-24T00:00+02:00");
    auto to = at("2026-10-27T00:00+01:00");
    auto b = calendar_buckets(from, to, Period::day, berlin);
    expect_tiling(b, from, to);
    CHECK(lengths(b) == std::vector<std::chrono::hours>{24h, 25h, 24h});
    CHECK(b[1].begin == at("2026-10-24T22:00Z"));
    CHECK(b[2].begin == at("2026-10-25T23:00Z"));
  }
  SUBCASE("a range starting mid-day starts at the range, then local midnights") {
    auto from = at("2026-03-29T12:00Z");
    auto b = calendar_buckets(from, at("2026-03-30T12:00Z"), Period::day, berlin);
    REQUIRE(b.size() == 2);
    CHECK(b[0].begin == from);
    CHECK(b[1].begin == at("2026-03-29T22:00Z"));
  }
}

TEST_CASE("a midnight inside a DST gap starts the day when the gap ends") {
  // America/Santiago skipped 2022-09-11 00:00-01:00 (-04 -> -03).
  const auto* santiago = zone("America/Santiago");
  auto b = calendar_buckets(at("2022-09-10T00:00-04:00"), at("2022-09-12T00:00-03:00"), Period::day, santiago);
  REQUIRE(b.size() == 2);
  CHECK(b[1].begin == at("2022-09-11T01:00-03:00"));
  CHECK(lengths(b) == std::vector<std::chrono::hours>{24h, 23h});
}

TEST_CASE("hours: 3600 s each in whole-hour zones, across DST changes too") {
  const auto* berlin = zone("Europe/Berlin");
  auto from = at("2026-10-24T23:20Z");
  auto to = at("2026-10-25T02:10Z");
  auto b = calendar_buckets(from, to, Period::hour, berlin);
  expect_tiling(b, from, to);
  REQUIRE(b.size() == 4);
  // 01:20 CEST .. 02:00 CEST, 02:00 CEST, 02:00 CET (the repeated hour), 03:00 CET .. 03:10.
  CHECK(b[1].begin == at("2026-10-25T00:00Z"));
  CHECK(b[2].begin == at("2026-10-25T01:00Z"));
  CHECK(b[3].begin == at("2026-10-25T02:00Z"));
  CHECK(b[3].end - b[3].begin == 10min);
}

TEST_CASE("hours in a half-hour zone start at :30 UTC") {
  auto b = calendar_buckets(at("2026-03-01T00:00Z"), at("2026-03-01T03:00Z"), Period::hour, zone("Asia/Kolkata"));
  REQUIRE(b.size() == 4);
  CHECK(b[1].begin == at("2026-03-01T00:30Z"));
  CHECK(b[2].begin == at("2026-03-01T01:30Z"));
  CHECK(b[3].begin == at("2026-03-01T02:30Z"));
}

TEST_CASE("hours where the offset moves by half an hour follow the wall clock") {
  // Australia/Lord_Howe: +10:30 -> +11 on 2026-10-04 at 02:00 local (15:30 UTC):
  // local 01:00 lasts until the gap ends at 02:30, the next hour starts at 03:00.
  auto from = at("2026-10-03T14:00Z");
  auto to = at("2026-10-03T17:00Z");
  auto b = calendar_buckets(from, to, Period::hour, zone("Australia/Lord_Howe"));
  expect_tiling(b, from, to);
  REQUIRE(b.size() == 4);
  CHECK(b[1].begin == at("2026-10-03T14:30Z"));
  CHECK(b[2].begin == at("2026-10-03T15:30Z"));
  CHECK(b[3].begin == at("2026-10-03T16:00Z"));
}

TEST_SUITE_END();
