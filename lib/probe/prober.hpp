#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"
#include "probe/address.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pk::probe {

using SteadyTime = std::chrono::steady_clock::time_point;

// One probe to send now.
struct Probe {
  std::uint32_t slot = 0;  // the caller's handle for the target; echoed in the Reply
  Address address;         // for tcp, with the port set
  core::ProbeKind kind = core::ProbeKind::icmp;
  // ICMP data bytes after the 8-byte header, clamped to 0..k_max_payload.
  // Below 20 bytes there is no room for match data: such probes are matched
  // by echo id and sequence, so at most 65,536 of them per family can be in
  // flight at once (more fail as send_error), and on raw sockets another
  // program using the same random echo id could be mistaken for us.
  int payload_size = core::k_default_payload;
  util::Micros timeout = std::chrono::seconds{1};
};

// The outcome of one probe: an answer, an ICMP error, or a timeout.
//  - ok: rtt set (ICMP: kernel receive timestamp - wall-clock time just
//    before sendto; TCP: monotonic time from connect() to established, as no
//    kernel timestamp exists for that), ttl set for ICMP when the kernel gave it.
//  - refused (TCP reset): rtt set; the host answered.
//  - timeout: no answer within the timeout, or one whose RTT exceeds it.
//  - unreachable / ttl_exceeded (ICMP error): detail "from ADDR: REASON"
//    (probe/detail.hpp; reasons from packet::classify_error); or unreachable
//    from a local "no route" (detail "sendto: ..." / "connect: ...").
//  - send_error: a local failure; detail says what failed.
struct Reply {
  std::uint32_t slot = 0;
  util::SysMicros sent_at{};        // wall-clock send time: the sample's ts
  std::optional<util::Micros> rtt;  // kernel receive timestamp - send time; nullopt = lost
  core::SampleStatus status = core::SampleStatus::timeout;
  std::optional<int> ttl;  // IPv4 TTL / IPv6 hop limit of the reply
  std::string detail;      // e.g. "from 192.0.2.1: host unreachable"; empty when ok
  // The echo sequence on the wire (as ping(8) prints it), 0 for tcp. Counted
  // per prober and family from 1, wrapping after 65535.
  std::uint16_t sequence = 0;
};

// How ICMP sockets were opened.
enum class IcmpMode { datagram, raw };

// The probe engine: ICMP echo over IPv4/IPv6 and TCP connect, driven from one
// thread. send() never blocks; poll() waits for replies and timeouts with
// kernel receive timestamps (SO_TIMESTAMPNS). Thousands of probes may be in
// flight; replies are matched by (slot, sequence, nonce) carried in the echo
// payload (probe/packet.hpp), so sequence wrap-around and stray echo traffic
// are harmless; the nonce is random per Prober, so two probers (in one
// process or two) never take each other's replies. A reply after the probe's
// timeout counts as lost (the timeout Reply was already delivered) and is
// ignored. Every probe yields exactly one Reply.
//
// ICMP errors arrive on the socket error queue (datagram mode) or as ICMP
// messages quoting our request (raw mode); both become the same Reply.
class Prober {
 public:
  // Opens the ICMP sockets: an unprivileged datagram socket first
  // (net.ipv4.ping_group_range), a raw socket second. IPv6 is optional when
  // the host has no IPv6 (its sends then fail as send_error). Fails with
  // ErrorKind::permission, saying how to fix it (setcap cap_net_raw+ep, or
  // sysctl -w net.ipv4.ping_group_range="0 2147483647"), when ICMP is not
  // allowed at all. `icmp` false opens none (TCP only; fails only when the
  // process cannot create an epoll instance, as io).
  //
  // Opening takes the privilege; it can then be dropped (probe/privileges.hpp).
  static Expected<std::unique_ptr<Prober>> open(bool icmp = true);

  virtual ~Prober() = default;

  // Sends `probe` now. A local failure (no route, no IPv6 socket, ...) is not
  // an error: it comes back from the next poll() as a Reply with status
  // unreachable or send_error.
  virtual void send(const Probe& probe) = 0;

  // Waits until at least one probe finished or `deadline` passed, appending
  // every finished probe (answered, failed or timed out) to `out`. Returns
  // early, possibly with nothing, when a signal interrupts the wait (so a
  // caller can look at its stop flag). Timeouts fire within the wait, not at
  // the next call: nothing scans all probes in flight.
  virtual void poll(SteadyTime deadline, std::vector<Reply>& out) = 0;

  virtual std::size_t in_flight() const = 0;
  virtual IcmpMode icmp_mode() const = 0;
};

}  // namespace pk::probe
