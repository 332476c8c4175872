#pragma once

#include "util/expected.hpp"

#include <string_view>

namespace pk::core {

enum class HostKind { ipv4, ipv6, dns_name };

// Classifies a target host without resolving it: a dotted-quad IPv4 literal
// (exactly four decimal octets 0-255, no leading zeros beyond "0"), an IPv6
// literal (inet_pton rules; an optional "%zone" suffix of [A-Za-z0-9_.-]+; no
// brackets), or a syntactically valid DNS name (RFC 1123: labels 1-63 chars
// of letters, digits and inner hyphens, total at most 253 chars not counting
// one optional trailing dot, and not all-numeric like "1.2.3" or "0x7f.1",
// which the C resolver would read as a malformed IPv4 address). Addresses
// that name no single host are refused: 0.0.0.0 and :: (unspecified),
// 255.255.255.255 (broadcast), 224.0.0.0/4 and ff00::/8 (multicast).
// Anything else is invalid_input: `invalid host "x": ...` saying why.
Expected<HostKind> classify_host(std::string_view host);

}  // namespace pk::core
