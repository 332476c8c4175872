#include "probe/packet.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <vector>

using pk::core::SampleStatus;
using namespace pk::probe;
using namespace pk::probe::packet;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr Match k_match{0xdeadbeef, 42, 7, 0x01020304};

Bytes echo_request(bool v6, std::size_t payload, std::uint16_t id = 0x1234, std::uint16_t seq = 1,
                   bool with_checksum = true) {
  Bytes b(k_icmp_header_size + payload);
  build_echo_request(b, v6, id, seq, k_match, with_checksum);
  return b;
}

void set_checksum(Bytes& icmp) {
  icmp[2] = 0;
  icmp[3] = 0;
  const std::uint16_t c = checksum(icmp);
  icmp[2] = static_cast<std::uint8_t>(c >> 8);
  icmp[3] = static_cast<std::uint8_t>(c & 0xff);
}

// The echo reply a host sends back for `request` (same id, sequence, data).
Bytes echo_reply(const Bytes& request, bool v6) {
  Bytes r = request;
  r[0] = v6 ? k_v6_echo_reply : k_v4_echo_reply;
  if (!v6) set_checksum(r);
  return r;
}

// A 20-byte IPv4 header (or longer with `options` bytes) before `payload`.
Bytes ipv4(const Bytes& payload, std::uint8_t ttl, std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst,
           std::uint8_t protocol = 1, std::size_t options = 0, std::uint16_t frag = 0) {
  const std::size_t ihl = 20 + options;
  Bytes h(ihl, 0);
  h[0] = static_cast<std::uint8_t>(0x40 | (ihl / 4));
  const auto total = static_cast<std::uint16_t>(ihl + payload.size());
  h[2] = static_cast<std::uint8_t>(total >> 8);
  h[3] = static_cast<std::uint8_t>(total & 0xff);
  h[6] = static_cast<std::uint8_t>(frag >> 8);
  h[7] = static_cast<std::uint8_t>(frag & 0xff);
  h[8] = ttl;
  h[9] = protocol;
  std::copy(src.begin(), src.end(), h.begin() + 12);
  std::copy(dst.begin(), dst.end(), h.begin() + 16);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// A 40-byte IPv6 header before `payload`.
Bytes ipv6(const Bytes& payload, std::uint8_t next_header, const std::array<std::uint8_t, 16>& dst) {
  Bytes h(40, 0);
  h[0] = 0x60;
  h[4] = static_cast<std::uint8_t>(payload.size() >> 8);
  h[5] = static_cast<std::uint8_t>(payload.size() & 0xff);
  h[6] = next_header;
  h[7] = 64;
  h[8] = 0xfe;  // source fe80::1
  h[9] = 0x80;
  h[23] = 1;
  std::copy(dst.begin(), dst.end(), h.begin() + 24);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// An ICMP error message (type, code, 4 unused bytes) quoting `quoted`.
Bytes icmp_error(std::uint8_t type, std::uint8_t code, const Bytes& quoted, bool v4_checksum) {
  Bytes m{type, code, 0, 0, 0, 0, 0, 0};
  m.insert(m.end(), quoted.begin(), quoted.end());
  if (v4_checksum) set_checksum(m);
  return m;
}

constexpr std::array<std::uint8_t, 4> k_router{192, 0, 2, 1};
constexpr std::array<std::uint8_t, 4> k_us{192, 0, 2, 100};
constexpr std::array<std::uint8_t, 4> k_target{198, 51, 100, 7};
constexpr std::array<std::uint8_t, 16> k_target6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

}  // namespace

TEST_SUITE_BEGIN("probe");

TEST_CASE("checksum: RFC 1071 and echo headers") {
  // RFC 1071 section 3 example: the sum of 0001 f203 f4f5 f6f7 is ddf2.
  CHECK(checksum(Bytes{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}) == 0x220d);
  CHECK(checksum(Bytes{}) == 0xffff);
  CHECK(checksum(Bytes{0x01}) == 0xfeff);  // odd length: padded with a zero byte
  // Echo request, id 0x1234, sequence 1, no data: ~(0x0800 + 0x1234 + 0x0001).
  CHECK(checksum(Bytes{8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01}) == 0xe5ca);
  // Carries fold back in: ffff + 0001 = 0001 after the end-around carry.
  CHECK(checksum(Bytes{0xff, 0xff, 0x00, 0x01}) == 0xfffe);
  SUBCASE("a packet holding its checksum sums to zero") {
    for (std::size_t payload : {0UL, 1UL, 19UL, 20UL, 56UL, 1471UL}) {
      CAPTURE(payload);
      CHECK(checksum(echo_request(false, payload)) == 0);
    }
  }
}

TEST_CASE("echo request: layout, match data and pattern") {
  const Bytes b = echo_request(false, 56, 0xabcd, 0x0102);
  REQUIRE(b.size() == 64);
  CHECK(b[0] == 8);
  CHECK(b[1] == 0);
  CHECK(b[4] == 0xab);
  CHECK(b[5] == 0xcd);
  CHECK(b[6] == 0x01);
  CHECK(b[7] == 0x02);
  CHECK(Bytes(b.begin() + 8, b.begin() + 12) == Bytes{0x70, 0x6b, 0x70, 0x72});   // "pkpr"
  CHECK(Bytes(b.begin() + 12, b.begin() + 16) == Bytes{0xde, 0xad, 0xbe, 0xef});  // nonce
  CHECK(Bytes(b.begin() + 16, b.begin() + 20) == Bytes{0, 0, 0, 42});             // slot
  CHECK(Bytes(b.begin() + 20, b.begin() + 24) == Bytes{0, 0, 0, 7});              // index
  CHECK(Bytes(b.begin() + 24, b.begin() + 28) == Bytes{1, 2, 3, 4});              // generation
  for (std::size_t i = k_match_size; i < 56; ++i) {
    CAPTURE(i);
    CHECK(b[8 + i] == static_cast<std::uint8_t>(i));
  }
  auto m = read_match(std::span(b).subspan(8));
  REQUIRE(m);
  CHECK(*m == k_match);

  SUBCASE("ICMPv6 type; checksum left to the kernel") {
    const Bytes v6 = echo_request(true, 56, 1, 2, false);
    CHECK(v6[0] == 128);
    CHECK(v6[2] == 0);
    CHECK(v6[3] == 0);
  }
  SUBCASE("the pattern wraps after 256 bytes") {
    const Bytes big = echo_request(false, 600);
    CHECK(big[8 + 255] == 255);
    CHECK(big[8 + 256] == 0);
    CHECK(big[8 + 599] == static_cast<std::uint8_t>(599 & 0xff));
  }
}

TEST_CASE("echo request: payload too small for match data") {
  for (std::size_t payload : {std::size_t{0}, std::size_t{1}, std::size_t{8}, k_match_size - 1}) {
    CAPTURE(payload);
    const Bytes b = echo_request(false, payload);
    CHECK(b.size() == 8 + payload);
    for (std::size_t i = 0; i < payload; ++i) CHECK(b[8 + i] == static_cast<std::uint8_t>(i));
    CHECK_FALSE(read_match(std::span(b).subspan(8)));
    CHECK(checksum(b) == 0);
  }
  // Exactly k_match_size: match data and no pattern.
  const Bytes exact = echo_request(false, k_match_size);
  CHECK(read_match(std::span(exact).subspan(8)) == k_match);
}

TEST_CASE("write_echo_request rewrites only header and match data") {
  Bytes b(8 + 56, 0xee);
  fill_pattern(std::span(b).subspan(8));
  write_echo_request(b, false, 1, 2, k_match, true);
  const Bytes reference = echo_request(false, 56, 1, 2);
  CHECK(b == reference);
  // The next probe in the same buffer: only the changed fields differ.
  write_echo_request(b, false, 1, 3, Match{1, 2, 3, 4}, true);
  CHECK(checksum(b) == 0);
  CHECK(read_match(std::span(b).subspan(8)) == Match{1, 2, 3, 4});
  CHECK(b[8 + 30] == 30);
}

TEST_CASE("match data round trip, extremes and sequence wrap") {
  for (const Match& m : {Match{0, 0, 0, 0}, Match{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                         Match{0x80000000, 1, 0x7fffffff, 0xfffffffe}}) {
    Bytes b(8 + 56);
    build_echo_request(b, false, 0, 0, m, true);
    CHECK(read_match(std::span(b).subspan(8)) == m);
  }
  // 16-bit sequences repeat after 65536 probes; the match data does not: two
  // probes with the same wire sequence stay distinct.
  Bytes first(8 + 56);
  Bytes again(8 + 56);
  build_echo_request(first, false, 9, 0xffff, Match{5, 1, 0, 1}, true);
  build_echo_request(again, false, 9, static_cast<std::uint16_t>(0xffff + 65536), Match{5, 1, 0, 65537}, true);
  auto a = parse_icmp(echo_reply(first, false), false);
  auto b = parse_icmp(echo_reply(again, false), false);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->echo.sequence == b->echo.sequence);
  CHECK(a->echo.match != b->echo.match);
}

TEST_CASE("parse_icmp: echo replies") {
  SUBCASE("IPv4 from a datagram socket") {
    auto r = parse_icmp(echo_reply(echo_request(false, 56, 0x4242, 77), false), false);
    REQUIRE(r);
    CHECK(r->kind == Kind::echo_reply);
    CHECK(r->echo.id == 0x4242);
    CHECK(r->echo.sequence == 77);
    CHECK(r->echo.match == k_match);
    CHECK_FALSE(r->ttl);
    CHECK_FALSE(r->quoted_destination);
  }
  SUBCASE("IPv6") {
    auto r = parse_icmp(echo_reply(echo_request(true, 56, 3, 4, false), true), true);
    REQUIRE(r);
    CHECK(r->kind == Kind::echo_reply);
    CHECK(r->type == 129);
    CHECK(r->echo.match == k_match);
  }
  SUBCASE("no match data when the payload was small") {
    auto r = parse_icmp(echo_reply(echo_request(false, 0, 1, 65535), false), false);
    REQUIRE(r);
    CHECK(r->echo.sequence == 65535);
    CHECK_FALSE(r->echo.match);
  }
}

TEST_CASE("parse_icmp: foreign and garbled messages are rejected") {
  const Bytes reply = echo_reply(echo_request(false, 56), false);
  CHECK_FALSE(parse_icmp(Bytes{}, false));
  CHECK_FALSE(parse_icmp(Bytes(reply.begin(), reply.begin() + 7), false));  // shorter than a header
  CHECK_FALSE(parse_icmp(echo_request(false, 56), false));                  // a request (ours looped back)
  CHECK_FALSE(parse_icmp(echo_request(true, 56, 1, 1, false), true));
  Bytes redirect = reply;
  redirect[0] = 5;
  CHECK_FALSE(parse_icmp(redirect, false));
  Bytes bad_code = reply;
  bad_code[1] = 1;
  CHECK_FALSE(parse_icmp(bad_code, false));
  // IPv4 and IPv6 types are not mixed up.
  CHECK_FALSE(parse_icmp(reply, true));
  CHECK_FALSE(parse_icmp(echo_reply(echo_request(true, 56, 1, 1, false), true), false));
  SUBCASE("a payload without our magic has no match data") {
    Bytes foreign = reply;
    foreign[8] ^= 0xff;
    auto r = parse_icmp(foreign, false);
    REQUIRE(r);
    CHECK_FALSE(r->echo.match);
  }
  SUBCASE("an error quoting something that is not our echo request") {
    Bytes udp = ipv4(Bytes(16, 0), 64, k_us, k_target, 17);
    CHECK_FALSE(parse_icmp(icmp_error(3, 3, udp, true), false));
    Bytes reply_quoted = ipv4(reply, 64, k_us, k_target);  // quotes a reply, not a request
    CHECK_FALSE(parse_icmp(icmp_error(3, 1, reply_quoted, true), false));
    CHECK_FALSE(parse_icmp(icmp_error(3, 1, Bytes(12, 0x45), true), false));  // too short for an IP header
  }
}

TEST_CASE("parse_ipv4_packet: raw socket replies with IP header") {
  const Bytes reply = echo_reply(echo_request(false, 56, 0x0101, 9), false);
  SUBCASE("TTL from the header, match data from the payload") {
    auto r = parse_ipv4_packet(ipv4(reply, 57, k_target, k_us), true);
    REQUIRE(r);
    CHECK(r->kind == Kind::echo_reply);
    CHECK(r->ttl == 57);
    CHECK(r->echo.id == 0x0101);
    CHECK(r->echo.sequence == 9);
    CHECK(r->echo.match == k_match);
  }
  SUBCASE("IP options") {
    auto r = parse_ipv4_packet(ipv4(reply, 1, k_target, k_us, 1, 8), true);
    REQUIRE(r);
    CHECK(r->echo.match == k_match);
  }
  SUBCASE("trailing bytes beyond the IP total length are ignored") {
    Bytes padded = ipv4(reply, 64, k_target, k_us);
    padded.push_back(0);
    padded.push_back(0);
    CHECK(parse_ipv4_packet(padded, true));
  }
  SUBCASE("a corrupted byte fails the checksum of a complete packet") {
    Bytes corrupt = ipv4(reply, 64, k_target, k_us);
    corrupt.back() ^= 0x01;
    CHECK_FALSE(parse_ipv4_packet(corrupt, true));
    // A truncated read cannot be summed; match data still decides.
    CHECK(parse_ipv4_packet(corrupt, false));
  }
  SUBCASE("malformed headers") {
    const Bytes good = ipv4(reply, 64, k_target, k_us);
    CHECK_FALSE(parse_ipv4_packet(Bytes(good.begin(), good.begin() + 19), true));
    Bytes v6 = good;
    v6[0] = 0x65;
    CHECK_FALSE(parse_ipv4_packet(v6, true));
    Bytes short_ihl = good;
    short_ihl[0] = 0x44;
    CHECK_FALSE(parse_ipv4_packet(short_ihl, true));
    Bytes long_ihl = good;
    long_ihl[0] = 0x4f;  // 60 bytes of header: no room for ICMP in this packet
    CHECK_FALSE(parse_ipv4_packet(Bytes(long_ihl.begin(), long_ihl.begin() + 64), true));
    Bytes udp = good;
    udp[9] = 17;
    CHECK_FALSE(parse_ipv4_packet(udp, true));
    Bytes tiny_total = good;
    tiny_total[2] = 0;
    tiny_total[3] = 20;
    CHECK_FALSE(parse_ipv4_packet(tiny_total, true));
  }
}

TEST_CASE("ICMPv4 errors quoting our echo request (raw socket)") {
  const Bytes request = echo_request(false, 56, 0x0101, 300);
  const Bytes quoted = ipv4(request, 1, k_us, k_target);
  SUBCASE("host unreachable from a router") {
    auto r = parse_ipv4_packet(ipv4(icmp_error(3, 1, quoted, true), 250, k_router, k_us), true);
    REQUIRE(r);
    CHECK(r->kind == Kind::error);
    CHECK(r->type == 3);
    CHECK(r->code == 1);
    CHECK(r->echo.id == 0x0101);
    CHECK(r->echo.sequence == 300);
    CHECK(r->echo.match == k_match);
    REQUIRE(r->quoted_destination);
    CHECK(r->quoted_destination->to_string() == "198.51.100.7");
  }
  SUBCASE("time exceeded") {
    auto r = parse_ipv4_packet(ipv4(icmp_error(11, 0, quoted, true), 250, k_router, k_us), true);
    REQUIRE(r);
    CHECK(r->kind == Kind::error);
    CHECK(r->type == 11);
    CHECK(r->echo.match == k_match);
  }
  SUBCASE("an old router quoting only 8 bytes of our datagram: id and sequence, no match data") {
    const Bytes minimal(quoted.begin(), quoted.begin() + 28);
    auto r = parse_ipv4_packet(ipv4(icmp_error(3, 0, minimal, true), 250, k_router, k_us), true);
    REQUIRE(r);
    CHECK(r->echo.sequence == 300);
    CHECK_FALSE(r->echo.match);
  }
  SUBCASE("a quoted non-first fragment has no ICMP header") {
    const Bytes fragment = ipv4(request, 1, k_us, k_target, 1, 0, 0x0010);
    CHECK_FALSE(parse_ipv4_packet(ipv4(icmp_error(3, 1, fragment, true), 250, k_router, k_us), true));
  }
  SUBCASE("an error with a bad checksum") {
    Bytes m = icmp_error(3, 1, quoted, true);
    m[2] ^= 0xff;
    CHECK_FALSE(parse_ipv4_packet(ipv4(m, 250, k_router, k_us), true));
  }
}

TEST_CASE("ICMPv6 errors quoting our echo request") {
  const Bytes request = echo_request(true, 56, 0x0202, 65535, false);
  const Bytes quoted = ipv6(request, 58, k_target6);
  SUBCASE("address unreachable") {
    auto r = parse_icmp(icmp_error(1, 3, quoted, false), true);
    REQUIRE(r);
    CHECK(r->kind == Kind::error);
    CHECK(r->type == 1);
    CHECK(r->code == 3);
    CHECK(r->echo.sequence == 65535);
    CHECK(r->echo.match == k_match);
    REQUIRE(r->quoted_destination);
    CHECK(r->quoted_destination->to_string() == "2001:db8::7");
  }
  SUBCASE("hop limit exceeded and packet too big") {
    auto r = parse_icmp(icmp_error(3, 0, quoted, false), true);
    REQUIRE(r);
    CHECK(r->type == 3);
    auto big = parse_icmp(icmp_error(2, 0, quoted, false), true);
    REQUIRE(big);
    CHECK(big->kind == Kind::error);
  }
  SUBCASE("truncated quote: id and sequence only") {
    auto r = parse_icmp(icmp_error(1, 0, Bytes(quoted.begin(), quoted.begin() + 48), false), true);
    REQUIRE(r);
    CHECK_FALSE(r->echo.match);
  }
  SUBCASE("rejected") {
    CHECK_FALSE(parse_icmp(icmp_error(1, 3, ipv6(request, 17, k_target6), false), true));  // not ICMPv6 inside
    CHECK_FALSE(parse_icmp(icmp_error(1, 3, Bytes(quoted.begin(), quoted.begin() + 47), false), true));
    CHECK_FALSE(parse_icmp(icmp_error(4, 0, quoted, false), true));  // parameter problem: not handled
    Bytes not_v6 = quoted;
    not_v6[0] = 0x40;
    CHECK_FALSE(parse_icmp(icmp_error(1, 3, not_v6, false), true));
  }
}

TEST_CASE("parse_echo_request: the error queue's copy of our probe") {
  auto v4 = parse_echo_request(echo_request(false, 56, 5, 6), false);
  REQUIRE(v4);
  CHECK(v4->id == 5);
  CHECK(v4->sequence == 6);
  CHECK(v4->match == k_match);
  auto v6 = parse_echo_request(echo_request(true, 56, 5, 6, false), true);
  REQUIRE(v6);
  CHECK(v6->match == k_match);
  CHECK_FALSE(parse_echo_request(echo_request(false, 56), true));
  CHECK_FALSE(parse_echo_request(echo_reply(echo_request(false, 56), false), false));
  CHECK_FALSE(parse_echo_request(Bytes{8, 0, 0}, false));
  auto partial = parse_echo_request(Bytes{8, 0, 0, 0, 0, 1, 0, 2, 0x70, 0x6b}, false);
  REQUIRE(partial);
  CHECK(partial->sequence == 2);
  CHECK_FALSE(partial->match);
}

TEST_CASE("classify_error: statuses and reasons") {
  struct Case {
    bool v6;
    std::uint8_t type;
    std::uint8_t code;
    SampleStatus status;
    const char* reason;
  };
  for (const Case& c : {
           Case{false, 3, 0, SampleStatus::unreachable, "network unreachable"},
           Case{false, 3, 1, SampleStatus::unreachable, "host unreachable"},
           Case{false, 3, 2, SampleStatus::unreachable, "protocol unreachable"},
           Case{false, 3, 3, SampleStatus::unreachable, "port unreachable"},
           Case{false, 3, 4, SampleStatus::unreachable, "fragmentation needed"},
           Case{false, 3, 10, SampleStatus::unreachable, "host administratively prohibited"},
           Case{false, 3, 13, SampleStatus::unreachable, "administratively prohibited"},
           Case{false, 3, 15, SampleStatus::unreachable, "precedence cutoff in effect"},
           Case{false, 3, 16, SampleStatus::unreachable, "destination unreachable (code 16)"},
           Case{false, 11, 0, SampleStatus::ttl_exceeded, "time to live exceeded"},
           Case{false, 11, 1, SampleStatus::ttl_exceeded, "fragment reassembly time exceeded"},
           Case{false, 11, 9, SampleStatus::ttl_exceeded, "time exceeded (code 9)"},
           Case{true, 1, 0, SampleStatus::unreachable, "network unreachable"},
           Case{true, 1, 1, SampleStatus::unreachable, "administratively prohibited"},
           Case{true, 1, 3, SampleStatus::unreachable, "host unreachable"},
           Case{true, 1, 4, SampleStatus::unreachable, "port unreachable"},
           Case{true, 1, 6, SampleStatus::unreachable, "reject route to destination"},
           Case{true, 1, 200, SampleStatus::unreachable, "destination unreachable (code 200)"},
           Case{true, 2, 0, SampleStatus::unreachable, "packet too big"},
           Case{true, 3, 0, SampleStatus::ttl_exceeded, "hop limit exceeded"},
           Case{true, 3, 1, SampleStatus::ttl_exceeded, "fragment reassembly time exceeded"},
       }) {
    CAPTURE(c.v6);
    CAPTURE(int{c.type});
    CAPTURE(int{c.code});
    const auto e = classify_error(c.v6, c.type, c.code);
    CHECK(e.status == c.status);
    CHECK(e.reason == c.reason);
  }
}

TEST_SUITE_END();
