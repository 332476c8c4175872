#pragma once

#include "analyze/status_tracker.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"

#include <optional>
#include <string>

namespace pk::serve {

struct ServeState;

// Per-target counters for GET /metrics (Prometheus): probes sent and
// answered, an RTT histogram, up/down and the last RTT, fed with every sample
// the live feed sees since the server started. Thread-safe; record() takes a
// mutex and allocates only when it first sees a target (or its labels change).
//
// Series per target, labelled target (name), host and probe (icmp|tcp):
//  - pingkeeper_probes_sent_total: every sample (as `stats` counts "sent");
//  - pingkeeper_probes_received_total: answered samples (ok or refused);
//  - pingkeeper_rtt_seconds: histogram of answered RTTs, buckets 50 µs
//    doubling to 26.2144 s (smokeping_prober's);
//  - pingkeeper_target_up: 0 once the current run of losses spans 30 s from
//    its first to its latest lost sample (the downtime rule), 1 again with the
//    next answer; a target that lost only a few probes is up. Judged by
//    analyze::StatusTracker, as the WebSocket's host_status_change is: a
//    sample sent before the newest one seen (a timeout known late) is ignored;
//  - pingkeeper_last_rtt_seconds: the RTT of the newest answer by send time
//    (absent until the target answered once).
// A target whose name another target now bears (renamed, or removed and the
// name reused) loses its series, so no two series share labels.
class TargetCounters {
 public:
  TargetCounters();
  ~TargetCounters();
  TargetCounters(const TargetCounters&) = delete;
  TargetCounters& operator=(const TargetCounters&) = delete;

  // What a sample did to its target's up/down state: the change, and the
  // first loss of the run of losses that took it down or just ended.
  struct StatusChange {
    analyze::StatusTracker::Change change = analyze::StatusTracker::Change::none;
    std::optional<util::SysMicros> loss_since;
  };
  // Counts the sample; the live feed tells WebSocket clients of the change
  // (one judgement of up/down for /metrics and host_status_change).
  StatusChange record(const core::Target& target, const core::Sample& sample);

  // The Prometheus text exposition (version 0.0.4) of these counters, the
  // server's own figures (state.counters) and the process's (CPU, RSS, fds,
  // start time).
  std::string render(const ServeState& state) const;

 private:
  struct Impl;
  Impl* m_impl;
};

}  // namespace pk::serve
