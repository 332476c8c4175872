#include "probe/packet.hpp"
#include "probe/trace_packet.hpp"
#include "probe/trace_socket.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <vector>

using namespace pk::probe;
using namespace pk::probe::packet;

namespace {

using Bytes = std::vector<std::uint8_t>;

Address addr(const char* text) { return *Address::parse_literal(text); }

Bytes tcp_syn(const char* src, const char* dst, std::uint32_t seq, bool with_checksum = true) {
  std::array<std::uint8_t, k_tcp_header_size> out{};
  build_tcp_syn(out, addr(src), addr(dst), 40000, 80, seq, with_checksum);
  return Bytes(out.begin(), out.end());
}

// An IPv4 header (20 bytes) of `protocol` from src to dst before `payload`.
Bytes ipv4(const Bytes& payload, std::uint8_t protocol, std::array<std::uint8_t, 4> src,
           std::array<std::uint8_t, 4> dst, std::uint16_t frag = 0) {
  Bytes h(20, 0);
  h[0] = 0x45;
  const auto total = static_cast<std::uint16_t>(20 + payload.size());
  h[2] = static_cast<std::uint8_t>(total >> 8);
  h[3] = static_cast<std::uint8_t>(total & 0xff);
  h[6] = static_cast<std::uint8_t>(frag >> 8);
  h[7] = static_cast<std::uint8_t>(frag & 0xff);
  h[8] = 1;
  h[9] = protocol;
  std::copy(src.begin(), src.end(), h.begin() + 12);
  std::copy(dst.begin(), dst.end(), h.begin() + 16);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// An IPv6 header (40 bytes) with next header `next` to dst before `payload`.
Bytes ipv6(const Bytes& payload, std::uint8_t next, const char* dst) {
  Bytes h(40, 0);
  h[0] = 0x60;
  h[4] = static_cast<std::uint8_t>(payload.size() >> 8);
  h[5] = static_cast<std::uint8_t>(payload.size() & 0xff);
  h[6] = next;
  h[7] = 1;
  const Address a = addr(dst);
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a.sockaddr_ptr());
  std::copy_n(reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr), 16, h.begin() + 24);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// An ICMP message of type/code around `quoted` (checksum left 0: the parsers
// of messages without an IP header trust the kernel's check).
Bytes icmp(std::uint8_t type, std::uint8_t code, const Bytes& quoted) {
  Bytes m{type, code, 0, 0, 0, 0, 0, 0};
  m.insert(m.end(), quoted.begin(), quoted.end());
  return m;
}

// A UDP header from 33000 to 33434 before `payload`.
Bytes udp(const Bytes& payload) {
  Bytes u{0x80, 0xe8, 0x82, 0x9a, 0, 0, 0, 0};
  const auto length = static_cast<std::uint16_t>(8 + payload.size());
  u[4] = static_cast<std::uint8_t>(length >> 8);
  u[5] = static_cast<std::uint8_t>(length & 0xff);
  u.insert(u.end(), payload.begin(), payload.end());
  return u;
}

Bytes match_payload(const Match& m) {
  Bytes p(k_match_size);
  write_match(p, m);
  return p;
}

}  // namespace

TEST_CASE("build_tcp_syn writes a SYN with the IPv4 pseudo-header checksum") {
  const Bytes s = tcp_syn("192.0.2.1", "198.51.100.7", 0x12345678);
  // Expected bytes computed independently (Python's struct, RFC 1071 sum).
  const Bytes expected{0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0,    0,
                       0,    0,    0x50, 0x02, 0xff, 0xff, 0xbe, 0x69, 0x00, 0x00};
  CHECK(s == expected);
}

TEST_CASE("build_tcp_syn computes the IPv6 pseudo-header checksum, or leaves it to the kernel") {
  const Bytes s = tcp_syn("2001:db8::1", "2001:db8:1::7", 0x12345678);
  CHECK(s[16] == 0x4f);
  CHECK(s[17] == 0x2b);
  const Bytes unsummed = tcp_syn("2001:db8::1", "2001:db8:1::7", 0x12345678, false);
  CHECK(unsummed[16] == 0);
  CHECK(unsummed[17] == 0);
  CHECK(unsummed[13] == k_tcp_syn);
}

