// Traceroute packets (lib/probe/trace_packet.hpp): ICMP errors quoting a UDP
// or TCP probe, TCP answers from a raw socket, and the probe numbering. The
// quoted payload must be a view into the input; numbering and SYN building
// must round-trip for probes made from the input's bytes.
#include "fuzz_target.hpp"
#include "probe/trace_packet.hpp"

#include <array>
#include <cstdint>

namespace {

using namespace pk::probe;
using namespace pk::probe::packet;

void check(const TransportError& e, std::span<const std::uint8_t> input, bool v6) {
  PK_FUZZ_CHECK(is_error_type(v6, e.type));
  PK_FUZZ_CHECK(e.quoted.protocol == k_proto_udp || e.quoted.protocol == k_proto_tcp);
  PK_FUZZ_CHECK(e.quoted.protocol == k_proto_tcp ? e.quoted.tcp_seq.has_value() : !e.quoted.tcp_seq.has_value());
  const auto& p = e.quoted.payload;
  if (!p.empty()) {
    PK_FUZZ_CHECK(p.data() >= input.data() && p.data() + p.size() <= input.data() + input.size());
  }
}

// Probe numbers and TCP sequence numbers name the probe they were made for.
void numbering(pk::fuzz::Input& in) {
  const auto bits = in.u32();
  const auto tag = in.u32();
  const ProbeId probe{1 + in.byte() % 255, 1 + in.byte() % 10};
  const auto number = probe_number(tag, probe);
  PK_FUZZ_CHECK(number != 0 && number != 0xffff);
  PK_FUZZ_CHECK(probe_of_number(number, tag) == probe);
  PK_FUZZ_CHECK(tcp_seq_probe(tcp_probe_seq(bits, probe), bits) == probe);
  // Any number that names a probe is the number of that probe.
  const auto seq = in.u32();
  if (auto p = tcp_seq_probe(seq, bits)) PK_FUZZ_CHECK(tcp_probe_seq(bits, *p) == seq);
  const auto n = in.u16();
  if (auto p = probe_of_number(n, tag)) PK_FUZZ_CHECK(probe_number(tag, *p) == n);
}

// A SYN built from the input's ports and sequence number parses back.
void syn(pk::fuzz::Input& in) {
  static const auto source = Address::parse_literal("192.0.2.1");
  static const auto destination = Address::parse_literal("198.51.100.7");
  const auto sport = in.u16();
  const auto dport = in.u16();
  const auto seq = in.u32();
  std::array<std::uint8_t, k_tcp_header_size> out{};
  build_tcp_syn(out, *source, *destination, sport, dport, seq, true);
  const auto segment = parse_tcp_segment(out, false);
  PK_FUZZ_CHECK(segment.has_value());
  PK_FUZZ_CHECK(segment->source_port == sport && segment->destination_port == dport && segment->seq == seq);
  PK_FUZZ_CHECK(segment->flags == k_tcp_syn);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (bool v6 : {false, true}) {
    if (auto e = parse_transport_error(bytes, v6)) check(*e, bytes, v6);
  }
  if (auto e = parse_ipv4_transport_error(bytes)) check(*e, bytes, false);
  for (bool with_ip_header : {false, true}) (void)parse_tcp_segment(bytes, with_ip_header);
  for (bool is_error : {false, true}) {
    for (bool v6 : {false, true}) {
      if (auto r = parse_icmp(bytes, v6)) (void)echo_probe(r->echo, is_error, 0x01020304, 5);
    }
  }
  pk::fuzz::Input in(data, size);
  numbering(in);
  syn(in);
  return 0;
}
