#include "util/time.hpp"

#include "util/duration.hpp"
#include "util/strings.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <optional>
#include <string>

namespace pk::util {

namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view k_time_forms =
    "expected an ISO 8601 date or date-time (\"2026-11-22\", \"2026-11-22T09:00\", "
    "\"2026-11-22T09:00:30.5\", \"2026-11-22T09:00:00Z\", \"2026-11-22T09:00+01:00\"), "
    "\"now\", \"today\", \"yesterday\", or a time relative to now (\"-24h\" or \"24h\" "
    "ago, \"+2h\" ahead)";

std::unexpected<Error> time_error(std::string_view text, std::string_view why) {
  if (why.empty()) {
    return invalid_input(fmt::format("invalid time \"{}\": {}", text, k_time_forms));
  }
  return invalid_input(fmt::format("invalid time \"{}\": {}; {}", text, why, k_time_forms));
}

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) {
      return false;
    }
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS" plus ".ffffff" when t has a fraction of a second.
std::string format_wall(date::local_time<microseconds> t) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<microseconds> tod{t - day};
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                tod.hours().count(), tod.minutes().count(), tod.seconds().count());
  if (tod.subseconds().count() != 0) {
    out += fmt::format(".{:06}", tod.subseconds().count());
  }
  return out;
}

date::local_time<microseconds> as_local(SysMicros t, seconds offset) {
  return date::local_time<microseconds>{t.time_since_epoch() + offset};
}

seconds offset_at(SysMicros t, const date::time_zone* zone) { return zone->get_info(date::floor<seconds>(t)).offset; }

// A cursor over the text of an ISO 8601 date-time.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  bool done() const { return m_pos == m_text.size(); }
  char peek() const { return done() ? '\0' : m_text[m_pos]; }
  void skip() { ++m_pos; }

  bool accept(char c) {
    if (peek() == c) {
      ++m_pos;
      return true;
    }
    return false;
  }

  // Exactly n decimal digits.
  std::optional<int> digits(std::size_t n) {
    if (m_text.size() - m_pos < n) {
      return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = m_text[m_pos + i];
      if (!is_digit(c)) {
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
    }
    m_pos += n;
    return value;
  }

  // One or more decimal digits.
  std::string_view digit_run() {
    const std::size_t begin = m_pos;
    while (!done() && is_digit(m_text[m_pos])) {
      ++m_pos;
    }
    return m_text.substr(begin, m_pos - begin);
  }

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

// Parses the ISO 8601 forms of parse_time_point.
Expected<SysMicros> parse_iso(std::string_view text, const date::time_zone* zone) {
  Cursor in(text);
  const auto year = in.digits(4);
  if (!year || !in.accept('-')) {
    return time_error(text, "");
  }
  const auto month = in.digits(2);
  if (!month || !in.accept('-')) {
    return time_error(text, "the date must be YYYY-MM-DD");
  }
  const auto day = in.digits(2);
  if (!day) {
    return time_error(text, "the date must be YYYY-MM-DD");
  }
  const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                 date::day{static_cast<unsigned>(*day)}};
  if (!ymd.month().ok()) {
    return time_error(text, fmt::format("month {:02} does not exist", *month));
  }
  if (!ymd.ok()) {
    return time_error(text, fmt::format("day {:02} does not exist in that month", *day));
  }
  const date::local_days local_day{ymd};
  if (in.done()) {
    return SysMicros{zone->to_sys(local_day, date::choose::earliest)};
  }

  const char sep = in.peek();
  if (sep != 'T' && sep != 't' && sep != ' ') {
    return time_error(text, "the date must be followed by 'T' or a space and HH:MM");
  }
  in.skip();
  const auto hour = in.digits(2);
  if (!hour || !in.accept(':')) {
    return time_error(text, "the time must be HH:MM, HH:MM:SS or HH:MM:SS.ffffff");
  }
  const auto minute = in.digits(2);
  if (!minute) {
    return time_error(text, "the time must be HH:MM, HH:MM:SS or HH:MM:SS.ffffff");
  }
  int second = 0;
  microseconds fraction{0};
  if (in.accept(':')) {
    const auto sec = in.digits(2);
    if (!sec) {
      return time_error(text, "the seconds must be two digits");
    }
    second = *sec;
    if (in.accept('.') || in.accept(',')) {
      const std::string_view frac = in.digit_run();
      if (frac.empty() || frac.size() > 9) {
        return time_error(text, "a fraction of a second must have 1 to 9 digits");
      }
      // Digits beyond the sixth (nanoseconds) are truncated.
      std::int64_t us = 0;
      for (std::size_t i = 0; i < 6; ++i) {
        us = us * 10 + (i < frac.size() ? frac[i] - '0' : 0);
      }
      fraction = microseconds{us};
    }
  }
  if (*hour > 23 || *minute > 59 || second > 59) {
    return time_error(text, "the time of day is out of range (00:00:00 to 23:59:59)");
  }
  const auto wall =
      date::local_time<microseconds>{local_day} + hours{*hour} + minutes{*minute} + seconds{second} + fraction;

  if (in.done()) {
    // Wall time in `zone`: a gap resolves to its end, an overlap to the earlier instant.
    return SysMicros{zone->to_sys(wall, date::choose::earliest)};
  }

  seconds offset{0};
  if (in.accept('Z') || in.accept('z')) {
    // UTC.
  } else if (in.peek() == '+' || in.peek() == '-') {
    const bool negative = in.peek() == '-';
    in.skip();
    const auto off_h = in.digits(2);
    if (!off_h) {
      return time_error(text, "the offset must be Z, +HH:MM, +HHMM or +HH");
    }
    int off_m = 0;
    if (!in.done()) {
      in.accept(':');
      const auto m = in.digits(2);
      if (!m) {
        return time_error(text, "the offset must be Z, +HH:MM, +HHMM or +HH");
      }
      off_m = *m;
    }
    if (*off_h > 23 || off_m > 59) {
      return time_error(text, "the offset is out of range");
    }
    offset = hours{*off_h} + minutes{off_m};
    if (negative) {
      offset = -offset;
    }
  } else {
    return time_error(text, "unexpected text after the time");
  }
  if (!in.done()) {
    return time_error(text, "unexpected text after the offset");
  }
  return SysMicros{wall.time_since_epoch() - offset};
}

}  // namespace

