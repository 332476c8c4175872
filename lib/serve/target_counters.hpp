#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"

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
//  - pingkeeper_target_up: 0 while the current run of losses (samples lost
//    after the newest answer, in send-time order) spans at least 30 s from its
//    first to its last lost sample, as the downtime rule measures an ongoing
//    run; else 1 (a target that only lost a few probes is still up);
//  - pingkeeper_last_rtt_seconds: the RTT of the newest answer (absent until
//    the target answered once).
// Samples may arrive out of send-time order (a timeout is known later than the
// answers after it): a loss older than the newest answer does not open a run.
// A target whose name another target now bears (renamed, or removed and the
// name reused) loses its series, so no two series share labels.
class TargetCounters {
 public:
  TargetCounters();
  ~TargetCounters();
  TargetCounters(const TargetCounters&) = delete;
  TargetCounters& operator=(const TargetCounters&) = delete;

  void record(const core::Target& target, const core::Sample& sample);

  // The Prometheus text exposition (version 0.0.4) of these counters, the
  // server's own figures (state.counters) and the process's (CPU, RSS, fds,
  // start time).
  std::string render(const ServeState& state) const;

 private:
  struct Impl;
  Impl* m_impl;
};

}  // namespace pk::serve
