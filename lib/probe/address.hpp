#pragma once

#include <cstdint>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace pk::probe {

// An IPv4 or IPv6 socket address (with a port for TCP, 0 otherwise).
class Address {
 public:
  Address() = default;
  Address(const sockaddr* sa, socklen_t len);

  // Parses a numeric IPv4 or IPv6 literal (IPv6 may carry "%zone"); nullopt
  // for anything else (names go through the Resolver).
  static std::optional<Address> parse_literal(std::string_view host, std::uint16_t port = 0);

  int family() const { return m_storage.ss_family; }  // AF_INET or AF_INET6
  bool is_v6() const { return family() == AF_INET6; }
  std::uint16_t port() const;
  Address with_port(std::uint16_t port) const;
  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&m_storage); }
  socklen_t length() const { return m_length; }

  // "192.0.2.1" or "2001:db8::1" (no port).
  std::string to_string() const;

  friend bool operator==(const Address& a, const Address& b);
  // The same IP address, ports and IPv6 scope ignored (a quoted header has neither).
  friend bool same_ip(const Address& a, const Address& b);

 private:
  sockaddr_storage m_storage{};
  socklen_t m_length = 0;
};

}  // namespace pk::probe
