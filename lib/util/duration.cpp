#include "util/duration.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <string>

namespace pk::util {

namespace {

struct Unit {
  std::string_view name;
  std::int64_t micros;
};

// Largest first: the order terms must appear in, and the order format uses.
constexpr std::array<Unit, 8> k_units{{
    {"y", std::int64_t{365} * 24 * 3600 * 1000 * 1000},
    {"w", std::int64_t{7} * 24 * 3600 * 1000 * 1000},
    {"d", std::int64_t{24} * 3600 * 1000 * 1000},
    {"h", std::int64_t{3600} * 1000 * 1000},
    {"m", std::int64_t{60} * 1000 * 1000},
    {"s", std::int64_t{1000} * 1000},
    {"ms", std::int64_t{1000}},
    {"us", std::int64_t{1}},
}};

// 100 Gregorian years (36524.25 days): the largest duration accepted.
constexpr std::int64_t k_max_micros = std::chrono::duration_cast<Micros>(std::chrono::years{100}).count();

// Fraction digits beyond this many (after dropping trailing zeros) can never
// be a whole number of microseconds for any unit up to a year.
constexpr std::size_t k_max_fraction_digits = 18;

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

std::unexpected<Error> duration_error(std::string_view text, std::string_view why) {
  return invalid_input(
      fmt::format("invalid duration \"{}\": {}; expected e.g. \"250ms\", \"5s\", \"1h30m\" "
                  "(units us, ms, s, m, h, d, w, y, largest first)",
                  text, why));
}

}  // namespace

Expected<Micros> parse_duration(std::string_view text) {
  if (text.empty()) {
    return duration_error(text, "empty");
  }
  if (text == "0") {
    return Micros{0};
  }

  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into k_units of the smallest unit still allowed
  std::size_t terms = 0;
  bool had_fraction = false;
  std::size_t pos = 0;

  while (pos < text.size()) {
    // <integer>
    const std::size_t int_begin = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      ++pos;
    }
    if (pos == int_begin) {
      if (text[pos] == '-' || text[pos] == '+') {
        return duration_error(text, "signs are not allowed");
      }
      if (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r') {
        return duration_error(text, "white space is not allowed");
      }
      return duration_error(text, "a number must come before each unit");
    }
    const std::string_view int_digits = text.substr(int_begin, pos - int_begin);

    // ["." <digits>]
    std::string_view frac_digits;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const std::size_t frac_begin = pos;
      while (pos < text.size() && is_digit(text[pos])) {
        ++pos;
      }
      if (pos == frac_begin) {
        return duration_error(text, "a decimal point must be followed by digits");
      }
      frac_digits = text.substr(frac_begin, pos - frac_begin);
    }

    // <unit>
    const std::size_t unit_begin = pos;
    while (pos < text.size() && is_lower(text[pos])) {
      ++pos;
    }
    const std::string_view unit_name = text.substr(unit_begin, pos - unit_begin);
    if (unit_name.empty()) {
      if (pos == text.size()) {
        return duration_error(text, "missing unit");
      }
      const auto byte = static_cast<unsigned char>(text[pos]);
      if (byte >= 0x80) {
        return duration_error(text, "unexpected non-ASCII text (write microseconds as \"us\")");
      }
      if (byte < 0x20 || byte == 0x7f) {
        return duration_error(text, fmt::format("unexpected byte 0x{:02x}", byte));
      }
      return duration_error(text, fmt::format("unexpected character '{}'", text[pos]));
    }
    std::size_t unit_index = k_units.size();
    for (std::size_t i = 0; i < k_units.size(); ++i) {
      if (k_units[i].name == unit_name) {
        unit_index = i;
        break;
      }
    }
    if (unit_index == k_units.size()) {
      return duration_error(text, fmt::format("unknown unit \"{}\"", unit_name));
    }
    if (unit_index < next_unit) {
      return duration_error(text, fmt::format("unit \"{}\" repeated or out of order", unit_name));
    }
    next_unit = unit_index + 1;
    ++terms;
    if (!frac_digits.empty()) {
      had_fraction = true;
    }
    if (had_fraction && terms > 1) {
      return duration_error(text, "only a single term may have a fraction");
    }

    const std::int64_t unit_us = k_units[unit_index].micros;

    // Integer part; stops as soon as it is beyond the limit, before it can overflow.
    std::int64_t whole = 0;
    for (const char c : int_digits) {
      whole = whole * 10 + (c - '0');
      if (whole > k_max_micros) {
        return duration_error(text, "longer than 100 years");
      }
    }
    if (whole > k_max_micros / unit_us) {
      return duration_error(text, "longer than 100 years");
    }
    std::int64_t term = whole * unit_us;

    // Fraction part: exact, or rejected when finer than a microsecond.
    while (!frac_digits.empty() && frac_digits.back() == '0') {
      frac_digits.remove_suffix(1);
    }
    if (!frac_digits.empty()) {
      if (frac_digits.size() > k_max_fraction_digits) {
        return duration_error(text, "finer than a microsecond");
      }
      // fraction = f / 10^n; f * unit / 10^n is whole iff 10^n / gcd divides f.
      std::int64_t f = 0;
      std::int64_t pow10 = 1;
      for (const char c : frac_digits) {
        f = f * 10 + (c - '0');
        pow10 *= 10;
      }
      const std::int64_t g = std::gcd(unit_us, pow10);
      const std::int64_t divisor = pow10 / g;
      if (f % divisor != 0) {
        return duration_error(text, "finer than a microsecond");
      }
      term += (f / divisor) * (unit_us / g);
    }

    if (term > k_max_micros - total) {
      return duration_error(text, "longer than 100 years");
    }
    total += term;
  }

  return Micros{total};
}

Expected<std::optional<Micros>> parse_optional_duration(const std::optional<std::string>& text) {
  if (!text) return std::optional<Micros>{};
  auto d = parse_duration(*text);
  if (!d) return std::unexpected(d.error());
  return std::optional<Micros>{*d};
}

std::string format_duration(Micros d) {
  const std::int64_t count = d.count();
  if (count == 0) {
    return "0s";
  }
  std::string out;
  // Magnitude in unsigned arithmetic so that the most negative value works.
  auto rest = static_cast<std::uint64_t>(count);
  if (count < 0) {
    out += '-';
    rest = std::uint64_t{0} - rest;
  }
  for (const Unit& unit : k_units) {
    const auto unit_us = static_cast<std::uint64_t>(unit.micros);
    const std::uint64_t n = rest / unit_us;
    if (n > 0) {
      out += std::to_string(n);
      out += unit.name;
      rest -= n * unit_us;
    }
  }
  return out;
}

}  // namespace pk::util
