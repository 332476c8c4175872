#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"

#include <string>

namespace pk::serve {

struct ServeState;

// Per-target counters for GET /metrics (Prometheus): probes sent and
// answered, an RTT histogram, up/down and the last RTT, fed with every sample
// the live feed sees since the server started. Thread-safe.
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
