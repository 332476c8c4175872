#include "core/window.hpp"
#include "util/time.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using pk::core::Interval;
using pk::core::WeeklySchedule;
using pk::core::WindowRule;
using pk::util::SysMicros;

namespace {

constexpr std::uint8_t k_mon = 1u << 0;
constexpr std::uint8_t k_tue = 1u << 1;
constexpr std::uint8_t k_wed = 1u << 2;
constexpr std::uint8_t k_thu = 1u << 3;
constexpr std::uint8_t k_fri = 1u << 4;
constexpr std::uint8_t k_sat = 1u << 5;
constexpr std::uint8_t k_sun = 1u << 6;
constexpr std::uint8_t k_weekdays = k_mon | k_tue | k_wed | k_thu | k_fri;
constexpr std::uint8_t k_all = 0x7f;

const date::time_zone* zone(const char* name) {
  auto found = pk::util::locate_zone(name);
  REQUIRE_MESSAGE(found.has_value(), "time zone ", name, " is missing from the tz database");
  return *found;
}

// An instant: midnight UTC of the given date plus an offset.
SysMicros utc(date::year_month_day day, std::chrono::microseconds since_midnight = 0us) {
  return SysMicros{date::sys_days{day}} + since_midnight;
}

WeeklySchedule schedule(std::string_view spec) {
  auto result = WeeklySchedule::parse(spec);
  REQUIRE_MESSAGE(result.has_value(), "parse(\"", std::string(spec),
                  "\") failed: ", result ? std::string() : result.error().message);
  return *result;
}

std::string rejection(std::string_view spec) {
  auto result = WeeklySchedule::parse(spec);
  REQUIRE_MESSAGE(!result.has_value(), "parse(\"", std::string(spec), "\") should have failed");
  CHECK(result.error().kind == pk::ErrorKind::invalid_input);
  CHECK(result.error().message.find("invalid window \"" + std::string(spec) + "\": ") == 0);
  CHECK(result.error().message.find("expected e.g. \"mon-fri 09:00-17:00; sat 10:00-12:00\"") != std::string::npos);
  return result.error().message;
}

bool mentions(const std::string& message, std::string_view what) { return message.find(what) != std::string::npos; }

std::string show(const std::vector<Interval>& spans) {
  std::string out;
  for (const Interval& span : spans) {
    out += "[" + pk::util::format_iso_utc(span.begin) + ", " + pk::util::format_iso_utc(span.end) + ") ";
  }
  return out;
}

// A reference week in June 2026 (no DST change anywhere near): Mon 1 .. Sun 7.
constexpr auto k_mon_jun1 = date::year{2026} / 6 / 1;
constexpr auto k_tue_jun2 = date::year{2026} / 6 / 2;
constexpr auto k_wed_jun3 = date::year{2026} / 6 / 3;
constexpr auto k_fri_jun5 = date::year{2026} / 6 / 5;
constexpr auto k_sat_jun6 = date::year{2026} / 6 / 6;
constexpr auto k_sun_jun7 = date::year{2026} / 6 / 7;
constexpr auto k_mon_jun8 = date::year{2026} / 6 / 8;

}  // namespace

TEST_SUITE_BEGIN("core");

// ---- Parsing -----------------------------------------------------------------

