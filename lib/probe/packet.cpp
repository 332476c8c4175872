#include "probe/packet.hpp"

#include "probe/bytes.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <netinet/in.h>

namespace pk::probe::packet {

namespace {

using bytes::address_of;
using bytes::be16;
using bytes::be32;
using bytes::k_ipv4_min_header;
using bytes::k_ipv6_header;
using bytes::k_proto_icmp;
using bytes::put16;
using bytes::put32;

constexpr std::uint8_t k_proto_icmpv6 = 58;

// The packet an error quotes: its IP header, then (the start of) our echo
// request.
std::optional<Received> parse_quoted(std::span<const std::uint8_t> quoted, bool v6, Received r) {
  if (v6) {
    if (quoted.size() < k_ipv6_header + k_icmp_header_size) return std::nullopt;
    if ((quoted[0] >> 4) != 6 || quoted[6] != k_proto_icmpv6) return std::nullopt;
    auto echo = parse_echo_request(quoted.subspan(k_ipv6_header), true);
    if (!echo) return std::nullopt;
    r.echo = *echo;
    r.quoted_destination = address_of(quoted.subspan(24, 16));
    return r;
  }
  if (quoted.size() < k_ipv4_min_header) return std::nullopt;
  const std::size_t ihl = std::size_t{quoted[0] & 0x0fU} * 4;
  if ((quoted[0] >> 4) != 4 || ihl < k_ipv4_min_header || quoted.size() < ihl + k_icmp_header_size) {
    return std::nullopt;
  }
  if (quoted[9] != k_proto_icmp) return std::nullopt;
  if ((be16(quoted, 6) & 0x1fffU) != 0) return std::nullopt;  // not the first fragment: no ICMP header
  auto echo = parse_echo_request(quoted.subspan(ihl), false);
  if (!echo) return std::nullopt;
  r.echo = *echo;
  r.quoted_destination = address_of(quoted.subspan(16, 4));
  return r;
}

}  // namespace

bool is_error_type(bool v6, std::uint8_t type) {
  if (v6) return type == k_v6_dest_unreachable || type == k_v6_packet_too_big || type == k_v6_time_exceeded;
  return type == k_v4_dest_unreachable || type == k_v4_time_exceeded;
}

std::uint16_t checksum(std::span<const std::uint8_t> data) {
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint64_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint64_t>(data[i] << 8);
  while ((sum >> 16) != 0) sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffU);
}

void fill_pattern(std::span<std::uint8_t> payload) {
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i & 0xffU);
}

void write_match(std::span<std::uint8_t> payload, const Match& match) {
  put32(payload, 0, k_magic);
  put32(payload, 4, match.nonce);
  put32(payload, 8, match.slot);
  put32(payload, 12, match.index);
  put32(payload, 16, match.generation);
}

void write_echo_request(std::span<std::uint8_t> packet, bool v6, std::uint16_t id, std::uint16_t sequence,
                        const Match& match, bool with_checksum) {
  packet[0] = v6 ? k_v6_echo_request : k_v4_echo_request;
  packet[1] = 0;
  put16(packet, 2, 0);
  put16(packet, 4, id);
  put16(packet, 6, sequence);
  if (packet.size() >= k_icmp_header_size + k_match_size) write_match(packet.subspan(k_icmp_header_size), match);
  if (with_checksum) put16(packet, 2, checksum(packet));
}

void build_echo_request(std::span<std::uint8_t> packet, bool v6, std::uint16_t id, std::uint16_t sequence,
                        const Match& match, bool with_checksum) {
  fill_pattern(packet.subspan(k_icmp_header_size));
  write_echo_request(packet, v6, id, sequence, match, with_checksum);
}

std::optional<Match> read_match(std::span<const std::uint8_t> payload) {
  if (payload.size() < k_match_size || be32(payload, 0) != k_magic) return std::nullopt;
  return Match{be32(payload, 4), be32(payload, 8), be32(payload, 12), be32(payload, 16)};
}

std::optional<Echo> parse_echo_request(std::span<const std::uint8_t> data, bool v6) {
  if (data.size() < k_icmp_header_size) return std::nullopt;
  if (data[0] != (v6 ? k_v6_echo_request : k_v4_echo_request) || data[1] != 0) return std::nullopt;
  return Echo{be16(data, 4), be16(data, 6), read_match(data.subspan(k_icmp_header_size))};
}