TEST_CASE("parse_tcp_segment reads a SYN-ACK after an IPv4 header, and a bare IPv6 segment") {
  Bytes seg(20, 0);
  seg[0] = 0x00;
  seg[1] = 0x50;  // from port 80
  seg[2] = 0x9c;
  seg[3] = 0x40;  // to 40000
  seg[4] = 0xaa;  // seq 0xaabbccdd
  seg[5] = 0xbb;
  seg[6] = 0xcc;
  seg[7] = 0xdd;
  seg[8] = 0x12;  // ack 0x12345679
  seg[9] = 0x34;
  seg[10] = 0x56;
  seg[11] = 0x79;
  seg[12] = 0x50;
  seg[13] = k_tcp_syn | k_tcp_ack;
  auto v4 = parse_tcp_segment(ipv4(seg, k_proto_tcp, {198, 51, 100, 7}, {192, 0, 2, 1}), true);
  REQUIRE(v4);
  CHECK(v4->source_port == 80);
  CHECK(v4->destination_port == 40000);
  CHECK(v4->seq == 0xaabbccddU);
  CHECK(v4->ack == 0x12345679U);
  CHECK(v4->flags == (k_tcp_syn | k_tcp_ack));
  REQUIRE(v4->source);
  CHECK(v4->source->to_string() == "198.51.100.7");

  auto v6 = parse_tcp_segment(seg, false);
  REQUIRE(v6);
  CHECK(v6->ack == 0x12345679U);
  CHECK_FALSE(v6->source);

  CHECK_FALSE(parse_tcp_segment(ipv4(seg, k_proto_udp, {198, 51, 100, 7}, {192, 0, 2, 1}), true));
  CHECK_FALSE(parse_tcp_segment(Bytes(seg.begin(), seg.begin() + 19), false));
}

TEST_CASE("parse_transport_error reads a TCP SYN quoted in 8 bytes, as RFC 792 routers quote") {
  const Bytes syn = tcp_syn("192.0.2.1", "198.51.100.7", 0x12345678);
  const Bytes quote = ipv4(Bytes(syn.begin(), syn.begin() + 8), k_proto_tcp, {192, 0, 2, 1}, {198, 51, 100, 7});
  auto e = parse_transport_error(icmp(k_v4_time_exceeded, 0, quote), false);
  REQUIRE(e);
  CHECK(e->type == k_v4_time_exceeded);
  CHECK(e->code == 0);
  CHECK(e->quoted.protocol == k_proto_tcp);
  CHECK(e->quoted.destination.to_string() == "198.51.100.7");
  CHECK(e->quoted.source_port == 40000);
  CHECK(e->quoted.destination_port == 80);
  REQUIRE(e->quoted.tcp_seq);
  CHECK(*e->quoted.tcp_seq == 0x12345678U);
  CHECK(e->quoted.payload.empty());

  // Less than the 8 bytes: the ports and sequence are not all there.
  const Bytes short_quote = ipv4(Bytes(syn.begin(), syn.begin() + 7), k_proto_tcp, {192, 0, 2, 1}, {198, 51, 100, 7});
  CHECK_FALSE(parse_transport_error(icmp(k_v4_time_exceeded, 0, short_quote), false));
  // A later fragment has no transport header.
  const Bytes fragment = ipv4(syn, k_proto_tcp, {192, 0, 2, 1}, {198, 51, 100, 7}, 0x0010);
  CHECK_FALSE(parse_transport_error(icmp(k_v4_time_exceeded, 0, fragment), false));
  // Not an error, or an error about ICMP.
  CHECK_FALSE(parse_transport_error(icmp(k_v4_echo_reply, 0, quote), false));
  const Bytes about_icmp = ipv4(Bytes(8, 0), 1, {192, 0, 2, 1}, {198, 51, 100, 7});
  CHECK_FALSE(parse_transport_error(icmp(k_v4_dest_unreachable, 1, about_icmp), false));
}

