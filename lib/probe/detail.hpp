#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pk::probe {

// The Reply::detail of an ICMP error: "from 192.0.2.1: host unreachable",
// naming the router or host that sent it and the reason (packet.hpp's
// classify_error wording).
std::string format_error_detail(std::string_view from, std::string_view reason);

// The two parts of a detail written by format_error_detail; nullopt for any
// other detail (a local error such as "Network is unreachable").
struct ErrorDetail {
  std::string from;
  std::string reason;
};
std::optional<ErrorDetail> split_error_detail(std::string_view detail);

}  // namespace pk::probe
