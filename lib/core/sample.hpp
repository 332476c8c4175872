#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pk::core {

// The outcome of one probe, stored as an INTEGER in samples.status. Values
// are part of the database format: never renumber, only append.
enum class SampleStatus : int {
  ok = 0,             // echo reply / TCP connection established; rtt set
  timeout = 1,        // no answer within the timeout (or a late one); rtt NULL
  unreachable = 2,    // ICMP destination unreachable (or EHOSTUNREACH/ENETUNREACH); rtt NULL
  ttl_exceeded = 3,   // ICMP time exceeded on the way; rtt NULL
  refused = 4,        // TCP RST: the host answered, so rtt is set
  resolve_error = 5,  // the name did not resolve; rtt NULL
  send_error = 6,     // the probe could not be sent (local error); rtt NULL
};

std::string_view to_string(SampleStatus s);
Expected<SampleStatus> parse_sample_status(std::string_view text);

// Did the host answer (the sample counts as received)?
inline bool answered(SampleStatus s) { return s == SampleStatus::ok || s == SampleStatus::refused; }

// One stored probe result. ts is the wall-clock send time (µs, UTC) and,
// with target_id, the sample's key.
struct Sample {
  std::int64_t target_id = 0;
  util::SysMicros ts{};
  std::optional<util::Micros> rtt;  // nullopt = lost
  SampleStatus status = SampleStatus::ok;
  std::optional<int> ttl;
  std::optional<std::string> detail;  // e.g. "from 192.0.2.1: host unreachable"
  friend bool operator==(const Sample&, const Sample&) = default;
};

}  // namespace pk::core