TEST_CASE("WeeklySchedule::parse: rules") {
  SUBCASE("a weekday range") {
    const auto s = schedule("mon-fri 09:00-17:00");
    CHECK(s.rules() == std::vector<WindowRule>{{k_weekdays, 9 * 60, 17 * 60}});
    CHECK_FALSE(s.always_open());
  }
  SUBCASE("several rules keep their order") {
    const auto s = schedule("mon-fri 09:00-17:00; sat 10:00-12:00");
    CHECK(s.rules() == std::vector<WindowRule>{{k_weekdays, 540, 1020}, {k_sat, 600, 720}});
  }
  SUBCASE("a list of days") {
    CHECK(schedule("sat,sun 10:00-14:00").rules() ==
          std::vector<WindowRule>{{static_cast<std::uint8_t>(k_sat | k_sun), 600, 840}});
    CHECK(schedule("mon,wed,fri 08:00-09:00").rules()[0].days == (k_mon | k_wed | k_fri));
    CHECK(schedule("mon,mon 08:00-09:00").rules()[0].days == k_mon);
    CHECK(schedule("mon-wed,fri 08:00-09:00").rules()[0].days == (k_mon | k_tue | k_wed | k_fri));
  }
  SUBCASE("a range may wrap past Sunday") {
    CHECK(schedule("fri-mon 22:00-06:00").rules()[0].days == (k_fri | k_sat | k_sun | k_mon));
    CHECK(schedule("sun-mon 08:00-09:00").rules()[0].days == (k_sun | k_mon));
    CHECK(schedule("tue-mon 08:00-09:00").rules()[0].days == k_all);
    CHECK(schedule("wed-wed 08:00-09:00").rules()[0].days == k_wed);
  }
  SUBCASE("daily, weekdays, weekends, and no days at all") {
    CHECK(schedule("daily 08:00-09:00").rules()[0].days == k_all);
    CHECK(schedule("weekdays 08:00-09:00").rules()[0].days == k_weekdays);
    CHECK(schedule("weekends 08:00-09:00").rules()[0].days == (k_sat | k_sun));
    CHECK(schedule("weekends,wed 08:00-09:00").rules()[0].days == (k_sat | k_sun | k_wed));
    CHECK(schedule("08:00-09:00").rules()[0].days == k_all);
  }
  SUBCASE("full day names and any case") {
    CHECK(schedule("Monday-Friday 09:00-17:00").rules()[0].days == k_weekdays);
    CHECK(schedule("SATURDAY,sunday 09:00-17:00").rules()[0].days == (k_sat | k_sun));
    CHECK(schedule("tuesday,Thursday 09:00-17:00").rules()[0].days == (k_tue | k_thu));
    CHECK(schedule("wednesday 09:00-17:00").rules()[0].days == k_wed);
    CHECK(schedule("MON-fri 09:00-17:00").rules()[0].days == k_weekdays);
    CHECK(schedule("Daily 09:00-17:00").rules()[0].days == k_all);
  }
  SUBCASE("white space around tokens") {
    const auto s = schedule("  mon - fri , sat\t09:00 -  17:00 ;sun 10:00-11:00  ");
    CHECK(s.rules() ==
          std::vector<WindowRule>{{static_cast<std::uint8_t>(k_weekdays | k_sat), 540, 1020}, {k_sun, 600, 660}});
  }
  SUBCASE("overnight and whole-day times") {
    CHECK(schedule("22:00-06:00").rules()[0] == WindowRule{k_all, 22 * 60, 6 * 60});
    CHECK(schedule("mon 00:00-24:00").rules()[0] == WindowRule{k_mon, 0, 1440});
    CHECK(schedule("mon 18:00-24:00").rules()[0] == WindowRule{k_mon, 1080, 1440});
    CHECK(schedule("mon 23:59-00:00").rules()[0] == WindowRule{k_mon, 1439, 0});
    CHECK(schedule("mon 00:01-00:00").rules()[0] == WindowRule{k_mon, 1, 0});
  }
  SUBCASE("empty means always open") {
    CHECK(schedule("").always_open());
    CHECK(schedule("   ").always_open());
    CHECK(schedule("").to_string().empty());
  }
}

TEST_CASE("WeeklySchedule::parse: rejections") {
  SUBCASE("bad days") {
    CHECK(mentions(rejection("xyz 09:00-17:00"), "unknown day \"xyz\""));
    CHECK(mentions(rejection("tues 09:00-17:00"), "unknown day \"tues\""));
    CHECK(mentions(rejection("mon-xyz 09:00-17:00"), "unknown day \"xyz\" in a day range"));
    CHECK(mentions(rejection("mon-daily 09:00-17:00"), "in a day range"));
    CHECK(mentions(rejection("daily-fri 09:00-17:00"), "cannot start a day range"));
    CHECK(mentions(rejection("weekdays-sun 09:00-17:00"), "cannot start a day range"));
    CHECK(mentions(rejection("mon- 09:00-17:00"), "has no end day"));
    CHECK(mentions(rejection("mon fri 09:00-17:00"), "separate days with ','"));
    CHECK(mentions(rejection("mon, 09:00-17:00"), "expected a day"));
    CHECK(mentions(rejection(",mon 09:00-17:00"), "expected a day"));
    CHECK(mentions(rejection("mon,,tue 09:00-17:00"), "expected a day"));
    CHECK(mentions(rejection("mon_fri 09:00-17:00"), "unexpected character '_'"));
  }
  SUBCASE("bad times") {
    CHECK(mentions(rejection("mon 25:00-26:00"), "hour must be 00 to 23"));
    CHECK(mentions(rejection("mon 09:00-24:01"), "hour must be 00 to 23"));
    CHECK(mentions(rejection("mon 09:60-10:00"), "minutes must be 00 to 59"));
    CHECK(mentions(rejection("mon 09:00-10:99"), "minutes must be 00 to 59"));
    CHECK(mentions(rejection("mon 24:00-06:00"), "24:00 is allowed only as an end"));
    CHECK(mentions(rejection("mon 9:00-17:00"), "time \"9:00\" is not HH:MM"));
    CHECK(mentions(rejection("mon 09:00:00-17:00"), "is not HH:MM"));
    CHECK(mentions(rejection("mon 0900-1700"), "is not HH:MM"));
    CHECK(mentions(rejection("mon 09:0-17:00"), "is not HH:MM"));
  }
  SUBCASE("equal start and end") {
    CHECK(mentions(rejection("mon 09:00-09:00"), "same time"));
    CHECK(mentions(rejection("mon 00:00-00:00"), "00:00-24:00"));
    CHECK(mentions(rejection("daily 12:00-12:00"), "same time"));
  }
  SUBCASE("not a time range at the end") {
    CHECK(mentions(rejection("mon"), "does not end with a time range"));
    CHECK(mentions(rejection("mon 09:00"), "does not end with a time range"));
    CHECK(mentions(rejection("mon 09:00 17:00"), "does not end with a time range"));
    CHECK(mentions(rejection("mon 09:00-17:00 tue"), "does not end with a time range"));
    CHECK(mentions(rejection("mon 09:00-"), "does not end with a time range"));
    CHECK(mentions(rejection("mon -17:00"), "does not end with a time range"));
    CHECK(mentions(rejection("mon 09:00-17:00-18:00"), "unexpected \"09:00\" in the days"));
  }
  SUBCASE("empty rules, including a trailing ';'") {
    CHECK(mentions(rejection(";"), "empty rule"));
    CHECK(mentions(rejection("mon 09:00-17:00;"), "empty rule"));
    CHECK(mentions(rejection("mon 09:00-17:00 ; "), "empty rule"));
    CHECK(mentions(rejection("; mon 09:00-17:00"), "empty rule"));
    CHECK(mentions(rejection("mon 09:00-10:00;;tue 09:00-10:00"), "empty rule"));
  }
  SUBCASE("other characters") {
    CHECK(mentions(rejection("mon 09:00\xe2\x80\x93"
                             "17:00"),
                   "unexpected byte 0xe2"));
    CHECK(mentions(rejection("mon 09:00-17:00 | tue 09:00-10:00"), "unexpected character '|'"));
  }
}

