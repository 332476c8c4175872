#pragma once

#include "probe/address.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <span>

// Big-endian reads and writes over packet bytes, and IP addresses as bytes.
// Internal to lib/probe.
namespace pk::probe::bytes {

inline constexpr std::size_t k_ipv4_min_header = 20;
inline constexpr std::size_t k_ipv6_header = 40;
inline constexpr std::uint8_t k_proto_icmp = 1;

inline std::uint16_t be16(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

inline std::uint32_t be32(std::span<const std::uint8_t> d, std::size_t at) {
  return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) | (std::uint32_t{d[at + 2]} << 8) |
         std::uint32_t{d[at + 3]};
}

inline void put16(std::span<std::uint8_t> d, std::size_t at, std::uint16_t v) {
  d[at] = static_cast<std::uint8_t>(v >> 8);
  d[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

inline void put32(std::span<std::uint8_t> d, std::size_t at, std::uint32_t v) {
  put16(d, at, static_cast<std::uint16_t>(v >> 16));
  put16(d, at + 2, static_cast<std::uint16_t>(v & 0xffff));
}

// The address in `ip` (4 bytes IPv4, 16 bytes IPv6), without a port.
inline Address address_of(std::span<const std::uint8_t> ip) {
  if (ip.size() == 16) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    std::memcpy(&sin6.sin6_addr, ip.data(), 16);
    return Address(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  std::memcpy(&sin.sin_addr, ip.data(), 4);
  return Address(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
}

// The 4 or 16 bytes of an address's IP.
inline std::span<const std::uint8_t> ip_bytes(const Address& a) {
  if (a.is_v6()) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a.sockaddr_ptr());
    return {reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr), 16};
  }
  const auto* sin = reinterpret_cast<const sockaddr_in*>(a.sockaddr_ptr());
  return {reinterpret_cast<const std::uint8_t*>(&sin->sin_addr), 4};
}

}  // namespace pk::probe::bytes
