// ICMP echo packets as sockets deliver them (lib/probe/packet.hpp): raw IPv4
// with its IP header, ICMP and ICMPv6 without, echo requests from the error
// queue. Invariants: what is accepted is consistent with the header's rules,
// and an echo request built from the input's fields parses back to them.
#include "fuzz_target.hpp"
#include "probe/packet.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace {

using namespace pk::probe::packet;

void check(const Received& r, bool v6) {
  if (r.kind == Kind::error) {
    PK_FUZZ_CHECK(is_error_type(v6, r.type));
    PK_FUZZ_CHECK(!classify_error(v6, r.type, r.code).reason.empty());
  } else {
    PK_FUZZ_CHECK(r.type == (v6 ? k_v6_echo_reply : k_v4_echo_reply));
  }
}

// Builds an echo request from the input's first bytes and parses it back.
void round_trip(pk::fuzz::Input in) {
  const bool v6 = (in.byte() & 1) != 0;
  const bool with_checksum = !v6 && (in.byte() & 1) != 0;
  const auto id = in.u16();
  const auto sequence = in.u16();
  const Match match{in.u32(), in.u32(), in.u32(), in.u32()};
  const std::size_t payload = in.byte();
  std::vector<std::uint8_t> packet(k_icmp_header_size + payload);
  build_echo_request(packet, v6, id, sequence, match, with_checksum);
  if (with_checksum) PK_FUZZ_CHECK(checksum(packet) == 0);
  const auto echo = parse_echo_request(packet, v6);
  PK_FUZZ_CHECK(echo.has_value());
  PK_FUZZ_CHECK(echo->id == id && echo->sequence == sequence);
  PK_FUZZ_CHECK(payload >= k_match_size ? echo->match == match : !echo->match.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (bool complete : {false, true}) {
    if (auto r = parse_ipv4_packet(bytes, complete)) {
      check(*r, false);
      PK_FUZZ_CHECK(r->ttl.has_value());
    }
  }
  for (bool v6 : {false, true}) {
    if (auto r = parse_icmp(bytes, v6)) check(*r, v6);
    (void)parse_echo_request(bytes, v6);
  }
  // Match data that reads is written back byte for byte.
  if (auto m = read_match(bytes)) {
    std::array<std::uint8_t, k_match_size> again{};
    write_match(again, *m);
    PK_FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
  }
  round_trip(pk::fuzz::Input(data, size));
  return 0;
}