TEST_CASE("parse_transport_error returns the quoted UDP payload, whose match data names the probe") {
  const Match m{0xcafef00d, 7, 2, 99};
  // The payload is a view into the message: it must outlive the result.
  const Bytes message =
      icmp(k_v4_dest_unreachable, 3, ipv4(udp(match_payload(m)), k_proto_udp, {192, 0, 2, 1}, {198, 51, 100, 7}));
  auto e = parse_transport_error(message, false);
  REQUIRE(e);
  CHECK(e->quoted.protocol == k_proto_udp);
  CHECK(e->quoted.source_port == 33000);
  CHECK(e->quoted.destination_port == 33434);
  CHECK_FALSE(e->quoted.tcp_seq);
  auto read = read_match(e->quoted.payload);
  REQUIRE(read);
  CHECK(*read == m);
}

TEST_CASE("parse_transport_error reads ICMPv6 errors; an extension header is not parsed") {
  const Match m{1, 30, 3, 4};
  const Bytes message = icmp(k_v6_time_exceeded, 0, ipv6(udp(match_payload(m)), k_proto_udp, "2001:db8::9"));
  auto e = parse_transport_error(message, true);
  REQUIRE(e);
  CHECK(e->type == k_v6_time_exceeded);
  CHECK(e->quoted.destination.to_string() == "2001:db8::9");
  CHECK(read_match(e->quoted.payload) == m);

  const Bytes syn = tcp_syn("2001:db8::1", "2001:db8::9", 0xabcdef01);
  auto u = parse_transport_error(icmp(k_v6_dest_unreachable, 4, ipv6(syn, k_proto_tcp, "2001:db8::9")), true);
  REQUIRE(u);
  CHECK(u->code == 4);
  CHECK(u->quoted.tcp_seq == 0xabcdef01U);

  constexpr std::uint8_t k_hop_by_hop = 0;
  CHECK_FALSE(parse_transport_error(icmp(k_v6_time_exceeded, 0, ipv6(syn, k_hop_by_hop, "2001:db8::9")), true));
  CHECK_FALSE(parse_transport_error(icmp(k_v6_echo_reply, 0, ipv6(syn, k_proto_tcp, "2001:db8::9")), true));
}

TEST_CASE("parse_ipv4_transport_error skips the outer IP header and link-layer padding") {
  const Bytes syn = tcp_syn("192.0.2.1", "198.51.100.7", 0x01020304);
  const Bytes quote = ipv4(syn, k_proto_tcp, {192, 0, 2, 1}, {198, 51, 100, 7});
  Bytes packet = ipv4(icmp(k_v4_time_exceeded, 0, quote), 1, {10, 0, 0, 1}, {192, 0, 2, 1});
  packet.insert(packet.end(), 6, 0xee);  // Ethernet padding beyond the IP total length
  auto e = parse_ipv4_transport_error(packet);
  REQUIRE(e);
  CHECK(e->quoted.tcp_seq == 0x01020304U);
  CHECK(e->quoted.destination.to_string() == "198.51.100.7");
  // Not ICMP in the outer header.
  CHECK_FALSE(
      parse_ipv4_transport_error(ipv4(icmp(k_v4_time_exceeded, 0, quote), k_proto_udp, {10, 0, 0, 1}, {192, 0, 2, 1})));
}

TEST_CASE("write_match and read_match round-trip, and write_echo_request uses the same layout") {
  const Match m{0x01020304, 255, 10, 0xffffffff};
  CHECK(read_match(match_payload(m)) == m);
  Bytes echo(k_icmp_header_size + k_match_size);
  build_echo_request(echo, false, 1, 2, m, true);
  CHECK(read_match(std::span<const std::uint8_t>(echo).subspan(k_icmp_header_size)) == m);
}

