#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pk::store {

// A reference that is all digits (1-18 of them) is an id; anything else is a name.
inline std::optional<std::int64_t> parse_id(std::string_view ref) {
  if (ref.empty() || ref.size() > 18) return std::nullopt;
  std::int64_t id = 0;
  for (char c : ref) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + static_cast<std::int64_t>(c - '0');
  }
  return id;
}

}  // namespace pk::store
