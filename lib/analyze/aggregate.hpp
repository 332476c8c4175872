#pragma once

#include "analyze/answer_gaps.hpp"
#include "analyze/sketch.hpp"
#include "analyze/summary.hpp"
#include "core/sample.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

#include <optional>

namespace pk::analyze {

// Everything pingkeeper knows about a run of one target's samples: the
// mergeable summary statistics, the quantile sketch of the received RTTs and
// where the answers fall (for downtime). A rollup row is an Aggregate of one
// bucket; `stats` merges Aggregates of raw samples and rollup rows in time
// order. A pure value.
struct Aggregate {
  Summary summary;
  Sketch sketch;
  AnswerGaps answers;

  // Records one sample, in time order: received when it has an RTT; an
  // answer for `answers` when core::answered(status).
  void add(const core::Sample& sample);
  // Records one RTT in µs (nullopt = lost) in the summary and the sketch
  // only: without a time, `answers` cannot be fed and stays as it is. Only
  // for aggregates that never meet downtime detection (tests, RTT lists);
  // whatever builds rollup rows or merges with them adds Samples.
  void add(std::optional<double> rtt_us);
  // Appends the aggregate of the samples that came right after these.
  void merge_after(const Aggregate& later);

  bool empty() const { return summary.sent() == 0; }

  friend bool operator==(const Aggregate&, const Aggregate&) = default;
};

// The start of the width-wide bucket (aligned to the Unix epoch) holding t;
// correct for times before the epoch too. width must be positive.
util::SysMicros floor_to(util::SysMicros t, util::Micros width);
// The smallest bucket start >= t.
util::SysMicros ceil_to(util::SysMicros t, util::Micros width);

}  // namespace pk::analyze