TEST_CASE("balance_checksum gives echo requests with different match data one checksum") {
  std::optional<std::uint16_t> first;
  for (std::uint32_t ttl = 1; ttl <= 30; ++ttl) {
    for (std::uint32_t query = 1; query <= 3; ++query) {
      Bytes echo(k_icmp_header_size + 32);
      build_echo_request(echo, false, 0x4242, 1, Match{0x9e3779b9, ttl, query, 0xffff0000U + ttl}, false);
      const Bytes before = echo;
      balance_checksum(echo, k_icmp_header_size + k_match_size, 0x5041);
      // Only the balancing word changed, and the checksum is ~target.
      CHECK(std::equal(echo.begin(), echo.begin() + 28, before.begin()));
      CHECK(std::equal(echo.begin() + 30, echo.end(), before.begin() + 30));
      const std::uint16_t sum = checksum(echo);
      CHECK(sum == static_cast<std::uint16_t>(~0x5041));
      if (!first) first = sum;
      CHECK(sum == *first);
      CHECK(read_match(std::span<const std::uint8_t>(echo).subspan(k_icmp_header_size))->slot == ttl);
    }
  }
}

TEST_CASE("tcp_probe_seq names a probe and its trace; tcp_seq_probe reads it back") {
  const std::uint32_t trace_bits = 0xabcde123;  // the low 12 bits are not used
  const std::uint32_t seq = tcp_probe_seq(trace_bits, {17, 3});
  CHECK(seq == 0xabcde113U);
  CHECK(tcp_seq_probe(seq, trace_bits) == ProbeId{17, 3});
  CHECK(tcp_seq_probe(tcp_probe_seq(trace_bits, {255, 10}), trace_bits) == ProbeId{255, 10});
  // Another trace (other high bits) does not match.
  CHECK_FALSE(tcp_seq_probe(seq, trace_bits ^ 0x1000));
  CHECK_FALSE(tcp_seq_probe(seq ^ 0x80000000U, trace_bits));
}

TEST_CASE("echo_probe: by match data, or by sequence number for errors quoting 8 bytes") {
  const std::uint32_t nonce = 0x11223344;
  const std::uint32_t tag = 0x25;  // the sequence keeps its low 4 bits: 5
  const std::uint16_t seq = probe_number(tag, {9, 2});
  CHECK(seq == 0x5092);

  // A full quote or an echo reply: the match data decides.
  Echo full{0x4242, seq, Match{nonce, 9, 2, tag}};
  CHECK(echo_probe(full, false, nonce, tag) == ProbeId{9, 2});
  CHECK(echo_probe(full, true, nonce, tag) == ProbeId{9, 2});
  CHECK_FALSE(echo_probe(full, false, nonce + 1, tag));  // another tracer
  CHECK_FALSE(echo_probe(full, true, nonce, tag + 1));   // an earlier trace

  // An error quoting the 8-byte header only, parsed from the bytes a router sends.
  Bytes request(k_icmp_header_size + 32);
  build_echo_request(request, false, 0x4242, seq, Match{nonce, 9, 2, tag}, true);
  const Bytes quote = ipv4(Bytes(request.begin(), request.begin() + 8), 1, {192, 0, 2, 1}, {198, 51, 100, 7});
  auto r = parse_icmp(icmp(k_v4_time_exceeded, 0, quote), false);
  REQUIRE(r);
  CHECK_FALSE(r->echo.match);
  CHECK(echo_probe(r->echo, true, nonce, tag) == ProbeId{9, 2});
  CHECK_FALSE(echo_probe(r->echo, true, nonce, tag + 1));  // another trace's sequence
  CHECK_FALSE(echo_probe(r->echo, false, nonce, tag));     // a reply must carry match data
}

TEST_CASE("probe_number and probe_of_number: 16 bits naming a probe of one trace") {
  CHECK(probe_number(0x25, {9, 2}) == 0x5092);
  CHECK(probe_of_number(0x5092, 0x25) == ProbeId{9, 2});
  CHECK(probe_of_number(0x5092, 0x15) == ProbeId{9, 2});  // the low 4 bits of the tag count
  CHECK_FALSE(probe_of_number(0x5092, 0x26));
  for (std::uint32_t tag = 0; tag < 16; ++tag) {
    for (int ttl = 1; ttl <= 255; ++ttl) {
      for (int query = 1; query <= 10; ++query) {
        const std::uint16_t n = probe_number(tag, {ttl, query});
        CHECK((n != 0 && n != 0xffff));
        CHECK(probe_of_number(n, tag) == ProbeId{ttl, query});
      }
    }
  }
}