TEST_CASE("WeeklySchedule::to_string: canonical form that round-trips") {
  SUBCASE("canonical texts are unchanged") {
    for (const char* spec :
         {"mon-fri 09:00-17:00", "mon-fri 09:00-17:00; sat 10:00-12:00", "sat,sun 10:00-14:00", "fri-mon 22:00-06:00",
          "daily 00:00-24:00", "mon 00:00-24:00", "mon,wed,fri 07:05-07:10", "sun,mon 23:00-01:00",
          "sat-mon,wed 08:00-09:00", "tue 23:59-00:00", "mon-wed,fri,sat 08:00-09:00"}) {
      CAPTURE(spec);
      CHECK(schedule(spec).to_string() == spec);
    }
  }
  SUBCASE("other spellings normalise") {
    CHECK(schedule("weekdays 09:00-17:00").to_string() == "mon-fri 09:00-17:00");
    CHECK(schedule("weekends 09:00-17:00").to_string() == "sat,sun 09:00-17:00");
    CHECK(schedule("09:00-17:00").to_string() == "daily 09:00-17:00");
    CHECK(schedule("tue-mon 09:00-17:00").to_string() == "daily 09:00-17:00");
    CHECK(schedule("Monday - Wednesday , Thursday 09:00 - 17:00").to_string() == "mon-thu 09:00-17:00");
    CHECK(schedule("sun,sat,fri 09:00-17:00").to_string() == "fri-sun 09:00-17:00");
    CHECK(schedule("mon,tue 09:00-17:00;SUN 01:00-02:00").to_string() == "mon,tue 09:00-17:00; sun 01:00-02:00");
  }
  SUBCASE("parse(to_string()) gives the same rules") {
    for (const char* spec : {"mon-fri 09:00-17:00; sat 10:00-12:00", "weekends,wed 22:00-06:00", "thu-tue 00:00-24:00",
                             "08:30-09:45; sun 23:00-00:30", "monday,friday 12:00-13:00"}) {
      CAPTURE(spec);
      const auto once = schedule(spec);
      const auto twice = schedule(once.to_string());
      CHECK(twice.rules() == once.rules());
      CHECK(twice.to_string() == once.to_string());
    }
  }
}

// ---- Evaluation in UTC -------------------------------------------------------

TEST_CASE("WeeklySchedule::contains: edges are [start, end)") {
  const auto* tz = zone("UTC");
  const auto s = schedule("mon-fri 09:00-17:00");
  CHECK_FALSE(s.contains(utc(k_mon_jun1, 9h - 1us), tz));
  CHECK(s.contains(utc(k_mon_jun1, 9h), tz));
  CHECK(s.contains(utc(k_mon_jun1, 12h), tz));
  CHECK(s.contains(utc(k_mon_jun1, 17h - 1us), tz));
  CHECK_FALSE(s.contains(utc(k_mon_jun1, 17h), tz));
  CHECK(s.contains(utc(k_fri_jun5, 16h), tz));
  CHECK_FALSE(s.contains(utc(k_sat_jun6, 12h), tz));
  CHECK_FALSE(s.contains(utc(k_sun_jun7, 12h), tz));
  SUBCASE("always open contains everything") {
    const WeeklySchedule open;
    CHECK(open.contains(utc(k_sat_jun6, 3h), tz));
    CHECK(open.contains(SysMicros{}, tz));
  }
  SUBCASE("a whole day") {
    const auto day = schedule("mon 00:00-24:00");
    CHECK_FALSE(day.contains(utc(k_mon_jun1) - 1us, tz));
    CHECK(day.contains(utc(k_mon_jun1), tz));
    CHECK(day.contains(utc(k_mon_jun1, 24h - 1us), tz));
    CHECK_FALSE(day.contains(utc(k_tue_jun2), tz));
  }
}

