#pragma once

#include "util/expected.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pk::util {

// Splits one RFC 4180 record (no line break inside; quotes allowed):
// `a,"b ""x""",c` -> {a, b "x", c}. invalid_input on a stray or unclosed quote.
Expected<std::vector<std::string>> parse_csv_record(std::string_view line);

// Quotes a field when it holds a comma, quote, CR or LF (RFC 4180).
std::string csv_field(std::string_view field);

// Joins fields into one record, without the line ending.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace pk::util
