#include "probe/trace_packet.hpp"

#include "probe/bytes.hpp"
#include "probe/packet.hpp"

#include <array>
#include <cstring>
#include <netinet/in.h>
#include <vector>

namespace pk::probe::packet {

namespace {

using bytes::address_of;
using bytes::be16;
using bytes::be32;
using bytes::ip_bytes;
using bytes::k_ipv4_min_header;
using bytes::k_ipv6_header;
using bytes::k_proto_icmp;
using bytes::put16;
using bytes::put32;

constexpr std::size_t k_transport_quote = 8;   // what RFC 792 asks a router to quote
constexpr std::uint32_t k_probe_mask = 0xfff;  // the TTL and query bits of a TCP probe's sequence number

// Sets the word at `at` so that the ones'-complement sum of `data` is `target`.
void balance_sum(std::span<std::uint8_t> data, std::size_t at, std::uint16_t target) {
  put16(data, at, 0);
  const auto sum = static_cast<std::uint16_t>(~checksum(data));                   // the folded sum of the other words
  std::uint32_t word = std::uint32_t{target} + static_cast<std::uint16_t>(~sum);  // target - sum
  word = (word & 0xffffU) + (word >> 16);
  put16(data, at, static_cast<std::uint16_t>(word));
}

// The quoted IP header and transport header of an error.
std::optional<QuotedTransport> parse_quote(std::span<const std::uint8_t> quoted, bool v6) {
  QuotedTransport q;
  std::size_t header = 0;
  if (v6) {
    if (quoted.size() < k_ipv6_header || (quoted[0] >> 4) != 6) return std::nullopt;
    q.protocol = quoted[6];
    q.destination = address_of(quoted.subspan(24, 16));
    header = k_ipv6_header;
  } else {
    if (quoted.size() < k_ipv4_min_header || (quoted[0] >> 4) != 4) return std::nullopt;
    header = std::size_t{quoted[0] & 0x0fU} * 4;
    if (header < k_ipv4_min_header || (be16(quoted, 6) & 0x1fffU) != 0) return std::nullopt;
    q.protocol = quoted[9];
    q.destination = address_of(quoted.subspan(16, 4));
  }
  if (q.protocol != k_proto_udp && q.protocol != k_proto_tcp) return std::nullopt;
  if (quoted.size() < header + k_transport_quote) return std::nullopt;
  auto transport = quoted.subspan(header);
  q.source_port = be16(transport, 0);
  q.destination_port = be16(transport, 2);
  if (q.protocol == k_proto_tcp) {
    q.tcp_seq = be32(transport, 4);
  } else {
    q.udp_checksum = be16(transport, 6);
    q.payload = transport.subspan(k_transport_quote);  // the UDP header is 8 bytes
  }
  return q;
}

}  // namespace

std::uint32_t tcp_probe_seq(std::uint32_t trace_bits, ProbeId probe) {
  return (trace_bits & ~k_probe_mask) | (static_cast<std::uint32_t>(probe.ttl & 0xff) << 4) |
         static_cast<std::uint32_t>(probe.query & 0xf);
}

std::optional<ProbeId> tcp_seq_probe(std::uint32_t seq, std::uint32_t trace_bits) {
  if ((seq & ~k_probe_mask) != (trace_bits & ~k_probe_mask)) return std::nullopt;
  return ProbeId{static_cast<int>((seq >> 4) & 0xffU), static_cast<int>(seq & 0xfU)};
}

std::uint16_t probe_number(std::uint32_t tag, ProbeId probe) {
  return static_cast<std::uint16_t>(((tag & 0xfU) << 12) | (static_cast<std::uint32_t>(probe.ttl & 0xff) << 4) |
                                    static_cast<std::uint32_t>(probe.query & 0xf));
}

std::optional<ProbeId> probe_of_number(std::uint16_t number, std::uint32_t tag) {
  if ((number >> 12) != (tag & 0xfU)) return std::nullopt;
  return ProbeId{static_cast<int>((number >> 4) & 0xffU), static_cast<int>(number & 0xfU)};
}

void set_udp_checksum(std::span<std::uint8_t> payload, std::size_t at, const Address& source, std::uint16_t source_port,
                      const Address& destination, std::uint16_t destination_port, std::uint16_t checksum) {
  // Pseudo-header (RFC 768 / RFC 8200 section 8.1), UDP header, payload:
  // balanced so that the sum, complemented, is `checksum`.
  const auto src = ip_bytes(source);
  const auto dst = ip_bytes(destination);
  const auto length = static_cast<std::uint16_t>(k_transport_quote + payload.size());
  std::vector<std::uint8_t> sum(40 + k_transport_quote + payload.size());
  std::size_t off = 0;
  std::memcpy(sum.data(), src.data(), src.size());
  off += src.size();
  std::memcpy(sum.data() + off, dst.data(), dst.size());
  off += dst.size();
  if (source.is_v6()) {
    put32(sum, off, length);
    sum[off + 7] = k_proto_udp;
    off += 8;
  } else {
    sum[off + 1] = k_proto_udp;
    put16(sum, off + 2, length);
    off += 4;
  }
  put16(sum, off, source_port);
  put16(sum, off + 2, destination_port);
  put16(sum, off + 4, length);
  off += k_transport_quote;  // the checksum field (offset 6) stays 0
  std::memcpy(sum.data() + off, payload.data(), payload.size());
  const auto whole = std::span<std::uint8_t>(sum.data(), off + payload.size());
  balance_sum(whole, off + at, static_cast<std::uint16_t>(~checksum));
  payload[at] = whole[off + at];
  payload[at + 1] = whole[off + at + 1];
}

std::optional<ProbeId> echo_probe(const Echo& echo, bool is_error, std::uint32_t nonce, std::uint32_t tag) {
  if (echo.match) {
    if (echo.match->nonce != nonce || echo.match->generation != tag) return std::nullopt;
    return ProbeId{static_cast<int>(echo.match->slot), static_cast<int>(echo.match->index)};
  }
  if (!is_error) return std::nullopt;
  return probe_of_number(echo.sequence, tag);
}

void build_tcp_syn(std::span<std::uint8_t, k_tcp_header_size> out, const Address& source, const Address& destination,
                   std::uint16_t source_port, std::uint16_t destination_port, std::uint32_t seq, bool with_checksum) {
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  put16(out, 0, source_port);
  put16(out, 2, destination_port);
  put32(out, 4, seq);
  put32(out, 8, 0);                                                   // ack
  out[12] = static_cast<std::uint8_t>((k_tcp_header_size / 4) << 4);  // data offset
  out[13] = k_tcp_syn;
  put16(out, 14, 0xffff);  // window
  if (!with_checksum) return;
  // Pseudo-header (RFC 793 / RFC 8200 section 8.1), then the header itself.
  const auto src = ip_bytes(source);
  const auto dst = ip_bytes(destination);
  std::array<std::uint8_t, 40 + k_tcp_header_size> sum{};
  std::size_t at = 0;
  std::memcpy(sum.data(), src.data(), src.size());
  at += src.size();
  std::memcpy(sum.data() + at, dst.data(), dst.size());
  at += dst.size();
  if (source.is_v6()) {
    put32(sum, at, k_tcp_header_size);
    sum[at + 7] = k_proto_tcp;
    at += 8;
  } else {
    sum[at + 1] = k_proto_tcp;
    put16(sum, at + 2, k_tcp_header_size);
    at += 4;
  }
  std::memcpy(sum.data() + at, out.data(), out.size());
  put16(out, 16, checksum(std::span<const std::uint8_t>(sum.data(), at + out.size())));
}

void balance_checksum(std::span<std::uint8_t> icmp, std::size_t at, std::uint16_t target) {
  const std::uint16_t field = be16(icmp, 2);
  put16(icmp, 2, 0);
  balance_sum(icmp, at, target);
  put16(icmp, 2, field);
}

std::optional<TcpSegment> parse_tcp_segment(std::span<const std::uint8_t> data, bool with_ip_header) {
  TcpSegment s;
  if (with_ip_header) {
    if (data.size() < k_ipv4_min_header || (data[0] >> 4) != 4 || data[9] != k_proto_tcp) return std::nullopt;
    const std::size_t ihl = std::size_t{data[0] & 0x0fU} * 4;
    if (ihl < k_ipv4_min_header || data.size() < ihl) return std::nullopt;
    s.source = address_of(data.subspan(12, 4));
    data = data.subspan(ihl);
  }
  if (data.size() < k_tcp_header_size) return std::nullopt;
  s.source_port = be16(data, 0);
  s.destination_port = be16(data, 2);
  s.seq = be32(data, 4);
  s.ack = be32(data, 8);
  s.flags = data[13];
  return s;
}

std::optional<TransportError> parse_transport_error(std::span<const std::uint8_t> data, bool v6) {
  if (data.size() < k_icmp_header_size || !is_error_type(v6, data[0])) return std::nullopt;
  auto quoted = parse_quote(data.subspan(k_icmp_header_size), v6);
  if (!quoted) return std::nullopt;
  return TransportError{data[0], data[1], *quoted};
}

std::optional<TransportError> parse_ipv4_transport_error(std::span<const std::uint8_t> data) {
  if (data.size() < k_ipv4_min_header || (data[0] >> 4) != 4 || data[9] != k_proto_icmp) return std::nullopt;
  const std::size_t ihl = std::size_t{data[0] & 0x0fU} * 4;
  if (ihl < k_ipv4_min_header || data.size() < ihl) return std::nullopt;
  const std::size_t total = be16(data, 2);
  if (total >= ihl && total < data.size()) data = data.first(total);  // trailing link-layer padding
  return parse_transport_error(data.subspan(ihl), false);
}

std::uint16_t flow_id(const Address& destination, std::uint16_t port, core::TraceMethod method, int attempt) {
  constexpr std::uint32_t k_first = 33000;
  constexpr std::uint32_t k_count = 28000;    // up to 60999
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
  const auto mix = [&](std::uint8_t b) {
    h ^= b;
    h *= 1099511628211ULL;
  };
  for (std::uint8_t b : bytes::ip_bytes(destination)) mix(b);
  mix(static_cast<std::uint8_t>(port >> 8));
  mix(static_cast<std::uint8_t>(port & 0xffU));
  mix(static_cast<std::uint8_t>(method));
  const std::uint64_t step = std::uint64_t{7919} * static_cast<unsigned>(attempt);  // a prime: candidates differ
  return static_cast<std::uint16_t>(k_first + (h + step) % k_count);
}

}  // namespace pk::probe::packet
