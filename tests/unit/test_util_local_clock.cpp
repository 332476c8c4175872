#include "util/local_clock.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>

using namespace std::chrono_literals;
using pk::util::SysMicros;

namespace {

const date::time_zone* zone(const char* name) {
  auto found = pk::util::locate_zone(name);
  REQUIRE(found.has_value());
  return *found;
}

SysMicros utc(date::year_month_day day, std::chrono::microseconds since_midnight = 0us) {
  return SysMicros{date::sys_days{day}} + since_midnight;
}

}  // namespace

TEST_SUITE_BEGIN("util.local_clock");

TEST_CASE("excel serial dates count days since 1899-12-30 in local wall time") {
  SUBCASE("the Unix epoch in UTC is day 25569") {
    pk::util::LocalClock clock(zone("UTC"));
    CHECK(clock.excel_serial(SysMicros{}) == 25569.0);
  }
  SUBCASE("a Berlin winter time is one hour ahead") {
    pk::util::LocalClock clock(zone("Europe/Berlin"));
    // 2026-11-22 10:00 UTC is 11:00 CET.
    CHECK(clock.excel_serial(utc(date::year{2026} / 11 / 22, 10h)) == doctest::Approx(46348.0 + 11.0 / 24.0));
  }
  SUBCASE("microseconds survive") {
    pk::util::LocalClock clock(zone("UTC"));
    const double a = clock.excel_serial(utc(date::year{2026} / 11 / 22, 10h));
    const double b = clock.excel_serial(utc(date::year{2026} / 11 / 22, 10h + 1ms));
    CHECK((b - a) * 86'400'000.0 == doctest::Approx(1.0).epsilon(0.01));
  }
  SUBCASE("before the epoch") {
    pk::util::LocalClock clock(zone("UTC"));
    CHECK(clock.excel_serial(utc(date::year{1969} / 12 / 31, 12h)) == 25568.5);
  }
}

TEST_CASE("offsets follow DST transitions in both directions, as format_iso_local does") {
  const auto* berlin = zone("Europe/Berlin");
  pk::util::LocalClock clock(berlin);
  // 2026-03-29 01:00 UTC: CET -> CEST; 2026-10-25 01:00 UTC: CEST -> CET.
  const auto spring = utc(date::year{2026} / 3 / 29, 1h);
  const auto autumn = utc(date::year{2026} / 10 / 25, 1h);
  CHECK(clock.offset(spring - 1us) == 1h);
  CHECK(clock.offset(spring) == 2h);
  CHECK(clock.offset(autumn - 1us) == 2h);
  CHECK(clock.offset(autumn) == 1h);
  // Out of order, across several periods: the cache never answers stale.
  for (auto t : {autumn, spring - 1s, autumn + 24h * 100, spring, utc(date::year{1980} / 7 / 1), autumn - 1s}) {
    CHECK(clock.iso(t) == pk::util::format_iso_local(t, berlin));
  }
  CHECK(clock.iso(utc(date::year{2026} / 11 / 22, 10h + 250ms)) == "2026-11-22T11:00:00.250000+01:00");
}

TEST_CASE("zones without transitions and far instants") {
  pk::util::LocalClock clock(zone("UTC"));
  CHECK(clock.offset(SysMicros{}) == 0s);
  CHECK(clock.offset(utc(date::year{9999} / 12 / 31)) == 0s);
  CHECK(clock.offset(utc(date::year{1000} / 1 / 1)) == 0s);
  pk::util::LocalClock kolkata(zone("Asia/Kolkata"));
  CHECK(kolkata.iso(utc(date::year{2026} / 11 / 22)) == "2026-11-22T05:30:00+05:30");
}

TEST_SUITE_END();
