#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>

namespace pk::analyze {

// Where the answers fall in a run of one target's samples: the ts of the
// first and of the last answered sample (core::answered) and the longest
// time between two consecutive answers. Downtime detection needs nothing
// else to know where a period can be: a period (DowntimeDetector) lies
// between two consecutive answers a < b and lasts less than b - a, so a run
// whose largest gap is shorter than a minimum duration holds no period that
// long. Rollup rows carry one per bucket. A pure value.
struct AnswerGaps {
  std::optional<util::SysMicros> first;  // nullopt: no answer
  std::optional<util::SysMicros> last;   // nullopt: no answer
  util::Micros max_gap{};                // 0 with fewer than two answers

  // Records one sample, in time order; a lost one changes nothing.
  void add(util::SysMicros ts, bool answered);
  // Appends the gaps of the samples that came right after these: the gap
  // between this run's last answer and the later run's first counts too.
  // Out of time order (late samples merged into a rollup row whose raw
  // samples were pruned) first and last are still the earliest and latest
  // answers, but max_gap is only a guess (never more than last - first).
  void merge_after(const AnswerGaps& later);

  bool any() const { return first.has_value(); }

  // Rebuilds gaps from stored parts. invalid_input when they are
  // inconsistent: only one of first and last set, first > last, a negative
  // max_gap, or one larger than last - first (or than 0 without answers).
  static Expected<AnswerGaps> from_parts(std::optional<util::SysMicros> first, std::optional<util::SysMicros> last,
                                         util::Micros max_gap);

  friend bool operator==(const AnswerGaps&, const AnswerGaps&) = default;
};

}  // namespace pk::analyze
