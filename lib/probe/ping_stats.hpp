#pragma once

#include "core/sample.hpp"
#include "util/duration.hpp"

#include <cstdint>
#include <optional>

namespace pk::probe {

// The running statistics of a ping session, as ping(8) reports them: probes
// transmitted, answered (ok, or a TCP refusal: the host answered), errors
// (ICMP errors and local send failures; timeouts are plain losses), and
// min / avg / max / mdev over the answered RTTs. mdev is the population
// standard deviation, sqrt(mean(rtt^2) - mean(rtt)^2), as ping(8) computes it
// (here with Welford's update, which does not lose precision). A pure value:
// no clock, no I/O.
class PingStats {
 public:
  // Counts probes sent. A probe still unanswered when the session ends
  // counts as lost, as in ping(8).
  void add_transmitted(std::int64_t n = 1) { m_transmitted += n; }
  // Counts one finished probe; `rtt` is used when the status answered.
  void add_result(core::SampleStatus status, std::optional<util::Micros> rtt);

  std::int64_t transmitted() const { return m_transmitted; }
  std::int64_t received() const { return m_received; }
  std::int64_t errors() const { return m_errors; }
  // Lost probes (transmitted - received) as a percentage; 0 when none was
  // sent (never negative, even if results outnumber transmissions).
  double loss_percent() const;

  // RTT statistics in milliseconds; nullopt until a probe with an RTT was
  // received.
  std::optional<double> min_ms() const;
  std::optional<double> avg_ms() const;
  std::optional<double> max_ms() const;
  std::optional<double> mdev_ms() const;

 private:
  std::int64_t m_transmitted = 0;
  std::int64_t m_received = 0;
  std::int64_t m_errors = 0;
  std::int64_t m_rtt_count = 0;
  double m_mean_us = 0;
  double m_m2 = 0;  // sum of squared deviations from the mean (µs²)
  std::int64_t m_min_us = 0;
  std::int64_t m_max_us = 0;
};

}  // namespace pk::probe
