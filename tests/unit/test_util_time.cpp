#include "util/time.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

using namespace std::chrono_literals;
using pk::util::SysMicros;

namespace {

const date::time_zone* zone(const char* name) {
  auto found = pk::util::locate_zone(name);
  REQUIRE_MESSAGE(found.has_value(), "time zone ", name, " is missing from the tz database");
  return *found;
}

SysMicros at(date::year_month_day day, std::chrono::microseconds since_midnight_utc = 0us) {
  return SysMicros{date::sys_days{day}} + since_midnight_utc;
}

SysMicros parsed(std::string_view text, SysMicros now, const date::time_zone* tz) {
  auto result = pk::util::parse_time_point(text, now, tz);
  REQUIRE_MESSAGE(result.has_value(), "parse_time_point(\"", std::string(text),
                  "\") failed: ", result ? std::string() : result.error().message);
  return *result;
}

std::string rejection(std::string_view text, SysMicros now, const date::time_zone* tz) {
  auto result = pk::util::parse_time_point(text, now, tz);
  REQUIRE_MESSAGE(!result.has_value(), "parse_time_point(\"", std::string(text), "\") should have failed");
  CHECK(result.error().kind == pk::ErrorKind::invalid_input);
  return result.error().message;
}

// Sets $TZ for the lifetime of the object and restores it afterwards.
class ScopedTz {
 public:
  explicit ScopedTz(const char* value) {
    if (const char* old = std::getenv("TZ"); old != nullptr) {
      m_old = old;
    }
    ::setenv("TZ", value, 1);
  }
  ~ScopedTz() {
    if (m_old) {
      ::setenv("TZ", m_old->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> m_old;
};

constexpr auto k_nov22 = date::year{2026} / 11 / 22;

}  // namespace

TEST_SUITE_BEGIN("util");

TEST_CASE("epoch microsecond conversion") {
  CHECK(pk::util::to_epoch_us(pk::util::from_epoch_us(0)) == 0);
  CHECK(pk::util::to_epoch_us(at(k_nov22, 9h)) == 1'795'338'000'000'000);
  CHECK(pk::util::from_epoch_us(-1) == SysMicros{} - 1us);
}

TEST_CASE("now_utc is close to the system clock and whole microseconds") {
  const auto before = std::chrono::system_clock::now();
  const SysMicros now = pk::util::now_utc();
  const auto after = std::chrono::system_clock::now();
  CHECK(now >= std::chrono::floor<std::chrono::microseconds>(before));
  CHECK(now <= after);
}

TEST_CASE("locate_zone") {
  SUBCASE("known zones") {
    CHECK(zone("Europe/Berlin")->name() == "Europe/Berlin");
    CHECK(zone("UTC")->name() == "UTC");
    CHECK(zone("America/New_York")->name() == "America/New_York");
  }
  SUBCASE("unknown names are invalid_input and name the zone") {
    for (const char* name : {"Mars/Olympus_Mons", "", "Europe/", "Europe/Berlin ", "../etc/passwd"}) {
      CAPTURE(name);
      auto result = pk::util::locate_zone(name);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == pk::ErrorKind::invalid_input);
      CHECK(result.error().message.find("unknown time zone \"" + std::string(name) + "\"") == 0);
      CHECK(result.error().message.find("Europe/Berlin") != std::string::npos);
    }
  }
}

TEST_CASE("local_zone follows $TZ") {
  SUBCASE("a zone name") {
    ScopedTz tz("Asia/Tokyo");
    CHECK(pk::util::local_zone()->name() == "Asia/Tokyo");
  }
  SUBCASE("a zone name with the POSIX ':' prefix") {
    ScopedTz tz(":Europe/Berlin");
    CHECK(pk::util::local_zone()->name() == "Europe/Berlin");
  }
  SUBCASE("an unknown name falls back to a real zone") {
    ScopedTz tz("No/Such_Zone");
    const date::time_zone* fallback = pk::util::local_zone();
    REQUIRE(fallback != nullptr);
    CHECK(fallback->name() != "No/Such_Zone");
  }
}

TEST_CASE("format_iso_utc") {
  CHECK(pk::util::format_iso_utc(at(k_nov22, 9h)) == "2026-11-22T09:00:00Z");
  CHECK(pk::util::format_iso_utc(SysMicros{}) == "1970-01-01T00:00:00Z");
  SUBCASE("a fraction is printed only when there is one, always six digits") {
    CHECK(pk::util::format_iso_utc(at(k_nov22, 9h + 500ms)) == "2026-11-22T09:00:00.500000Z");
    CHECK(pk::util::format_iso_utc(at(k_nov22, 9h + 1us)) == "2026-11-22T09:00:00.000001Z");
    CHECK(pk::util::format_iso_utc(at(k_nov22, 23h + 59min + 59s + 999999us)) == "2026-11-22T23:59:59.999999Z");
  }
  SUBCASE("before the epoch") { CHECK(pk::util::format_iso_utc(SysMicros{} - 1us) == "1969-12-31T23:59:59.999999Z"); }
  SUBCASE("leap day") { CHECK(pk::util::format_iso_utc(at(date::year{2028} / 2 / 29, 12h)) == "2028-02-29T12:00:00Z"); }
}

TEST_CASE("format_iso_local") {
  const auto* berlin = zone("Europe/Berlin");
  SUBCASE("winter and summer offsets") {
    CHECK(pk::util::format_iso_local(at(k_nov22, 9h), berlin) == "2026-11-22T10:00:00+01:00");
    CHECK(pk::util::format_iso_local(at(date::year{2026} / 7 / 1, 8h), berlin) == "2026-07-01T10:00:00+02:00");
  }
  SUBCASE("across spring forward (2026-03-29 02:00 -> 03:00)") {
    const auto day = date::year{2026} / 3 / 29;
    CHECK(pk::util::format_iso_local(at(day, 59min + 59s), berlin) == "2026-03-29T01:59:59+01:00");
    CHECK(pk::util::format_iso_local(at(day, 1h), berlin) == "2026-03-29T03:00:00+02:00");
  }
  SUBCASE("across fall back (2026-10-25 03:00 -> 02:00): 02:30 twice") {
    const auto day = date::year{2026} / 10 / 25;
    CHECK(pk::util::format_iso_local(at(day, 30min), berlin) == "2026-10-25T02:30:00+02:00");
    CHECK(pk::util::format_iso_local(at(day, 1h + 30min), berlin) == "2026-10-25T02:30:00+01:00");
  }
  SUBCASE("negative and half-hour offsets, UTC") {
    CHECK(pk::util::format_iso_local(at(k_nov22, 14h), zone("America/New_York")) == "2026-11-22T09:00:00-05:00");
    CHECK(pk::util::format_iso_local(at(k_nov22, 4h), zone("Asia/Kolkata")) == "2026-11-22T09:30:00+05:30");
    CHECK(pk::util::format_iso_local(at(k_nov22, 9h), zone("UTC")) == "2026-11-22T09:00:00+00:00");
  }
  SUBCASE("the date changes with the offset") {
    CHECK(pk::util::format_iso_local(at(k_nov22, 23h + 30min), berlin) == "2026-11-23T00:30:00+01:00");
  }
  SUBCASE("fractions") {
    CHECK(pk::util::format_iso_local(at(k_nov22, 9h + 250ms), berlin) == "2026-11-22T10:00:00.250000+01:00");
  }
  SUBCASE("historic local mean time has seconds in the offset") {
    CHECK(pk::util::format_iso_local(at(date::year{1880} / 1 / 1), berlin) == "1880-01-01T00:53:28+00:53:28");
  }
}

TEST_CASE("format_table_time") {
  const auto* berlin = zone("Europe/Berlin");
  CHECK(pk::util::format_table_time(at(k_nov22, 9h), berlin) == "2026-11-22 10:00:00 CET");
  CHECK(pk::util::format_table_time(at(k_nov22, 9h + 999999us), berlin) == "2026-11-22 10:00:00 CET");
  CHECK(pk::util::format_table_time(at(date::year{2026} / 7 / 1, 8h), berlin) == "2026-07-01 10:00:00 CEST");
  CHECK(pk::util::format_table_time(at(k_nov22, 9h), zone("UTC")) == "2026-11-22 09:00:00 UTC");
  CHECK(pk::util::format_table_time(at(k_nov22, 9h + 250999us), berlin, true) == "2026-11-22 10:00:00.250 CET");
  CHECK(pk::util::format_table_time(at(k_nov22, 9h), berlin, true) == "2026-11-22 10:00:00.000 CET");
}

TEST_CASE("parse_time_point: ISO 8601 with an offset is absolute") {
  const auto* berlin = zone("Europe/Berlin");
  const SysMicros now = at(k_nov22, 12h);
  const SysMicros nine_utc = at(k_nov22, 9h);
  CHECK(parsed("2026-11-22T09:00:00Z", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T09:00Z", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22t09:00:00z", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T10:00:00+01:00", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T10:00:00+0100", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T10:00+01", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T04:00:00-05:00", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T14:30+05:30", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22 09:00:00Z", now, berlin) == nine_utc);
  CHECK(parsed("2026-11-22T09:00:00-00:00", now, berlin) == nine_utc);
  SUBCASE("the offset wins over the zone, even inside a DST gap") {
    CHECK(parsed("2026-03-29T02:30+01:00", now, berlin) == at(date::year{2026} / 3 / 29, 1h + 30min));
  }
  SUBCASE("the offset may move the date") {
    CHECK(parsed("2026-11-22T23:00:00-02:00", now, berlin) == at(date::year{2026} / 11 / 23, 1h));
  }
}

TEST_CASE("parse_time_point: instants outside the years 0000-9999 are refused (fuzz find)") {
  const auto* utc = zone("UTC");
  const SysMicros now = at(k_nov22, 12h);
  // Found by tests/fuzz/fuzz_time_point: an offset moved the date out of the
  // four-digit years, and the instant printed back ("-001-12-31T00:01:00Z",
  // "10000-01-01T23:58:00Z") did not parse.
  CHECK(rejection("0000-01-01T00:00+23:59", now, utc).find("0000 to 9999") != std::string::npos);
  CHECK(rejection("9999-12-31T23:59-23:59", now, utc).find("0000 to 9999") != std::string::npos);
  CHECK_FALSE(rejection("-10000y", now, utc).empty());  // far too long a duration, or too early
  const auto year0 = parsed("0000-01-01T00:00:00Z", now, utc);
  CHECK(parsed(pk::util::format_iso_utc(year0), now, utc) == year0);
  CHECK(parsed("1969-12-31T23:59:59Z", now, utc) < SysMicros{});
  CHECK(parsed("9999-12-31T23:59:59Z", now, utc) > now);
}

TEST_CASE("parse_time_point: fractional seconds") {
  const auto* utc = zone("UTC");
  const SysMicros now = at(k_nov22, 12h);
  CHECK(parsed("2026-11-22T09:00:00.5Z", now, utc) == at(k_nov22, 9h + 500ms));
  CHECK(parsed("2026-11-22T09:00:00,5Z", now, utc) == at(k_nov22, 9h + 500ms));
  CHECK(parsed("2026-11-22T09:00:00.123456Z", now, utc) == at(k_nov22, 9h + 123456us));
  CHECK(parsed("2026-11-22T09:00:00.000001Z", now, utc) == at(k_nov22, 9h + 1us));
  SUBCASE("nanoseconds are truncated to microseconds") {
    CHECK(parsed("2026-11-22T09:00:00.123456789Z", now, utc) == at(k_nov22, 9h + 123456us));
  }
  SUBCASE("without an offset: wall time") {
    CHECK(parsed("2026-11-22T09:00:30.5", now, zone("Europe/Berlin")) == at(k_nov22, 8h + 30s + 500ms));
  }
  SUBCASE("rejected forms") {
    CHECK(rejection("2026-11-22T09:00:00.Z", now, utc).find("fraction") != std::string::npos);
    CHECK(rejection("2026-11-22T09:00:00.1234567891Z", now, utc).find("fraction") != std::string::npos);
    CHECK(rejection("2026-11-22T09:00.5Z", now, utc).find("after the time") != std::string::npos);
  }
}

TEST_CASE("parse_time_point: ISO 8601 without an offset is wall time in the zone") {
  const SysMicros now = at(k_nov22, 12h);
  const auto* berlin = zone("Europe/Berlin");
  SUBCASE("winter (+01:00)") {
    CHECK(parsed("2026-11-22T10:00", now, berlin) == at(k_nov22, 9h));
    CHECK(parsed("2026-11-22 10:00", now, berlin) == at(k_nov22, 9h));
    CHECK(parsed("2026-11-22T10:00:30", now, berlin) == at(k_nov22, 9h + 30s));
  }
  SUBCASE("summer (+02:00)") { CHECK(parsed("2026-07-01T10:00", now, berlin) == at(date::year{2026} / 7 / 1, 8h)); }
  SUBCASE("UTC") { CHECK(parsed("2026-11-22T10:00", now, zone("UTC")) == at(k_nov22, 10h)); }
  SUBCASE("New York") { CHECK(parsed("2026-11-22T09:00", now, zone("America/New_York")) == at(k_nov22, 14h)); }
  SUBCASE("a date alone is local midnight") {
    CHECK(parsed("2026-11-22", now, berlin) == at(date::year{2026} / 11 / 21, 23h));
    CHECK(parsed("2026-07-01", now, berlin) == at(date::year{2026} / 6 / 30, 22h));
    CHECK(parsed("2026-11-22", now, zone("UTC")) == at(k_nov22));
    CHECK(parsed("2028-02-29", now, zone("UTC")) == at(date::year{2028} / 2 / 29));
  }
}

TEST_CASE("parse_time_point: DST gap and overlap without an offset") {
  const SysMicros now = at(k_nov22, 12h);
  SUBCASE("Europe/Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST") {
    const auto* berlin = zone("Europe/Berlin");
    const auto day = date::year{2026} / 3 / 29;
    CHECK(parsed("2026-03-29T01:59:59", now, berlin) == at(day, 59min + 59s));
    // Inside the gap: the instant the gap ends (03:00 CEST = 01:00 UTC).
    CHECK(parsed("2026-03-29T02:00", now, berlin) == at(day, 1h));
    CHECK(parsed("2026-03-29T02:30", now, berlin) == at(day, 1h));
    CHECK(parsed("2026-03-29T02:59:59.999999", now, berlin) == at(day, 1h));
    CHECK(parsed("2026-03-29T03:00", now, berlin) == at(day, 1h));
    CHECK(parsed("2026-03-29T03:30", now, berlin) == at(day, 1h + 30min));
  }
  SUBCASE("Europe/Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET: the earlier instant") {
    const auto* berlin = zone("Europe/Berlin");
    const auto day = date::year{2026} / 10 / 25;
    CHECK(parsed("2026-10-25T01:59", now, berlin) == at(day, -1min));
    CHECK(parsed("2026-10-25T02:00", now, berlin) == at(day, 0h));
    CHECK(parsed("2026-10-25T02:30", now, berlin) == at(day, 30min));
    CHECK(parsed("2026-10-25T02:59:59", now, berlin) == at(day, 59min + 59s));
    CHECK(parsed("2026-10-25T03:00", now, berlin) == at(day, 2h));
  }
  SUBCASE("America/New_York 2026-03-08 gap and 2026-11-01 overlap") {
    const auto* new_york = zone("America/New_York");
    CHECK(parsed("2026-03-08T01:30", now, new_york) == at(date::year{2026} / 3 / 8, 6h + 30min));
    CHECK(parsed("2026-03-08T02:30", now, new_york) == at(date::year{2026} / 3 / 8, 7h));
    CHECK(parsed("2026-03-08T03:30", now, new_york) == at(date::year{2026} / 3 / 8, 7h + 30min));
    CHECK(parsed("2026-11-01T01:30", now, new_york) == at(date::year{2026} / 11 / 1, 5h + 30min));
    CHECK(parsed("2026-11-01T02:30", now, new_york) == at(date::year{2026} / 11 / 1, 7h + 30min));
  }
  SUBCASE("a date whose midnight is in a gap (America/Sao_Paulo 2018-11-04 00:00 -> 01:00)") {
    CHECK(parsed("2018-11-04", now, zone("America/Sao_Paulo")) == at(date::year{2018} / 11 / 4, 3h));
  }
}

TEST_CASE("parse_time_point: now, today, yesterday in a named zone") {
  const auto* berlin = zone("Europe/Berlin");
  SUBCASE("an ordinary day") {
    const SysMicros now = at(k_nov22, 9h + 30min + 123us);  // 10:30 in Berlin
    CHECK(parsed("now", now, berlin) == now);
    CHECK(parsed("NOW", now, berlin) == now);
    CHECK(parsed("today", now, berlin) == at(date::year{2026} / 11 / 21, 23h));
    CHECK(parsed("Today", now, berlin) == at(date::year{2026} / 11 / 21, 23h));
    CHECK(parsed("yesterday", now, berlin) == at(date::year{2026} / 11 / 20, 23h));
    CHECK(parsed("today", now, zone("UTC")) == at(k_nov22));
  }
  SUBCASE("the local date differs from the UTC date") {
    const SysMicros now = at(k_nov22, 23h + 30min);  // already 23 Nov in Berlin
    CHECK(parsed("today", now, berlin) == at(k_nov22, 23h));
    CHECK(parsed("yesterday", now, berlin) == at(date::year{2026} / 11 / 21, 23h));
    CHECK(parsed("today", now, zone("America/Los_Angeles")) == at(k_nov22, 8h));
  }
  SUBCASE("the day after fall back: yesterday was 25 hours long") {
    const SysMicros now = at(date::year{2026} / 10 / 26, 12h);
    const SysMicros today = parsed("today", now, berlin);
    const SysMicros yesterday = parsed("yesterday", now, berlin);
    CHECK(today == at(date::year{2026} / 10 / 25, 23h));
    CHECK(yesterday == at(date::year{2026} / 10 / 24, 22h));
    CHECK(today - yesterday == 25h);
  }
  SUBCASE("on the spring forward day, today began before the change") {
    const SysMicros now = at(date::year{2026} / 3 / 29, 12h);
    CHECK(parsed("today", now, berlin) == at(date::year{2026} / 3 / 28, 23h));
    CHECK(parsed("yesterday", now, berlin) == at(date::year{2026} / 3 / 27, 23h));
  }
  SUBCASE("midnight in a gap is the end of the gap") {
    const SysMicros now = at(date::year{2018} / 11 / 4, 12h);
    CHECK(parsed("today", now, zone("America/Sao_Paulo")) == at(date::year{2018} / 11 / 4, 3h));
  }
}

TEST_CASE("parse_time_point: relative to now") {
  const auto* berlin = zone("Europe/Berlin");
  const SysMicros now = at(k_nov22, 9h);
  CHECK(parsed("-24h", now, berlin) == now - 24h);
  CHECK(parsed("24h", now, berlin) == now - 24h);
  CHECK(parsed("+2h", now, berlin) == now + 2h);
  CHECK(parsed("-1h30m", now, berlin) == now - 90min);
  CHECK(parsed("1.5h", now, berlin) == now - 90min);
  CHECK(parsed("500ms", now, berlin) == now - 500ms);
  CHECK(parsed("1w", now, berlin) == now - 24h * 7);
  CHECK(parsed("0", now, berlin) == now);
  CHECK(parsed("-0", now, berlin) == now);
  SUBCASE("bad durations") {
    CHECK(rejection("-5x", now, berlin).find("duration") != std::string::npos);
    CHECK(rejection("+", now, berlin).find("duration") != std::string::npos);
    CHECK(rejection("-", now, berlin).find("duration") != std::string::npos);
    CHECK(rejection("--5s", now, berlin).find("duration") != std::string::npos);
    CHECK(rejection("5", now, berlin).find("invalid time \"5\"") == 0);
    CHECK(rejection("1m1h", now, berlin).find("invalid time \"1m1h\"") == 0);
  }
}

TEST_CASE("parse_time_point: rejects garbage") {
  const auto* berlin = zone("Europe/Berlin");
  const SysMicros now = at(k_nov22, 9h);
  for (const char* text : {"",
                           "garbage",
                           "tomorrow",
                           "nowish",
                           "2026",
                           "2026-11",
                           "26-11-22",
                           "2026/11/22",
                           "20261122",
                           "2026-1-22",
                           "2026-11-2",
                           "2026-13-01",
                           "2026-00-10",
                           "2026-11-00",
                           "2026-11-31",
                           "2026-02-29",
                           "2026-11-22T",
                           "2026-11-22T09",
                           "2026-11-22T9:00",
                           "2026-11-22T09:0",
                           "2026-11-22T24:00",
                           "2026-11-22T25:00",
                           "2026-11-22T09:60",
                           "2026-11-22T09:00:60",
                           "2026-11-22T09:00:5",
                           "2026-11-22X09:00",
                           "2026-11-22Z",
                           "2026-11-22T09:00 Z",
                           "2026-11-22T09:00+25:00",
                           "2026-11-22T09:00+01:60",
                           "2026-11-22T09:00+1:00",
                           "2026-11-22T09:00+01:",
                           "2026-11-22T09:00+01:00x",
                           "2026-11-22T09:00:00ZZ",
                           "2026-11-22T09:00:00+",
                           " now",
                           "now ",
                           " 2026-11-22",
                           "2026-11-22 ",
                           "2026-11-22\t09:00"}) {
    CAPTURE(text);
    const std::string message = rejection(text, now, berlin);
    CHECK(message.find("invalid time \"" + std::string(text) + "\"") == 0);
    CHECK(message.find("\"now\", \"today\", \"yesterday\"") != std::string::npos);
  }
  SUBCASE("reasons are specific") {
    CHECK(rejection("2026-13-01", now, berlin).find("month 13") != std::string::npos);
    CHECK(rejection("2026-02-29", now, berlin).find("day 29") != std::string::npos);
    CHECK(rejection("2026-11-22T25:00", now, berlin).find("out of range") != std::string::npos);
    CHECK(rejection("2026-11-22T09:00+25:00", now, berlin).find("offset") != std::string::npos);
  }
}

TEST_CASE("formatted times parse back to the same instant") {
  const auto* berlin = zone("Europe/Berlin");
  const auto* utc = zone("UTC");
  const SysMicros now = at(k_nov22, 9h);
  for (const SysMicros t :
       {at(k_nov22, 9h), at(k_nov22, 9h + 1us), at(date::year{2026} / 10 / 25, 30min),
        at(date::year{2026} / 10 / 25, 1h + 30min + 250ms), at(date::year{2026} / 3 / 29, 1h), SysMicros{} - 1us}) {
    CAPTURE(pk::util::format_iso_utc(t));
    CHECK(parsed(pk::util::format_iso_utc(t), now, berlin) == t);
    CHECK(parsed(pk::util::format_iso_local(t, berlin), now, utc) == t);
  }
}

TEST_SUITE_END();