TEST_CASE("set_udp_checksum chooses the payload word that gives the datagram the checksum asked for") {
  // Expected words found independently (Python: a search over the 65536
  // words, RFC 768 / RFC 8200 pseudo-headers).
  Bytes payload(22);
  for (std::size_t i = 0; i < 20; ++i) payload[i] = static_cast<std::uint8_t>(i);
  set_udp_checksum(payload, 20, addr("192.0.2.1"), 40000, addr("198.51.100.7"), 33434, 0x5092);
  CHECK(payload[20] == 0x49);
  CHECK(payload[21] == 0xa4);
  set_udp_checksum(payload, 20, addr("2001:db8::1"), 40000, addr("2001:db8:1::7"), 33434, 0x1ab3);
  CHECK(payload[20] == 0x10);
  CHECK(payload[21] == 0x45);
  for (std::size_t i = 0; i < 20; ++i) CHECK(payload[i] == i);  // the match data is left alone
}

TEST_CASE("parse_transport_error returns the quoted UDP checksum") {
  Bytes quoted_udp = udp({});
  quoted_udp[6] = 0x50;
  quoted_udp[7] = 0x92;
  auto e = parse_transport_error(
      icmp(k_v4_time_exceeded, 0, ipv4(quoted_udp, k_proto_udp, {192, 0, 2, 1}, {198, 51, 100, 7})), false);
  REQUIRE(e);
  CHECK(e->quoted.udp_checksum == std::optional<std::uint16_t>(0x5092));
  CHECK(e->quoted.payload.empty());
}

TEST_CASE("flow_id: one per destination, port and method, in the ephemeral range") {
  using pk::core::TraceMethod;
  const auto a = *Address::parse_literal("192.0.2.1");
  const auto b = *Address::parse_literal("192.0.2.2");
  const auto v6 = *Address::parse_literal("2001:db8::1");
  const auto id = flow_id(a, 33434, TraceMethod::udp, 0);
  CHECK(id == flow_id(a, 33434, TraceMethod::udp, 0));  // the same every time
  CHECK(id != flow_id(b, 33434, TraceMethod::udp, 0));
  CHECK(id != flow_id(a, 33435, TraceMethod::udp, 0));
  CHECK(id != flow_id(a, 33434, TraceMethod::tcp, 0));
  std::set<std::uint16_t> candidates;
  for (int attempt = 0; attempt < 16; ++attempt) {
    for (const auto& dst : {a, b, v6}) {
      const auto c = flow_id(dst, 80, TraceMethod::tcp, attempt);
      CHECK(c >= 33000);
      CHECK(c <= 60999);
    }
    candidates.insert(flow_id(a, 80, TraceMethod::tcp, attempt));
  }
  CHECK(candidates.size() == 16);  // the next candidates differ
}

TEST_CASE("error_reply: what an ICMP error says about a probe") {
  using pk::core::HopReply;
  const auto dst = *Address::parse_literal("192.0.2.9");
  const auto router = *Address::parse_literal("198.51.100.1");
  CHECK(error_reply(false, 11, 0, router, dst) == HopReply::time_exceeded);
  CHECK(error_reply(false, 3, 3, dst, dst) == HopReply::reached);         // port unreachable: a UDP probe arrived
  CHECK(error_reply(false, 3, 3, router, dst) == HopReply::reached);      // a firewall answering for it
  CHECK(error_reply(false, 3, 1, router, dst) == HopReply::unreachable);  // !H from a router ends the trace
  CHECK(error_reply(false, 3, 13, dst, dst) == HopReply::reached);        // anything from the destination
  const auto dst6 = *Address::parse_literal("2001:db8::9");
  const auto router6 = *Address::parse_literal("2001:db8::1");
  CHECK(error_reply(true, 3, 0, router6, dst6) == HopReply::time_exceeded);
  CHECK(error_reply(true, 1, 4, router6, dst6) == HopReply::reached);
  CHECK(error_reply(true, 1, 0, router6, dst6) == HopReply::unreachable);
}