std::optional<Received> parse_icmp(std::span<const std::uint8_t> data, bool v6) {
  if (data.size() < k_icmp_header_size) return std::nullopt;
  Received r;
  r.type = data[0];
  r.code = data[1];
  if (r.type == (v6 ? k_v6_echo_reply : k_v4_echo_reply)) {
    if (r.code != 0) return std::nullopt;
    r.kind = Kind::echo_reply;
    r.echo = Echo{be16(data, 4), be16(data, 6), read_match(data.subspan(k_icmp_header_size))};
    return r;
  }
  if (!is_error_type(v6, r.type)) return std::nullopt;
  r.kind = Kind::error;
  return parse_quoted(data.subspan(k_icmp_header_size), v6, r);
}

std::optional<Received> parse_ipv4_packet(std::span<const std::uint8_t> data, bool complete) {
  if (data.size() < k_ipv4_min_header) return std::nullopt;
  const std::size_t ihl = std::size_t{data[0] & 0x0fU} * 4;
  if ((data[0] >> 4) != 4 || ihl < k_ipv4_min_header || data.size() < ihl + k_icmp_header_size) {
    return std::nullopt;
  }
  if (data[9] != k_proto_icmp) return std::nullopt;
  const std::size_t total = be16(data, 2);
  if (total < ihl + k_icmp_header_size) return std::nullopt;
  if (total < data.size()) data = data.first(total);  // trailing link-layer padding
  if (total > data.size()) complete = false;
  auto icmp = data.subspan(ihl);
  if (complete && checksum(icmp) != 0) return std::nullopt;
  auto r = parse_icmp(icmp, false);
  if (r) r->ttl = data[8];
  return r;
}

ErrorClass classify_error(bool v6, std::uint8_t type, std::uint8_t code) {
  using core::SampleStatus;
  if (!v6 && type == k_v4_dest_unreachable) {
    static constexpr std::array<std::string_view, 16> k_reasons{
        "network unreachable",
        "host unreachable",
        "protocol unreachable",
        "port unreachable",
        "fragmentation needed",
        "source route failed",
        "destination network unknown",
        "destination host unknown",
        "source host isolated",
        "network administratively prohibited",
        "host administratively prohibited",
        "network unreachable for type of service",
        "host unreachable for type of service",
        "administratively prohibited",
        "host precedence violation",
        "precedence cutoff in effect",
    };
    if (code < k_reasons.size()) return {SampleStatus::unreachable, std::string(k_reasons[code])};
    return {SampleStatus::unreachable, fmt::format("destination unreachable (code {})", code)};
  }
  if (!v6 && type == k_v4_time_exceeded) {
    if (code == 0) return {SampleStatus::ttl_exceeded, "time to live exceeded"};
    if (code == 1) return {SampleStatus::ttl_exceeded, "fragment reassembly time exceeded"};
    return {SampleStatus::ttl_exceeded, fmt::format("time exceeded (code {})", code)};
  }
  if (v6 && type == k_v6_dest_unreachable) {
    static constexpr std::array<std::string_view, 7> k_reasons{
        "network unreachable",             // no route to destination
        "administratively prohibited",     //
        "beyond scope of source address",  //
        "host unreachable",                // address unreachable (neighbour discovery failed)
        "port unreachable",
        "source address failed ingress/egress policy",
        "reject route to destination",
    };
    if (code < k_reasons.size()) return {SampleStatus::unreachable, std::string(k_reasons[code])};
    return {SampleStatus::unreachable, fmt::format("destination unreachable (code {})", code)};
  }
  if (v6 && type == k_v6_packet_too_big) return {SampleStatus::unreachable, "packet too big"};
  if (v6 && type == k_v6_time_exceeded) {
    if (code == 0) return {SampleStatus::ttl_exceeded, "hop limit exceeded"};
    if (code == 1) return {SampleStatus::ttl_exceeded, "fragment reassembly time exceeded"};
    return {SampleStatus::ttl_exceeded, fmt::format("time exceeded (code {})", code)};
  }
  return {SampleStatus::unreachable, fmt::format("ICMP{} type {} code {}", v6 ? "v6" : "", type, code)};
}

}  // namespace pk::probe::packet
