// Target hosts (lib/core/host.hpp, classify_host): --host, import files, the
// API. Invariants: what is called an address is one to inet_pton, and what
// is called a name has the length and characters of a DNS name.
#include "fuzz_target.hpp"
#include "core/host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = pk::fuzz::as_text(data, size);
  const auto kind = pk::core::classify_host(text);
  if (!kind) {
    PK_FUZZ_CHECK(!kind.error().message.empty());
    return 0;
  }
  const std::string host(text);
  unsigned char address[16];
  switch (*kind) {
    case pk::core::HostKind::ipv4:
      PK_FUZZ_CHECK(inet_pton(AF_INET, host.c_str(), address) == 1);
      break;
    case pk::core::HostKind::ipv6:
      PK_FUZZ_CHECK(inet_pton(AF_INET6, host.substr(0, host.find('%')).c_str(), address) == 1);
      break;
    case pk::core::HostKind::dns_name:
      PK_FUZZ_CHECK(!host.empty() && host.size() <= 254);
      PK_FUZZ_CHECK(std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      }));
      break;
  }
  return 0;
}
