#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pk::util {

// Removes ASCII white space at both ends.
std::string_view trim(std::string_view s);

// Splits on `sep`; keeps empty fields ("a,,b" -> {"a","","b"}; "" -> {""}).
std::vector<std::string_view> split(std::string_view s, char sep);

// ASCII lower case.
std::string to_lower(std::string_view s);

// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Is `s` well-formed UTF-8 (no overlong forms, surrogates or code points
// beyond U+10FFFF)?
bool is_valid_utf8(std::string_view s);

// Text fit for a terminal line: control characters (C0 and DEL) written as
// \n, \t, \r or \xNN, and at most `max_bytes` of it (cut on a character
// boundary, "..." added) when the text is longer.
std::string printable(std::string_view s, std::size_t max_bytes = std::string_view::npos);

// ASCII character classes, independent of the C locale.
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Orders text with runs of digits compared as numbers: "10.0.0.2" before
// "10.0.0.10", "db2" before "db10". Ties fall back to plain comparison.
bool natural_less(std::string_view a, std::string_view b);

}  // namespace pk::util
