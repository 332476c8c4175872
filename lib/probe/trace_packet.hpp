#pragma once

#include "core/trace.hpp"
#include "probe/address.hpp"
#include "probe/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

// Traceroute packets other than ICMP echo (probe/packet.hpp has those): TCP
// SYN probes, the TCP answers to them, and ICMP errors quoting a TCP or UDP
// probe. Pure functions over bytes, tested with byte arrays.
namespace pk::probe::packet {

inline constexpr std::uint8_t k_proto_tcp = 6;
inline constexpr std::uint8_t k_proto_udp = 17;
inline constexpr std::size_t k_tcp_header_size = 20;  // without options
inline constexpr std::uint8_t k_tcp_syn = 0x02;
inline constexpr std::uint8_t k_tcp_rst = 0x04;
inline constexpr std::uint8_t k_tcp_ack = 0x10;

// One probe of a trace: its TTL (1..255) and query number (1..10).
struct ProbeId {
  int ttl = 0;
  int query = 0;
  friend bool operator==(const ProbeId&, const ProbeId&) = default;
};

// The sequence number of a TCP SYN probe: the high 20 bits of `trace_bits`
// (random per tracer and changed per trace), then the TTL (8 bits) and the
// query (4 bits). Answers carry it back: quoted in an ICMP error, or as a
// SYN-ACK's or RST's ack - 1.
std::uint32_t tcp_probe_seq(std::uint32_t trace_bits, ProbeId probe);

// The probe a sequence number names: nullopt when its high 20 bits are not
// those of `trace_bits`.
std::optional<ProbeId> tcp_seq_probe(std::uint32_t seq, std::uint32_t trace_bits);

// A 16-bit number for a probe that fits the first 8 bytes of an ICMP or UDP
// probe (which every router quotes): (tag & 0xf) << 12 | ttl << 4 | query,
// where `tag` numbers the tracer's traces. Never 0 or 0xffff. ICMP probes
// carry it as the echo sequence, UDP probes (when a raw ICMP socket can read
// the quoted header) as their checksum.
std::uint16_t probe_number(std::uint32_t tag, ProbeId probe);

// The probe a number names when it is of the trace `tag`.
std::optional<ProbeId> probe_of_number(std::uint16_t number, std::uint32_t tag);

// Sets the 16-bit word at offset `at` of a UDP payload (`at` even) so that
// the checksum of the datagram from (source, source_port) to (destination,
// destination_port) carrying it is `checksum` (not 0 or 0xffff).
void set_udp_checksum(std::span<std::uint8_t> payload, std::size_t at, const Address& source, std::uint16_t source_port,
                      const Address& destination, std::uint16_t destination_port, std::uint16_t checksum);

// The probe of the trace (nonce, tag) that an echo message belongs to: by
// its match data (slot = TTL, index = query, generation = tag), or, for an
// error (`is_error`) that quotes too little of the request for match data
// (RFC 792 routers quote 8 bytes), by its sequence number (probe_number).
// nullopt when it
// belongs to another trace or another program.
std::optional<ProbeId> echo_probe(const Echo& echo, bool is_error, std::uint32_t nonce, std::uint32_t tag);

// Writes a 20-byte TCP header without options: a SYN from source_port to
// destination_port with sequence number `seq`, window 65535. With
// `with_checksum` the checksum covers the IPv4 or IPv6 pseudo-header of
// (source, destination), whose families must match; otherwise it is 0 (for
// an IPv6 raw socket with IPV6_CHECKSUM, where the kernel fills it).
void build_tcp_syn(std::span<std::uint8_t, k_tcp_header_size> out, const Address& source, const Address& destination,
                   std::uint16_t source_port, std::uint16_t destination_port, std::uint32_t seq, bool with_checksum);

// Paris traceroute for ICMP echo: sets the 16-bit word at offset `at` of
// `icmp` (an ICMP message; `at` even, outside the header) so that the
// ones'-complement sum of the message, its checksum field taken as zero, is
// `target`. Probes that differ only in their match data then all carry the
// checksum ~target, and a load balancer that hashes it keeps them on one path.
void balance_checksum(std::span<std::uint8_t> icmp, std::size_t at, std::uint16_t target);

// The fields of a received TCP segment that can answer a SYN.
struct TcpSegment {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;         // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  std::optional<Address> source;  // from the IPv4 header, when there is one
};

// Parses what a raw TCP socket delivers: for IPv4 (`with_ip_header`) the IP
// header then TCP, for IPv6 the TCP header alone. nullopt when it is not TCP
// or too short for a TCP header.
std::optional<TcpSegment> parse_tcp_segment(std::span<const std::uint8_t> data, bool with_ip_header);

// The source port (UDP, TCP) or echo id (ICMP) of every trace of one flow:
// a hash of the destination address, its port and the method, so that traces
// of a target taken at different times or by different processes (a job and
// the command line) are one flow for per-flow ECMP load balancers, and their
// paths compare. `attempt` (0, 1, ...) gives other candidates when one is
// taken. Within 33000..60999 (the ephemeral range, away from traceroute(8)'s
// destination ports).
std::uint16_t flow_id(const Address& destination, std::uint16_t port, core::TraceMethod method, int attempt);

// The start of a UDP or TCP packet that an ICMP error quotes.
struct QuotedTransport {
  std::uint8_t protocol = 0;  // k_proto_udp or k_proto_tcp
  Address destination;        // of the quoted packet (no port)
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::optional<std::uint32_t> tcp_seq;       // TCP: the quoted sequence number
  std::optional<std::uint16_t> udp_checksum;  // UDP: the quoted checksum
  // What follows the quoted UDP header (empty for TCP, and when the error
  // quotes no more than the 8 bytes RFC 792 requires): a view into the input.
  std::span<const std::uint8_t> payload;
};

// An ICMP or ICMPv6 error (destination unreachable, packet too big, time
// exceeded) about a UDP or TCP packet.
struct TransportError {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  QuotedTransport quoted;
};

// Parses an ICMP message without an IP header (ICMPv6 from a raw socket, or
// ICMPv4 after parse_ipv4_transport_error removed the header). nullopt for
// anything but an error quoting an IP header and at least the 8 bytes of a
// UDP or TCP header (the ports and, for TCP, the sequence number); an IPv4
// quote must be of the first fragment, an IPv6 quote must have UDP or TCP as
// its next header (no extension headers).
std::optional<TransportError> parse_transport_error(std::span<const std::uint8_t> data, bool v6);

// The same for what a raw IPv4 ICMP socket delivers: the IP header, then ICMP.
std::optional<TransportError> parse_ipv4_transport_error(std::span<const std::uint8_t> data);

}  // namespace pk::probe::packet