TEST_CASE("WeeklySchedule::contains: overnight windows") {
  const auto* tz = zone("UTC");
  SUBCASE("across midnight") {
    const auto s = schedule("fri 22:00-06:00");
    CHECK_FALSE(s.contains(utc(k_fri_jun5, 22h - 1us), tz));
    CHECK(s.contains(utc(k_fri_jun5, 22h), tz));
    CHECK(s.contains(utc(k_fri_jun5, 23h + 59min), tz));
    CHECK(s.contains(utc(k_sat_jun6), tz));
    CHECK(s.contains(utc(k_sat_jun6, 6h - 1us), tz));
    CHECK_FALSE(s.contains(utc(k_sat_jun6, 6h), tz));
    // The day list names the start day: Saturday night is not in it.
    CHECK_FALSE(s.contains(utc(k_sat_jun6, 23h), tz));
    CHECK_FALSE(s.contains(utc(k_fri_jun5, 3h), tz));
  }
  SUBCASE("across the Sunday -> Monday week boundary") {
    const auto s = schedule("sun 22:00-02:00");
    CHECK(s.contains(utc(k_sun_jun7, 23h), tz));
    CHECK(s.contains(utc(k_mon_jun8, 1h), tz));
    CHECK_FALSE(s.contains(utc(k_mon_jun8, 2h), tz));
    // The Monday of the same week is covered by the previous Sunday's window.
    CHECK(s.contains(utc(k_mon_jun1, 1h), tz));
    CHECK_FALSE(s.contains(utc(k_mon_jun1, 23h), tz));
  }
  SUBCASE("a wrapping day range with an overnight time") {
    const auto s = schedule("fri-mon 22:00-06:00");
    CHECK(s.contains(utc(k_mon_jun1, 23h), tz));
    CHECK(s.contains(utc(k_tue_jun2, 5h), tz));
    CHECK_FALSE(s.contains(utc(k_tue_jun2, 23h), tz));
    CHECK_FALSE(s.contains(utc(k_wed_jun3, 3h), tz));
    CHECK(s.contains(utc(k_sat_jun6, 3h), tz));
    CHECK(s.contains(utc(k_sun_jun7, 6h - 1us), tz));
  }
  SUBCASE("ending at midnight written 00:00") {
    const auto s = schedule("mon 23:00-00:00");
    CHECK(s.contains(utc(k_mon_jun1, 23h + 30min), tz));
    CHECK_FALSE(s.contains(utc(k_tue_jun2), tz));
  }
}

