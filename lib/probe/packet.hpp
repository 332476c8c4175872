#pragma once

#include "core/sample.hpp"
#include "probe/address.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

// ICMP echo packets: building requests and reading what comes back. Pure
// functions over bytes (no sockets, no clocks), tested with byte arrays.
//
// An echo request is the 8-byte ICMP header (type, code, checksum, id,
// sequence) and a payload of `payload_size` bytes. When the payload has room
// (payload_size >= k_match_size) it starts with match data:
//
//   offset 0  magic       "pkpr" (0x706b7072, big-endian like every field)
//   offset 4  nonce       random per prober instance: another prober's or
//                         another process's echo traffic never matches
//   offset 8  slot        the caller's handle for the target
//   offset 12 index       the prober's in-flight entry (O(1) lookup)
//   offset 16 generation  unique per probe within a prober (a late reply to a
//                         reused entry does not match)
//
// and the rest is the pad pattern: payload byte i is (i & 0xff), as ping(8)
// fills it. A smaller payload is all pattern and is matched by (echo id,
// sequence) instead (see Prober).
namespace pk::probe::packet {

inline constexpr std::size_t k_icmp_header_size = 8;
inline constexpr std::size_t k_match_size = 20;
inline constexpr std::uint32_t k_magic = 0x706b7072;  // "pkpr"

// ICMP (RFC 792) and ICMPv6 (RFC 4443) message types used here.
inline constexpr std::uint8_t k_v4_echo_reply = 0;
inline constexpr std::uint8_t k_v4_dest_unreachable = 3;
inline constexpr std::uint8_t k_v4_echo_request = 8;
inline constexpr std::uint8_t k_v4_time_exceeded = 11;
inline constexpr std::uint8_t k_v6_dest_unreachable = 1;
inline constexpr std::uint8_t k_v6_packet_too_big = 2;
inline constexpr std::uint8_t k_v6_time_exceeded = 3;
inline constexpr std::uint8_t k_v6_echo_request = 128;
inline constexpr std::uint8_t k_v6_echo_reply = 129;

// Is `type` an ICMP error that quotes the packet it is about: destination
// unreachable or time exceeded (and for ICMPv6, packet too big)?
bool is_error_type(bool v6, std::uint8_t type);

// What an echo payload carries to identify its probe.
struct Match {
  std::uint32_t nonce = 0;
  std::uint32_t slot = 0;
  std::uint32_t index = 0;
  std::uint32_t generation = 0;
  friend bool operator==(const Match&, const Match&) = default;
};

// The RFC 1071 Internet checksum of `data`, as the 16-bit value to store in
// network byte order at the checksum field (whose bytes must be zero while
// summing). Summing a packet that already holds its correct checksum gives 0.
std::uint16_t checksum(std::span<const std::uint8_t> data);

// Fills `payload` with the pad pattern (byte i = i & 0xff).
void fill_pattern(std::span<std::uint8_t> payload);

// Writes the header of an echo request over packet[0, 8) and, when the
// payload has room, the match data after it; payload bytes beyond the match
// data (or all of them when it has no room) are left as they are, so a caller
// that keeps a pattern-filled buffer rewrites only ~28 bytes per probe. With
// `with_checksum` (raw IPv4 sockets) the checksum is computed over the whole
// packet; otherwise it is left 0 (the kernel fills it for datagram ICMP and
// for ICMPv6). `packet` must hold at least the 8-byte header.
void write_echo_request(std::span<std::uint8_t> packet, bool v6, std::uint16_t id, std::uint16_t sequence,
                        const Match& match, bool with_checksum);

// A whole echo request into `packet` (header, match data, pattern).
void build_echo_request(std::span<std::uint8_t> packet, bool v6, std::uint16_t id, std::uint16_t sequence,
                        const Match& match, bool with_checksum);

// Writes match data over payload[0, k_match_size) (payload must have room):
// echo payloads, and the UDP payloads of traceroute probes.
void write_match(std::span<std::uint8_t> payload, const Match& match);

// Reads match data from the start of an echo payload: nullopt when the
// payload is shorter than k_match_size or does not start with the magic. The
// nonce is returned, not checked.
std::optional<Match> read_match(std::span<const std::uint8_t> payload);

// The identifying fields of an echo message.
struct Echo {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  std::optional<Match> match;  // nullopt: the payload had no (or truncated) match data
};

enum class Kind { echo_reply, error };

// A received ICMP message that may answer one of our probes.
struct Received {
  Kind kind = Kind::echo_reply;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  // echo_reply: the reply's own fields; error: those of the echo request the
  // error quotes.
  Echo echo;
  // The IPv4 TTL from the packet's IP header (raw IPv4 sockets only).
  std::optional<int> ttl;
  // error over a raw socket: the destination of the quoted request.
  std::optional<Address> quoted_destination;
};

// Parses what a raw IPv4 ICMP socket delivers: the IP header, then ICMP.
// `complete` says the buffer holds the whole datagram (not truncated by the
// receive buffer); the ICMP checksum is then verified. nullopt for anything
// but an echo reply or a destination-unreachable / time-exceeded error that
// quotes an ICMP echo request, and for malformed or corrupted packets.
std::optional<Received> parse_ipv4_packet(std::span<const std::uint8_t> data, bool complete);

// Parses an ICMP message without an IP header: ICMPv4 from a datagram socket,
// or ICMPv6 from either kind of socket (the kernel has checked the checksum in
// those cases). Same acceptance rules as parse_ipv4_packet; for ICMPv6 the
// errors are destination unreachable, packet too big and time exceeded.
std::optional<Received> parse_icmp(std::span<const std::uint8_t> data, bool v6);

// Parses an echo request (ICMP header + payload, possibly truncated), as a
// datagram socket's error queue returns the packet an error refers to.
// nullopt when it is not an echo request of that family.
std::optional<Echo> parse_echo_request(std::span<const std::uint8_t> data, bool v6);

// How an ICMP error is recorded: the sample status and a lower-case reason,
// e.g. {unreachable, "host unreachable"}, {ttl_exceeded, "time to live
// exceeded"}. Unknown codes get a generic reason with the code number.
struct ErrorClass {
  core::SampleStatus status = core::SampleStatus::unreachable;
  std::string reason;
};
ErrorClass classify_error(bool v6, std::uint8_t type, std::uint8_t code);

}  // namespace pk::probe::packet
