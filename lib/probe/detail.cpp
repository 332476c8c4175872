#include "probe/detail.hpp"

#include <fmt/format.h>

namespace pk::probe {

std::string format_error_detail(std::string_view from, std::string_view reason) {
  return fmt::format("from {}: {}", from, reason);
}

std::optional<ErrorDetail> split_error_detail(std::string_view detail) {
  constexpr std::string_view k_prefix = "from ";
  if (!detail.starts_with(k_prefix)) return std::nullopt;
  detail.remove_prefix(k_prefix.size());
  // An address holds ':' but never ": ".
  const auto sep = detail.find(": ");
  if (sep == std::string_view::npos || sep == 0 || sep + 2 >= detail.size()) return std::nullopt;
  return ErrorDetail{std::string(detail.substr(0, sep)), std::string(detail.substr(sep + 2))};
}

}  // namespace pk::probe