TEST_CASE("WeeklySchedule::intervals: merged, clipped, ordered") {
  const auto* tz = zone("UTC");
  SUBCASE("one interval per weekday") {
    const auto spans = schedule("mon-fri 09:00-17:00").intervals(utc(k_mon_jun1), utc(k_mon_jun8), tz);
    REQUIRE(spans.size() == 5);
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const auto day = date::sys_days{k_mon_jun1} + date::days{static_cast<int>(i)};
      CHECK(spans[i] == Interval{SysMicros{day} + 9h, SysMicros{day} + 17h});
    }
  }
  SUBCASE("four weeks") {
    const auto spans = schedule("weekdays 09:00-17:00").intervals(utc(k_mon_jun1), utc(k_mon_jun1) + 24h * 28, tz);
    CHECK(spans.size() == 20);
  }
  SUBCASE("mon 22:00-24:00 and tue 00:00-06:00 touch and merge") {
    const auto spans = schedule("mon 22:00-24:00; tue 00:00-06:00").intervals(utc(k_mon_jun1), utc(k_mon_jun8), tz);
    CHECK(spans == std::vector<Interval>{{utc(k_mon_jun1, 22h), utc(k_tue_jun2, 6h)}});
  }
  SUBCASE("merging across the week boundary") {
    const auto spans =
        schedule("sun 22:00-24:00; mon 00:00-02:00").intervals(utc(k_sun_jun7), utc(k_mon_jun8, 12h), tz);
    CHECK(spans == std::vector<Interval>{{utc(k_sun_jun7, 22h), utc(k_mon_jun8, 2h)}});
  }
  SUBCASE("overlapping rules merge; separate ones do not") {
    CHECK(schedule("mon 09:00-12:00; mon 11:00-13:00").intervals(utc(k_mon_jun1), utc(k_tue_jun2), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1, 9h), utc(k_mon_jun1, 13h)}});
    CHECK(schedule("mon 09:00-12:00; mon 10:00-11:00").intervals(utc(k_mon_jun1), utc(k_tue_jun2), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1, 9h), utc(k_mon_jun1, 12h)}});
    CHECK(schedule("mon 09:00-12:00; mon 12:01-13:00").intervals(utc(k_mon_jun1), utc(k_tue_jun2), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1, 9h), utc(k_mon_jun1, 12h)},
                                {utc(k_mon_jun1, 12h + 1min), utc(k_mon_jun1, 13h)}});
  }
  SUBCASE("rules out of order come out in time order") {
    const auto spans =
        schedule("sat 10:00-12:00; mon 09:00-10:00; wed 01:00-02:00").intervals(utc(k_mon_jun1), utc(k_mon_jun8), tz);
    CHECK(spans == std::vector<Interval>{{utc(k_mon_jun1, 9h), utc(k_mon_jun1, 10h)},
                                         {utc(k_wed_jun3, 1h), utc(k_wed_jun3, 2h)},
                                         {utc(k_sat_jun6, 10h), utc(k_sat_jun6, 12h)}});
  }
  SUBCASE("clipped to [from, to)") {
    const auto spans = schedule("mon-fri 09:00-17:00").intervals(utc(k_mon_jun1, 12h), utc(k_wed_jun3, 10h), tz);
    CHECK(spans == std::vector<Interval>{{utc(k_mon_jun1, 12h), utc(k_mon_jun1, 17h)},
                                         {utc(k_tue_jun2, 9h), utc(k_tue_jun2, 17h)},
                                         {utc(k_wed_jun3, 9h), utc(k_wed_jun3, 10h)}});
  }
  SUBCASE("an overnight window that began the day before from") {
    const auto spans = schedule("mon 22:00-06:00").intervals(utc(k_tue_jun2, 3h), utc(k_tue_jun2, 12h), tz);
    CHECK(spans == std::vector<Interval>{{utc(k_tue_jun2, 3h), utc(k_tue_jun2, 6h)}});
  }
  SUBCASE("windows touching from or to are not included as empty spans") {
    const auto s = schedule("mon 09:00-10:00");
    CHECK(s.intervals(utc(k_mon_jun1, 10h), utc(k_mon_jun1, 12h), tz).empty());
    CHECK(s.intervals(utc(k_mon_jun1, 8h), utc(k_mon_jun1, 9h), tz).empty());
    CHECK(s.intervals(utc(k_mon_jun1, 8h), utc(k_mon_jun1, 9h + 1us), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1, 9h), utc(k_mon_jun1, 9h + 1us)}});
  }
  SUBCASE("a whole-week schedule gives one interval") {
    CHECK(schedule("daily 00:00-24:00").intervals(utc(k_mon_jun1, 5h), utc(k_sun_jun7, 5h), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1, 5h), utc(k_sun_jun7, 5h)}});
  }
  SUBCASE("always open") {
    CHECK(WeeklySchedule{}.intervals(utc(k_mon_jun1), utc(k_tue_jun2), tz) ==
          std::vector<Interval>{{utc(k_mon_jun1), utc(k_tue_jun2)}});
  }
  SUBCASE("an empty or reversed range") {
    CHECK(schedule("daily 00:00-24:00").intervals(utc(k_mon_jun1), utc(k_mon_jun1), tz).empty());
    CHECK(schedule("daily 00:00-24:00").intervals(utc(k_tue_jun2), utc(k_mon_jun1), tz).empty());
    CHECK(WeeklySchedule{}.intervals(utc(k_mon_jun1), utc(k_mon_jun1), tz).empty());
    CHECK(WeeklySchedule{}.intervals(utc(k_tue_jun2), utc(k_mon_jun1), tz).empty());
  }
}

TEST_CASE("WeeklySchedule: zones far from UTC shift the UTC day") {
  SUBCASE("Asia/Tokyo (+09:00)") {
    const auto s = schedule("mon 09:00-10:00");
    CHECK(s.intervals(utc(k_mon_jun1), utc(k_mon_jun1, 2h), zone("Asia/Tokyo")) ==
          std::vector<Interval>{{utc(k_mon_jun1), utc(k_mon_jun1, 1h)}});
  }
  SUBCASE("Pacific/Kiritimati (+14:00): Monday 01:00 local is Sunday 11:00 UTC") {
    const auto s = schedule("mon 01:00-02:00");
    CHECK(s.intervals(utc(k_sun_jun7), utc(k_sun_jun7, 23h), zone("Pacific/Kiritimati")) ==
          std::vector<Interval>{{utc(k_sun_jun7, 11h), utc(k_sun_jun7, 12h)}});
    CHECK(s.contains(utc(k_sun_jun7, 11h + 30min), zone("Pacific/Kiritimati")));
  }
  SUBCASE("Pacific/Pago_Pago (-11:00): Sunday 22:00 local is Monday 09:00 UTC") {
    const auto s = schedule("sun 22:00-23:00");
    CHECK(s.intervals(utc(k_mon_jun8), utc(k_mon_jun8, 23h), zone("Pacific/Pago_Pago")) ==
          std::vector<Interval>{{utc(k_mon_jun8, 9h), utc(k_mon_jun8, 10h)}});
  }
}

