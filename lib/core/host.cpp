#include "core/host.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <arpa/inet.h>
#include <cstddef>
#include <netinet/in.h>
#include <string>
#include <vector>

namespace pk::core {

namespace {

using util::is_alpha;
using util::is_digit;

constexpr std::size_t k_max_name_length = 253;  // without the optional trailing dot
constexpr std::size_t k_max_label_length = 63;

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::unexpected<Error> host_error(std::string_view host, std::string_view why) {
  return invalid_input(fmt::format("invalid host \"{}\": {}", host, why));
}

// A character as a user can read it in a message.
std::string describe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte >= 0x7f) {
    return fmt::format("byte 0x{:02x}", byte);
  }
  if (c == ' ') {
    return "a space";
  }
  return fmt::format("'{}'", c);
}

// Splits on '.', keeping empty labels.
std::vector<std::string_view> split_labels(std::string_view s) {
  std::vector<std::string_view> labels;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = s.find('.', begin);
    if (dot == std::string_view::npos) {
      labels.push_back(s.substr(begin));
      return labels;
    }
    labels.push_back(s.substr(begin, dot - begin));
    begin = dot + 1;
  }
}

// A label the C resolver (inet_aton) would read as a number: decimal, octal
// or 0x-hex. A name made only of such labels is a malformed IPv4 address.
bool is_numeric_label(std::string_view label) {
  if (label.size() > 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
    return std::all_of(label.begin() + 2, label.end(), is_hex);
  }
  return !label.empty() && std::all_of(label.begin(), label.end(), is_digit);
}

// Strict dotted quad; the error says what is wrong.
Expected<HostKind> classify_ipv4(std::string_view host) {
  const auto octets = split_labels(host);
  if (octets.size() != 4 || std::any_of(octets.begin(), octets.end(), [](std::string_view o) { return o.empty(); })) {
    return host_error(host, "an IPv4 address has exactly four decimal octets, like 192.0.2.1");
  }
  for (const std::string_view octet : octets) {
    if (!std::all_of(octet.begin(), octet.end(), is_digit)) {
      return host_error(host, fmt::format("IPv4 octet \"{}\" is not a decimal number", octet));
    }
    if (octet.size() > 1 && octet[0] == '0') {
      return host_error(host, fmt::format("IPv4 octet \"{}\" has a leading zero", octet));
    }
    if (octet.size() > 3 || std::stoi(std::string(octet)) > 255) {
      return host_error(host, fmt::format("IPv4 octet \"{}\" is out of range 0-255", octet));
    }
  }
  in_addr a{};
  inet_pton(AF_INET, std::string(host).c_str(), &a);
  const std::uint32_t v = ntohl(a.s_addr);
  if (v == 0) return host_error(host, "0.0.0.0 is \"this host\", not an address to probe (use 127.0.0.1)");
  if (v == 0xffffffffU) return host_error(host, "the broadcast address cannot be a target");
  if ((v >> 28) == 0xe) return host_error(host, "a multicast address (224.0.0.0/4) cannot be a target");
  return HostKind::ipv4;
}

Expected<HostKind> classify_ipv6(std::string_view host) {
  if (host.front() == '[' || host.back() == ']') {
    return host_error(host, "write an IPv6 address without brackets, like ::1");
  }
  std::string_view address = host;
  const std::size_t percent = host.find('%');
  if (percent != std::string_view::npos) {
    address = host.substr(0, percent);
    const std::string_view zone = host.substr(percent + 1);
    if (zone.empty()) {
      return host_error(host, "the zone after '%' is empty");
    }
    for (const char c : zone) {
      if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '.' && c != '-') {
        return host_error(host, fmt::format("the zone after '%' contains {}", describe(c)));
      }
    }
  }
  // inet_pton reads a C string: reject anything that could not be part of an
  // address (including NUL bytes) before handing it over.
  const bool plausible = !address.empty() && std::all_of(address.begin(), address.end(),
                                                         [](char c) { return is_hex(c) || c == ':' || c == '.'; });
  in6_addr parsed{};
  if (!plausible || inet_pton(AF_INET6, std::string(address).c_str(), &parsed) != 1) {
    if (std::count(host.begin(), host.end(), ':') == 1) {
      return host_error(host, "not a valid IPv6 address (give a port separately, not as host:port)");
    }
    return host_error(host, "not a valid IPv6 address");
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&parsed)) {
    return host_error(host, ":: is the unspecified address, not an address to probe (use ::1)");
  }
  if (IN6_IS_ADDR_MULTICAST(&parsed)) return host_error(host, "a multicast address (ff00::/8) cannot be a target");
  return HostKind::ipv6;
}

Expected<HostKind> classify_dns_name(std::string_view host) {
  std::string_view name = host;
  if (name.size() > 1 && name.back() == '.') {
    name.remove_suffix(1);
  }
  for (const char c : name) {
    if (c == '_') {
      return host_error(host, "underscores are not allowed in host names");
    }
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.') {
      return host_error(host, fmt::format("host names cannot contain {}", describe(c)));
    }
  }
  if (name.size() > k_max_name_length) {
    return host_error(host, fmt::format("a host name has at most {} characters", k_max_name_length));
  }
  const auto labels = split_labels(name);
  for (const std::string_view label : labels) {
    if (label.empty()) {
      return host_error(host, "empty label (a leading dot or two dots in a row)");
    }
    if (label.size() > k_max_label_length) {
      return host_error(host, fmt::format("label \"{}\" is longer than {} characters", label, k_max_label_length));
    }
    if (label.front() == '-' || label.back() == '-') {
      return host_error(host, fmt::format("label \"{}\" starts or ends with a hyphen", label));
    }
  }
  if (std::all_of(labels.begin(), labels.end(), is_numeric_label)) {
    return host_error(host,
                      "a numeric name is not a host name; an IPv4 address has exactly four "
                      "decimal octets, like 192.0.2.1");
  }
  return HostKind::dns_name;
}

}  // namespace

Expected<HostKind> classify_host(std::string_view host) {
  if (host.empty()) {
    return host_error(host, "empty");
  }
  if (host.find(':') != std::string_view::npos || host.front() == '[') {
    return classify_ipv6(host);
  }
  if (std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; })) {
    return classify_ipv4(host);
  }
  return classify_dns_name(host);
}

}  // namespace pk::core
