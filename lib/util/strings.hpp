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

bool starts_with_ci(std::string_view s, std::string_view prefix);

}  // namespace pk::util
