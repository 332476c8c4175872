#include "core/window.hpp"

#include "util/strings.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace pk::core {

namespace {

using util::is_alpha;
using util::is_digit;
using util::is_space;
using util::to_lower;

using std::chrono::minutes;

constexpr std::uint8_t k_all_days = 0x7f;
constexpr std::uint8_t k_weekdays = 0x1f;
constexpr std::uint8_t k_weekends = 0x60;
constexpr int k_minutes_per_day = 24 * 60;

// Look-behind and look-ahead, in local days, when searching for the next
// opening or closing. A weekly schedule that opens or closes at all does so
// within 8 days; the rest is margin for overnight rules and DST.
constexpr int k_search_before_days = 2;
constexpr int k_search_after_days = 15;

constexpr std::array<std::string_view, 7> k_short_names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> k_full_names{"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

std::unexpected<Error> window_error(std::string_view spec, std::string_view why) {
  return invalid_input(
      fmt::format("invalid window \"{}\": {}; expected e.g. \"mon-fri 09:00-17:00; sat 10:00-12:00\"", spec, why));
}

// ---- Parsing ----------------------------------------------------------------

enum class TokenKind { word, time, dash, comma };

struct Token {
  TokenKind kind = TokenKind::word;
  std::string text;  // lower-cased word, or the time as written
  int minutes = 0;   // for time tokens
};

// Reads "HH:MM" at `pos`; the value may be 24:00 (checked by the caller).
Expected<Token> lex_time(std::string_view spec, std::string_view rule, std::size_t& pos) {
  const std::size_t begin = pos;
  while (pos < rule.size() && (is_digit(rule[pos]) || rule[pos] == ':')) {
    ++pos;
  }
  const std::string_view text = rule.substr(begin, pos - begin);
  if (text.size() != 5 || text[2] != ':' || !is_digit(text[0]) || !is_digit(text[1]) || !is_digit(text[3]) ||
      !is_digit(text[4])) {
    return window_error(spec, fmt::format("time \"{}\" is not HH:MM", text));
  }
  const int hh = (text[0] - '0') * 10 + (text[1] - '0');
  const int mm = (text[3] - '0') * 10 + (text[4] - '0');
  if (hh > 24 || (hh == 24 && mm != 0)) {
    return window_error(spec, fmt::format("time \"{}\": the hour must be 00 to 23 (or 24:00 as an end)", text));
  }
  if (mm > 59) {
    return window_error(spec, fmt::format("time \"{}\": the minutes must be 00 to 59", text));
  }
  return Token{TokenKind::time, std::string(text), hh * 60 + mm};
}

Expected<std::vector<Token>> lex_rule(std::string_view spec, std::string_view rule) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < rule.size()) {
    const char c = rule[pos];
    if (is_space(c)) {
      ++pos;
    } else if (c == '-') {
      tokens.push_back(Token{TokenKind::dash, "-", 0});
      ++pos;
    } else if (c == ',') {
      tokens.push_back(Token{TokenKind::comma, ",", 0});
      ++pos;
    } else if (is_alpha(c)) {
      std::string word;
      while (pos < rule.size() && is_alpha(rule[pos])) {
        word += to_lower(rule[pos]);
        ++pos;
      }
      tokens.push_back(Token{TokenKind::word, std::move(word), 0});
    } else if (is_digit(c)) {
      auto token = lex_time(spec, rule, pos);
      if (!token) {
        return std::unexpected(token.error());
      }
      tokens.push_back(std::move(*token));
    } else {
      const auto byte = static_cast<unsigned char>(c);
      return window_error(spec, byte < 0x20 || byte >= 0x7f ? fmt::format("unexpected byte 0x{:02x}", byte)
                                                            : fmt::format("unexpected character '{}'", c));
    }
  }
  return tokens;
}

