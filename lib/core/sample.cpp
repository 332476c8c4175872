#include "core/sample.hpp"

#include <fmt/format.h>

#include <array>

namespace pk::core {

namespace {
constexpr std::array<std::string_view, 7> k_names{"ok",      "timeout",       "unreachable", "ttl_exceeded",
                                                  "refused", "resolve_error", "send_error"};
}  // namespace

std::string_view to_string(SampleStatus s) {
  auto i = static_cast<std::size_t>(s);
  return i < k_names.size() ? k_names[i] : "unknown";
}

Expected<SampleStatus> parse_sample_status(std::string_view text) {
  for (std::size_t i = 0; i < k_names.size(); ++i) {
    if (k_names[i] == text) return static_cast<SampleStatus>(i);
  }
  return invalid_input(
      fmt::format("invalid status \"{}\": use ok, timeout, unreachable, ttl_exceeded, refused, "
                  "resolve_error or send_error",
                  text));
}

}  // namespace pk::core