TEST_CASE("WeeklySchedule::next_open and next_close") {
  const auto* tz = zone("UTC");
  SUBCASE("office hours") {
    const auto s = schedule("mon-fri 09:00-17:00");
    // Before the window opens.
    CHECK(s.next_open(utc(k_mon_jun1, 8h), tz) == utc(k_mon_jun1, 9h));
    CHECK(s.next_close(utc(k_mon_jun1, 8h), tz) == utc(k_mon_jun1, 17h));
    // Exactly at the opening: the next opening is tomorrow ("> t").
    CHECK(s.next_open(utc(k_mon_jun1, 9h), tz) == utc(k_tue_jun2, 9h));
    CHECK(s.next_close(utc(k_mon_jun1, 9h), tz) == utc(k_mon_jun1, 17h));
    // Inside.
    CHECK(s.next_open(utc(k_mon_jun1, 12h), tz) == utc(k_tue_jun2, 9h));
    CHECK(s.next_close(utc(k_mon_jun1, 12h), tz) == utc(k_mon_jun1, 17h));
    // Exactly at the close: closed now, so the next close is tomorrow's.
    CHECK(s.next_close(utc(k_mon_jun1, 17h), tz) == utc(k_tue_jun2, 17h));
    // Over the weekend.
    CHECK(s.next_open(utc(k_fri_jun5, 17h), tz) == utc(k_mon_jun8, 9h));
    CHECK(s.next_open(utc(k_sat_jun6, 12h), tz) == utc(k_mon_jun8, 9h));
    CHECK(s.next_close(utc(k_sun_jun7, 23h), tz) == utc(k_mon_jun8, 17h));
  }
  SUBCASE("touching rules are one window") {
    const auto s = schedule("mon 22:00-24:00; tue 00:00-06:00");
    CHECK(s.next_close(utc(k_mon_jun1, 23h), tz) == utc(k_tue_jun2, 6h));
    CHECK(s.next_open(utc(k_mon_jun1, 23h), tz) == utc(k_mon_jun8, 22h));
    CHECK(s.next_open(utc(k_mon_jun1, 12h), tz) == utc(k_mon_jun1, 22h));
  }
  SUBCASE("once a week: a full week ahead") {
    const auto s = schedule("wed 10:00-11:00");
    CHECK(s.next_open(utc(k_wed_jun3, 10h + 30min), tz) == utc(k_wed_jun3, 10h) + 24h * 7);
    CHECK(s.next_close(utc(k_wed_jun3, 10h + 30min), tz) == utc(k_wed_jun3, 11h));
    CHECK(s.next_close(utc(k_wed_jun3, 11h), tz) == utc(k_wed_jun3, 11h) + 24h * 7);
  }
  SUBCASE("an overnight window across the week boundary") {
    const auto s = schedule("sun 22:00-02:00");
    CHECK(s.next_close(utc(k_sun_jun7, 23h), tz) == utc(k_mon_jun8, 2h));
    CHECK(s.next_open(utc(k_mon_jun8, 1h), tz) == utc(k_sun_jun7, 22h) + 24h * 7);
  }
  SUBCASE("always open: nothing opens or closes") {
    const WeeklySchedule open;
    CHECK_FALSE(open.next_open(utc(k_mon_jun1), tz).has_value());
    CHECK_FALSE(open.next_close(utc(k_mon_jun1), tz).has_value());
  }
  SUBCASE("rules covering all time: nothing opens or closes") {
    for (const char* spec :
         {"daily 00:00-24:00", "daily 06:00-18:00; daily 18:00-06:00", "mon-sun 12:00-24:00; 00:00-12:00"}) {
      CAPTURE(spec);
      const auto s = schedule(spec);
      CHECK_FALSE(s.next_open(utc(k_wed_jun3, 7h), tz).has_value());
      CHECK_FALSE(s.next_close(utc(k_wed_jun3, 7h), tz).has_value());
      CHECK(s.contains(utc(k_wed_jun3, 7h), tz));
    }
  }
  SUBCASE("a one-minute gap a week is found") {
    // Closed only on Tuesdays 23:59-24:00.
    const auto gap = schedule("mon,wed-sun 00:00-24:00; tue 00:00-23:59");
    CHECK(gap.next_close(utc(k_wed_jun3, 12h), tz) == utc(k_tue_jun2, 23h + 59min) + 24h * 7);
    CHECK(gap.next_open(utc(k_wed_jun3, 12h), tz) == utc(k_wed_jun3) + 24h * 7);
    CHECK_FALSE(gap.contains(utc(k_tue_jun2, 23h + 59min), tz));
  }
}

// ---- DST: Europe/Berlin 2026-03-29 02:00 CET -> 03:00 CEST (at 01:00 UTC) and
// 2026-10-25 03:00 CEST -> 02:00 CET (at 01:00 UTC).