// A single day name: 0 = Monday ... 6 = Sunday.
std::optional<int> day_index(std::string_view word) {
  for (std::size_t i = 0; i < k_short_names.size(); ++i) {
    if (word == k_short_names[i] || word == k_full_names[i]) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

Expected<std::uint8_t> parse_days(std::string_view spec, const std::vector<Token>& tokens) {
  std::uint8_t days = 0;
  std::size_t i = 0;
  while (true) {
    if (i >= tokens.size() || tokens[i].kind != TokenKind::word) {
      return window_error(spec, "expected a day (mon ... sun, daily, weekdays, weekends)");
    }
    const std::string& word = tokens[i].text;
    const bool is_range = i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::dash;
    if (word == "daily" || word == "weekdays" || word == "weekends") {
      if (is_range) {
        return window_error(spec, fmt::format("\"{}\" cannot start a day range", word));
      }
      days |= word == "daily" ? k_all_days : word == "weekdays" ? k_weekdays : k_weekends;
      ++i;
    } else {
      const auto first = day_index(word);
      if (!first) {
        return window_error(spec, fmt::format("unknown day \"{}\"", word));
      }
      if (is_range) {
        if (i + 2 >= tokens.size() || tokens[i + 2].kind != TokenKind::word) {
          return window_error(spec, fmt::format("day range \"{}-\" has no end day", word));
        }
        const auto last = day_index(tokens[i + 2].text);
        if (!last) {
          return window_error(spec, fmt::format("unknown day \"{}\" in a day range", tokens[i + 2].text));
        }
        // Ranges may wrap past Sunday ("fri-mon").
        for (int d = *first;; d = (d + 1) % 7) {
          days = static_cast<std::uint8_t>(days | (1u << d));
          if (d == *last) {
            break;
          }
        }
        i += 3;
      } else {
        days = static_cast<std::uint8_t>(days | (1u << *first));
        ++i;
      }
    }
    if (i == tokens.size()) {
      return days;
    }
    if (tokens[i].kind != TokenKind::comma) {
      return window_error(spec, fmt::format("unexpected \"{}\" in the days; separate days with ','", tokens[i].text));
    }
    ++i;
  }
}

Expected<WindowRule> parse_rule(std::string_view spec, std::string_view rule) {
  auto lexed = lex_rule(spec, rule);
  if (!lexed) {
    return std::unexpected(lexed.error());
  }
  std::vector<Token>& tokens = *lexed;
  const std::size_t n = tokens.size();
  if (n < 3 || tokens[n - 3].kind != TokenKind::time || tokens[n - 2].kind != TokenKind::dash ||
      tokens[n - 1].kind != TokenKind::time) {
    return window_error(spec, fmt::format("rule \"{}\" does not end with a time range HH:MM-HH:MM", rule));
  }
  WindowRule out;
  out.start_min = tokens[n - 3].minutes;
  out.end_min = tokens[n - 1].minutes;
  if (out.start_min == k_minutes_per_day) {
    return window_error(spec, "24:00 is allowed only as an end time");
  }
  if (out.start_min == out.end_min) {
    return window_error(spec, fmt::format("rule \"{}\" starts and ends at the same time (use "
                                          "00:00-24:00 for a whole day)",
                                          rule));
  }
  tokens.resize(n - 3);
  if (tokens.empty()) {
    out.days = k_all_days;
  } else {
    auto days = parse_days(spec, tokens);
    if (!days) {
      return std::unexpected(days.error());
    }
    out.days = *days;
  }
  return out;
}

// ---- Formatting -------------------------------------------------------------

// Whether day d (0 = Monday; taken modulo 7, so -1 is Sunday) is in `days`.
bool has_day(std::uint8_t days, int d) {
  const auto bit = static_cast<unsigned>((d % 7 + 7) % 7);
  return ((static_cast<unsigned>(days) >> bit) & 1u) != 0;
}

// "daily", "mon-fri", "sat,sun", "fri-mon,wed": runs of 3+ days as ranges,
// starting with Monday's run (or the run that wraps into Monday).
std::string format_days(std::uint8_t days) {
  if ((days & k_all_days) == k_all_days) {
    return "daily";
  }
  int start = 0;
  while (has_day(days, start - 1) && start > -6) {
    --start;
  }
  std::string out;
  int d = start;
  while (d < start + 7) {
    if (!has_day(days, d)) {
      ++d;
      continue;
    }
    int run_end = d;
    while (run_end + 1 < start + 7 && has_day(days, run_end + 1)) {
      ++run_end;
    }
    const auto name = [](int day) { return k_short_names[static_cast<std::size_t>((day % 7 + 7) % 7)]; };
    if (!out.empty()) {
      out += ',';
    }
    if (run_end - d >= 2) {
      out += fmt::format("{}-{}", name(d), name(run_end));
    } else if (run_end - d == 1) {
      out += fmt::format("{},{}", name(d), name(run_end));
    } else {
      out += name(d);
    }
    d = run_end + 1;
  }
  return out;
}

std::string format_minutes(int m) { return fmt::format("{:02}:{:02}", m / 60, m % 60); }

// ---- Evaluation -------------------------------------------------------------

date::local_days local_day_of(util::SysMicros t, const date::time_zone* zone) {
  return date::floor<date::days>(zone->to_local(t));
}

// The first instant whose local date is `day` or later.
util::SysMicros day_start(date::local_days day, const date::time_zone* zone) {
  return util::SysMicros{zone->to_sys(day, date::choose::earliest)};
}

// Appends the instants whose local wall-clock time lies in [local_begin,
// local_end): for each UTC offset in force around them, the span shifted by
// that offset and clipped to when the offset holds. Across a fall-back the
// repeated hour yields two spans; a start inside a spring-forward gap opens
// when the gap ends.
void add_wall_clock_spans(date::local_seconds local_begin, date::local_seconds local_end, const date::time_zone* zone,
                          std::vector<Interval>& spans) {
  // Offsets stay within ±26 h, so the periods that matter lie in this range.
  constexpr auto k_margin = std::chrono::hours{26};
  const date::sys_seconds from{local_begin.time_since_epoch() - k_margin};
  const date::sys_seconds to{local_end.time_since_epoch() + k_margin};
  auto info = zone->get_info(from);
  for (int period = 0; period < 16 && info.begin < to; ++period) {
    const date::sys_seconds shifted_begin{local_begin.time_since_epoch() - info.offset};
    const date::sys_seconds shifted_end{local_end.time_since_epoch() - info.offset};
    const auto begin = std::max(shifted_begin, info.begin);
    const auto end = std::min(shifted_end, info.end);
    if (begin < end) spans.push_back(Interval{util::SysMicros{begin}, util::SysMicros{end}});
    if (info.end >= to) break;
    info = zone->get_info(info.end);
  }
}

// The occurrences of rules starting on local days [first, last], merged
// where they touch or overlap, in order. Empty occurrences (a rule entirely
// inside a spring-forward gap) are dropped.
std::vector<Interval> merged_occurrences(const std::vector<WindowRule>& rules, date::local_days first,
                                         date::local_days last, const date::time_zone* zone) {
  std::vector<Interval> spans;
  for (date::local_days day = first; day <= last; day += date::days{1}) {
    const int weekday = static_cast<int>(date::weekday{day}.iso_encoding()) - 1;
    for (const WindowRule& rule : rules) {
      if (!has_day(rule.days, weekday)) {
        continue;
      }
      const auto local_begin = day + minutes{rule.start_min};
      const auto end_day = rule.end_min <= rule.start_min ? day + date::days{1} : day;
      const auto local_end = end_day + minutes{rule.end_min};
      add_wall_clock_spans(local_begin, local_end, zone, spans);
    }
  }
  std::sort(spans.begin(), spans.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> merged;
  for (const Interval& span : spans) {
    if (!merged.empty() && span.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

}  // namespace

Expected<WeeklySchedule> WeeklySchedule::parse(std::string_view spec) {
  WeeklySchedule schedule;
  if (util::trim(spec).empty()) {
    return schedule;
  }
  std::size_t begin = 0;
  while (true) {
    const std::size_t semi = spec.find(';', begin);
    const std::string_view rule =
        util::trim(spec.substr(begin, semi == std::string_view::npos ? std::string_view::npos : semi - begin));
    if (rule.empty()) {
      return window_error(spec, "empty rule (a ';' with nothing before or after it)");
    }
    auto parsed = parse_rule(spec, rule);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    schedule.m_rules.push_back(*parsed);
    if (semi == std::string_view::npos) {
      break;
    }
    begin = semi + 1;
  }
  return schedule;
}

std::string WeeklySchedule::to_string() const {
  std::string out;
  for (const WindowRule& rule : m_rules) {
    if (!out.empty()) {
      out += "; ";
    }
    out +=
        fmt::format("{} {}-{}", format_days(rule.days), format_minutes(rule.start_min), format_minutes(rule.end_min));
  }
  return out;
}

bool WeeklySchedule::contains(util::SysMicros t, const date::time_zone* zone) const {
  return always_open() || !intervals(t, t + std::chrono::microseconds{1}, zone).empty();
}

std::vector<Interval> WeeklySchedule::intervals(util::SysMicros from, util::SysMicros to,
                                                const date::time_zone* zone) const {
  if (from >= to) {
    return {};
  }
  if (always_open()) {
    return {Interval{from, to}};
  }
  const auto merged = merged_occurrences(m_rules, local_day_of(from, zone) - date::days{1},
                                         local_day_of(to, zone) + date::days{1}, zone);
  std::vector<Interval> out;
  for (const Interval& span : merged) {
    const Interval clipped{std::max(span.begin, from), std::min(span.end, to)};
    if (clipped.begin < clipped.end) {
      out.push_back(clipped);
    }
  }
  return out;
}

std::optional<util::SysMicros> WeeklySchedule::next_open(util::SysMicros t, const date::time_zone* zone) const {
  if (always_open()) {
    return std::nullopt;
  }
  // Every merged span that begins after t begins at a real opening: anything
  // before the searched days ends before t.
  const auto day = local_day_of(t, zone);
  const auto merged =
      merged_occurrences(m_rules, day - date::days{k_search_before_days}, day + date::days{k_search_after_days}, zone);
  for (const Interval& span : merged) {
    if (span.begin > t) {
      return span.begin;
    }
  }
  return std::nullopt;  // the windows cover all time
}

std::optional<util::SysMicros> WeeklySchedule::next_close(util::SysMicros t, const date::time_zone* zone) const {
  if (always_open()) {
    return std::nullopt;
  }
  const auto day = local_day_of(t, zone);
  const auto last = day + date::days{k_search_after_days};
  const auto merged = merged_occurrences(m_rules, day - date::days{k_search_before_days}, last, zone);
  // A span ending at or after the first instant of the day after `last` could
  // continue into occurrences not computed, so its end is not a real closing.
  const util::SysMicros horizon = day_start(last + date::days{1}, zone);
  for (const Interval& span : merged) {
    if (span.end > t) {
      if (span.end >= horizon) {
        return std::nullopt;  // the windows cover all time
      }
      return span.end;
    }
  }
  return std::nullopt;
}

}  // namespace pk::core
