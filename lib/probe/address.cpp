#include "probe/address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <net/if.h>
#include <netdb.h>

namespace pk::probe {

namespace {

const sockaddr_in& as_v4(const sockaddr_storage& s) { return reinterpret_cast<const sockaddr_in&>(s); }
const sockaddr_in6& as_v6(const sockaddr_storage& s) { return reinterpret_cast<const sockaddr_in6&>(s); }

}  // namespace

Address::Address(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&m_storage, sa, sizeof(sockaddr_in));
    m_length = sizeof(sockaddr_in);
  } else if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&m_storage, sa, sizeof(sockaddr_in6));
    m_length = sizeof(sockaddr_in6);
  }
}

std::optional<Address> Address::parse_literal(std::string_view host, std::uint16_t port) {
  if (host.empty() || host.size() > 255) return std::nullopt;
  const std::string text(host);
  Address a;
  if (host.find(':') == std::string_view::npos) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    // inet_pton accepts exactly the dotted quad (no octal, hex or short forms).
    if (inet_pton(AF_INET, text.c_str(), &sin.sin_addr) != 1) return std::nullopt;
    sin.sin_port = htons(port);
    a = Address(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
    return a;
  }
  // IPv6, possibly with a %zone (name or number): getaddrinfo handles both
  // without touching the network under AI_NUMERICHOST.
  addrinfo hints{};
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(text.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return std::nullopt;
  a = Address(res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (a.family() != AF_INET6) return std::nullopt;
  return a.with_port(port);
}

std::uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(as_v4(m_storage).sin_port);
  if (family() == AF_INET6) return ntohs(as_v6(m_storage).sin6_port);
  return 0;
}

Address Address::with_port(std::uint16_t port) const {
  Address a = *this;
  if (family() == AF_INET) reinterpret_cast<sockaddr_in&>(a.m_storage).sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6&>(a.m_storage).sin6_port = htons(port);
  return a;
}

std::string Address::to_string() const {
  std::array<char, INET6_ADDRSTRLEN + IF_NAMESIZE + 2> buf{};
  if (family() == AF_INET) {
    if (inet_ntop(AF_INET, &as_v4(m_storage).sin_addr, buf.data(), INET6_ADDRSTRLEN) == nullptr) return {};
    return buf.data();
  }
  if (family() == AF_INET6) {
    const auto& sin6 = as_v6(m_storage);
    if (inet_ntop(AF_INET6, &sin6.sin6_addr, buf.data(), INET6_ADDRSTRLEN) == nullptr) return {};
    std::string text = buf.data();
    if (sin6.sin6_scope_id != 0) {
      std::array<char, IF_NAMESIZE> name{};
      text += '%';
      text += if_indextoname(sin6.sin6_scope_id, name.data()) != nullptr ? std::string(name.data())
                                                                         : std::to_string(sin6.sin6_scope_id);
    }
    return text;
  }
  return {};
}

bool operator==(const Address& a, const Address& b) {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET) {
    const auto& x = as_v4(a.m_storage);
    const auto& y = as_v4(b.m_storage);
    return x.sin_addr.s_addr == y.sin_addr.s_addr && x.sin_port == y.sin_port;
  }
  if (a.family() == AF_INET6) {
    const auto& x = as_v6(a.m_storage);
    const auto& y = as_v6(b.m_storage);
    return std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof(in6_addr)) == 0 && x.sin6_port == y.sin6_port &&
           x.sin6_scope_id == y.sin6_scope_id;
  }
  return true;  // both empty
}

bool same_ip(const Address& a, const Address& b) {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET) return as_v4(a.m_storage).sin_addr.s_addr == as_v4(b.m_storage).sin_addr.s_addr;
  if (a.family() == AF_INET6) {
    return std::memcmp(&as_v6(a.m_storage).sin6_addr, &as_v6(b.m_storage).sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

}  // namespace pk::probe