TEST_CASE("WeeklySchedule: Europe/Berlin spring forward") {
  const auto* berlin = zone("Europe/Berlin");
  const auto sun = date::year{2026} / 3 / 29;
  const auto sat = date::year{2026} / 3 / 28;
  const auto day_span = [&](const WeeklySchedule& s) { return s.intervals(utc(sat, 12h), utc(sun, 23h), berlin); };
  SUBCASE("an end inside the gap closes when the gap ends") {
    const auto spans = day_span(schedule("sun 01:30-02:30"));
    CAPTURE(show(spans));
    // 01:30 CET = 00:30 UTC; 02:30 does not exist, the gap ends at 01:00 UTC.
    CHECK(spans == std::vector<Interval>{{utc(sun, 30min), utc(sun, 1h)}});
  }
  SUBCASE("a start inside the gap opens when the gap ends") {
    const auto spans = day_span(schedule("sun 02:30-03:30"));
    CAPTURE(show(spans));
    // 03:30 CEST = 01:30 UTC.
    CHECK(spans == std::vector<Interval>{{utc(sun, 1h), utc(sun, 1h + 30min)}});
    const auto s = schedule("sun 02:30-03:30");
    CHECK_FALSE(s.contains(utc(sun, 1h) - 1us, berlin));
    CHECK(s.contains(utc(sun, 1h), berlin));
  }
  SUBCASE("a window entirely inside the gap does not happen that day") {
    const auto s = schedule("sun 02:00-02:30");
    CHECK(day_span(s).empty());
    CHECK_FALSE(s.contains(utc(sun, 1h), berlin));
    // Next Sunday (CEST) it is 00:00-00:30 UTC.
    CHECK(s.next_open(utc(sat, 12h), berlin) == utc(date::year{2026} / 4 / 5));
    CHECK(s.next_close(utc(sat, 12h), berlin) == utc(date::year{2026} / 4 / 5, 30min));
  }
  SUBCASE("an overnight window over the change is an hour shorter") {
    const auto spans = day_span(schedule("sat 22:00-06:00"));
    CAPTURE(show(spans));
    // 22:00 CET = 21:00 UTC; 06:00 CEST = 04:00 UTC.
    REQUIRE(spans.size() == 1);
    CHECK(spans[0] == Interval{utc(sat, 21h), utc(sun, 4h)});
    CHECK(spans[0].end - spans[0].begin == 7h);
  }
  SUBCASE("office hours stay at 09:00-17:00 on the wall clock") {
    const auto s = schedule("mon-fri 09:00-17:00");
    const auto fri = date::year{2026} / 3 / 27;
    const auto mon = date::year{2026} / 3 / 30;
    const auto spans = s.intervals(utc(fri), utc(date::year{2026} / 3 / 31), berlin);
    CAPTURE(show(spans));
    CHECK(spans == std::vector<Interval>{{utc(fri, 8h), utc(fri, 16h)}, {utc(mon, 7h), utc(mon, 15h)}});
    CHECK(s.next_open(utc(fri, 18h), berlin) == utc(mon, 7h));
    CHECK(s.next_close(utc(fri, 18h), berlin) == utc(mon, 15h));
    CHECK(s.contains(utc(mon, 7h), berlin));
    CHECK_FALSE(s.contains(utc(mon, 7h) - 1us, berlin));
    CHECK_FALSE(s.contains(utc(mon, 15h), berlin));
  }
  SUBCASE("rules that touch on the wall clock across the gap still touch") {
    const auto spans = day_span(schedule("sun 00:00-02:00; sun 03:00-05:00"));
    CAPTURE(show(spans));
    // 02:00 CET does not exist either: both meet at 01:00 UTC, one window.
    CHECK(spans == std::vector<Interval>{{utc(sat, 23h), utc(sun, 3h)}});
  }
}

TEST_CASE("WeeklySchedule: Europe/Berlin fall back") {
  const auto* berlin = zone("Europe/Berlin");
  const auto sun = date::year{2026} / 10 / 25;
  const auto sat = date::year{2026} / 10 / 24;
  const auto day_span = [&](const WeeklySchedule& s) { return s.intervals(utc(sat, 12h), utc(sun, 23h), berlin); };
  SUBCASE("a window spanning the repeated hour is one hour longer") {
    const auto spans = day_span(schedule("sun 01:00-04:00"));
    CAPTURE(show(spans));
    // 01:00 CEST = 23:00 UTC the day before; 04:00 CET = 03:00 UTC.
    REQUIRE(spans.size() == 1);
    CHECK(spans[0] == Interval{utc(sat, 23h), utc(sun, 3h)});
    CHECK(spans[0].end - spans[0].begin == 4h);
  }
  SUBCASE("an overnight window over the change is an hour longer") {
    const auto spans = day_span(schedule("sat 22:00-06:00"));
    REQUIRE(spans.size() == 1);
    CHECK(spans[0] == Interval{utc(sat, 20h), utc(sun, 5h)});
    CHECK(spans[0].end - spans[0].begin == 9h);
  }
  SUBCASE("a window inside the repeated hour happens on both passes") {
    const auto s = schedule("sun 02:15-02:45");
    const auto spans = day_span(s);
    CAPTURE(show(spans));
    // 02:15-02:45 CEST = 00:15-00:45 UTC, then 02:15-02:45 CET = 01:15-01:45 UTC.
    CHECK(spans ==
          std::vector<Interval>{{utc(sun, 15min), utc(sun, 45min)}, {utc(sun, 1h + 15min), utc(sun, 1h + 45min)}});
    CHECK(s.contains(utc(sun, 30min), berlin));        // 02:30 CEST
    CHECK_FALSE(s.contains(utc(sun, 50min), berlin));  // 02:50 CEST: the clock is past 02:45
    CHECK_FALSE(s.contains(utc(sun, 1h), berlin));     // 02:00 CET: the clock is before 02:15
    CHECK(s.contains(utc(sun, 1h + 30min), berlin));   // 02:30 CET
    CHECK_FALSE(s.contains(utc(sun, 1h + 45min), berlin));
  }
  SUBCASE("an end in the repeated hour: the clock passes it twice") {
    const auto spans = day_span(schedule("sun 00:00-02:30"));
    CAPTURE(show(spans));
    // Until 02:30 CEST (00:30 UTC); again from 02:00 CET (01:00 UTC) to 02:30 CET (01:30 UTC).
    CHECK(spans == std::vector<Interval>{{utc(sat, 22h), utc(sun, 30min)}, {utc(sun, 1h), utc(sun, 1h + 30min)}});
  }
  SUBCASE("a start in the repeated hour: the clock reaches it twice") {
    const auto spans = day_span(schedule("sun 02:30-05:00"));
    CAPTURE(show(spans));
    // From 02:30 CEST (00:30 UTC) to 03:00 CEST = 02:00 CET (01:00 UTC); again from 02:30 CET (01:30 UTC).
    CHECK(spans == std::vector<Interval>{{utc(sun, 30min), utc(sun, 1h)}, {utc(sun, 1h + 30min), utc(sun, 4h)}});
  }
  SUBCASE("office hours stay at 09:00-17:00 on the wall clock") {
    const auto s = schedule("mon-fri 09:00-17:00");
    const auto fri = date::year{2026} / 10 / 23;
    const auto mon = date::year{2026} / 10 / 26;
    const auto spans = s.intervals(utc(fri), utc(date::year{2026} / 10 / 27), berlin);
    CAPTURE(show(spans));
    CHECK(spans == std::vector<Interval>{{utc(fri, 7h), utc(fri, 15h)}, {utc(mon, 8h), utc(mon, 16h)}});
    CHECK(s.next_open(utc(fri, 16h), berlin) == utc(mon, 8h));
    CHECK(s.next_close(utc(mon, 12h), berlin) == utc(mon, 16h));
  }
}

