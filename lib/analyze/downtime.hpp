#pragma once

#include "core/sample.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pk::analyze {

// One outage: a run of consecutive lost samples (CLI.md "Statistics
// definitions"). The interval is half-open, [start, end).
struct DowntimePeriod {
  util::SysMicros start{};  // ts of the first lost sample of the run
  util::SysMicros end{};    // ts of the first answered sample after the run; see DowntimeDetector
  std::int64_t probes = 0;  // lost samples in the run (>= 1)
  bool ongoing = false;     // the run was still open at the end of the data

  // end - start; never negative for periods the detector returns.
  util::Micros duration() const { return end - start; }

  friend bool operator==(const DowntimePeriod&, const DowntimePeriod&) = default;
};

// Streaming downtime detection over one target's samples, in time order.
//
// A sample is a loss unless core::answered(status) (so `refused` is an
// answer: the host is up). A run of consecutive losses becomes a period:
//  - it starts at the first lost sample's ts (an outage that began before the
//    data starts at the first sample we have);
//  - it ends at the ts of the first answered sample after the run: the outage
//    lasted until that probe got through;
//  - a run still open when finish() is called ends at range_end if given
//    (clamped to be no earlier than the run's last lost sample), else at the
//    last lost sample's ts, and is flagged `ongoing`.
// Periods whose duration() is shorter than min_duration are dropped; a
// duration exactly equal to min_duration counts. Consequently a single lost
// sample between two answers lasts until the next answer (one probe interval)
// and counts only when that interval is >= min_duration; a single lost sample
// at the very end with no range_end has duration 0 and counts only when
// min_duration is 0. Ongoing runs are judged by the same rule.
// Samples with equal ts are taken in the order given. Samples must not go
// backwards in time (precondition, not checked).
class DowntimeDetector {
 public:
  // A negative min_duration behaves as 0.
  explicit DowntimeDetector(util::Micros min_duration);

  void add(const core::Sample& sample);

  // Closes any open run (see above) and returns all periods in time order,
  // non-overlapping. The detector is reset afterwards and may be reused.
  std::vector<DowntimePeriod> finish(std::optional<util::SysMicros> range_end = std::nullopt);

 private:
  void close_run(util::SysMicros end, bool ongoing);

  util::Micros m_min_duration;
  std::vector<DowntimePeriod> m_periods;
  std::optional<DowntimePeriod> m_run;  // the open run; end = last lost ts so far
};

// Convenience: feeds all samples to a DowntimeDetector and finishes it.
std::vector<DowntimePeriod> detect_downtime(const std::vector<core::Sample>& samples, util::Micros min_duration,
                                            std::optional<util::SysMicros> range_end = std::nullopt);

// Availability % over the window [from, to): 100 × (1 − downtime / window),
// where downtime is the total length of the periods clipped to the window
// (overlapping periods are counted once). Result in [0, 100]. An empty or
// inverted window (to <= from) yields 100.
double availability_pct(const std::vector<DowntimePeriod>& periods, util::SysMicros from, util::SysMicros to);

}  // namespace pk::analyze