SysMicros now_utc() { return date::floor<microseconds>(std::chrono::system_clock::now()); }

Expected<const date::time_zone*> locate_zone(std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    return invalid_input(
        fmt::format("unknown time zone \"{}\": expected an IANA name such as \"Europe/Berlin\" or \"UTC\"", name));
  }
}

const date::time_zone* local_zone() {
  if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
    std::string_view name{tz};
    if (name.front() == ':') {
      name.remove_prefix(1);
    }
    if (auto zone = locate_zone(name)) {
      return *zone;
    }
  }
  try {
    return date::current_zone();
  } catch (const std::exception&) {
    // No usable /etc/localtime: fall through to UTC.
  }
  // Throws std::runtime_error only when the tz database has no UTC at all.
  return date::locate_zone("UTC");
}

std::string format_iso_utc(SysMicros t) { return format_wall(as_local(t, seconds{0})) + "Z"; }

std::string format_iso_local(SysMicros t, const date::time_zone* zone) {
  return format_iso_offset(t, offset_at(t, zone));
}

std::string format_iso_offset(SysMicros t, seconds offset) {
  std::string out = format_wall(as_local(t, offset));
  const auto magnitude = offset < seconds{0} ? -offset : offset;
  const date::hh_mm_ss<seconds> off{magnitude};
  out += fmt::format("{}{:02}:{:02}", offset < seconds{0} ? '-' : '+', off.hours().count(), off.minutes().count());
  if (off.seconds().count() != 0) {
    // Only historic local mean time offsets have seconds.
    out += fmt::format(":{:02}", off.seconds().count());
  }
  return out;
}

std::string format_table_time(SysMicros t, const date::time_zone* zone, bool millis) {
  const auto info = zone->get_info(date::floor<seconds>(t));
  const auto local = as_local(date::floor<seconds>(t), info.offset);
  std::string out = format_wall(local);
  out[10] = ' ';
  if (millis) {
    const auto ms = date::floor<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    out += fmt::format(".{:03}", ms < 0 ? ms + 1000 : ms);
  }
  return out + " " + info.abbrev;
}

namespace {

Expected<SysMicros> parse_any_time_point(std::string_view text, SysMicros now, const date::time_zone* zone);

}  // namespace

Expected<SysMicros> parse_time_point(std::string_view text, SysMicros now, const date::time_zone* zone) {
  auto t = parse_any_time_point(text, now, zone);
  if (!t) return t;
  // Instants are written as ISO 8601 with four-digit years (UTC), and must
  // read back as written: an offset that moves a date out of the years
  // 0000-9999 is refused (invalid_input, as every other malformed time).
  constexpr auto k_first = date::sys_days{date::year{0} / 1 / 1};
  constexpr auto k_end = date::sys_days{date::year{10000} / 1 / 1};
  if (*t < k_first || *t >= k_end) return time_error(text, "the instant must lie in the years 0000 to 9999 (UTC)");
  return t;
}

namespace {

Expected<SysMicros> parse_any_time_point(std::string_view text, SysMicros now, const date::time_zone* zone) {
  if (text.empty()) {
    return time_error(text, "empty");
  }
  if (is_space(text.front()) || is_space(text.back())) {
    return time_error(text, "white space around the time is not allowed");
  }
  if (equals_ci(text, "now")) {
    return now;
  }
  if (equals_ci(text, "today") || equals_ci(text, "yesterday")) {
    auto day = date::floor<date::days>(zone->to_local(now));
    if (equals_ci(text, "yesterday")) {
      day -= date::days{1};
    }
    return SysMicros{zone->to_sys(day, date::choose::earliest)};
  }
  if (text.size() >= 5 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3]) &&
      text[4] == '-') {
    return parse_iso(text, zone);
  }
  if (text.front() == '+' || text.front() == '-') {
    auto d = parse_duration(text.substr(1));
    if (!d) {
      return time_error(text, "the relative time is not a duration");
    }
    return text.front() == '+' ? now + *d : now - *d;
  }
  if (is_digit(text.front())) {
    if (auto d = parse_duration(text)) {
      return now - *d;
    }
  }
  return time_error(text, "");
}

}  // namespace

}  // namespace pk::util