// ---- DST: America/New_York 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC) and
// 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC).

TEST_CASE("WeeklySchedule: America/New_York transitions") {
  const auto* new_york = zone("America/New_York");
  SUBCASE("spring forward") {
    const auto sun = date::year{2026} / 3 / 8;
    const auto sat = date::year{2026} / 3 / 7;
    const auto in_day = [&](const char* spec) {
      return schedule(spec).intervals(utc(sat, 12h), utc(date::year{2026} / 3 / 9), new_york);
    };
    CHECK(in_day("sun 01:30-02:30") == std::vector<Interval>{{utc(sun, 6h + 30min), utc(sun, 7h)}});
    CHECK(in_day("sun 02:30-03:30") == std::vector<Interval>{{utc(sun, 7h), utc(sun, 7h + 30min)}});
    CHECK(in_day("sun 02:05-02:55").empty());
    const auto overnight = in_day("sat 22:00-06:00");
    REQUIRE(overnight.size() == 1);
    CHECK(overnight[0] == Interval{utc(date::year{2026} / 3 / 8, 3h), utc(sun, 10h)});
    CHECK(overnight[0].end - overnight[0].begin == 7h);
  }
  SUBCASE("office hours before and after spring forward") {
    const auto s = schedule("mon-fri 09:00-17:00");
    const auto fri = date::year{2026} / 3 / 6;
    const auto mon = date::year{2026} / 3 / 9;
    CHECK(s.intervals(utc(fri), utc(date::year{2026} / 3 / 10), new_york) ==
          std::vector<Interval>{{utc(fri, 14h), utc(fri, 22h)}, {utc(mon, 13h), utc(mon, 21h)}});
    CHECK(s.next_open(utc(fri, 23h), new_york) == utc(mon, 13h));
  }
  SUBCASE("fall back") {
    const auto sun = date::year{2026} / 11 / 1;
    const auto in_day = [&](const char* spec) {
      return schedule(spec).intervals(utc(date::year{2026} / 10 / 31, 12h), utc(date::year{2026} / 11 / 2), new_york);
    };
    const auto overnight = in_day("sat 22:00-06:00");
    REQUIRE(overnight.size() == 1);
    // 22:00 EDT = 02:00 UTC; 06:00 EST = 11:00 UTC.
    CHECK(overnight[0] == Interval{utc(sun, 2h), utc(sun, 11h)});
    CHECK(overnight[0].end - overnight[0].begin == 9h);
    // 01:30-01:45 EDT (05:30-05:45 UTC), then 01:30-01:45 EST (06:30-06:45 UTC).
    CHECK(in_day("sun 01:30-01:45") == std::vector<Interval>{{utc(sun, 5h + 30min), utc(sun, 5h + 45min)},
                                                             {utc(sun, 6h + 30min), utc(sun, 6h + 45min)}});
  }
  SUBCASE("office hours before and after fall back") {
    const auto s = schedule("mon-fri 09:00-17:00");
    const auto fri = date::year{2026} / 10 / 30;
    const auto mon = date::year{2026} / 11 / 2;
    CHECK(s.intervals(utc(fri), utc(date::year{2026} / 11 / 3), new_york) ==
          std::vector<Interval>{{utc(fri, 13h), utc(fri, 21h)}, {utc(mon, 14h), utc(mon, 22h)}});
    CHECK(s.next_close(utc(mon, 14h), new_york) == utc(mon, 22h));
  }
}

TEST_SUITE_END();
