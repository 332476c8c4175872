#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>

namespace pk::analyze {

// Where the answers fall in a run of one target's samples: how many samples
// were answered (core::answered), the ts of the first and of the last, and
// the longest time between two consecutive answers. Downtime detection needs
// nothing else to know where a period can be: a period (DowntimeDetector)
// lies between two consecutive answers a < b, with at least one loss between
// them, and lasts less than b - a; so a run whose largest gap is shorter than
// a minimum duration, or that lost nothing (count == sent), holds no period
// that long. Rollup rows carry one per bucket. A pure value.
struct AnswerGaps {
  std::int64_t count = 0;                // answered samples
  std::optional<util::SysMicros> first;  // nullopt: no answer
  std::optional<util::SysMicros> last;   // nullopt: no answer
  util::Micros max_gap{};                // 0 with fewer than two answers

  // Records one sample, in time order; a lost one changes nothing.
  void add(util::SysMicros ts, bool answered);
  // Appends the gaps of the samples that came right after these: the gap
  // between this run's last answer and the later run's first counts too.
  // Out of time order (late samples merged into a rollup row whose raw
  // samples were pruned) count, first and last are still right (the
  // earliest and latest answers), but max_gap is only a guess (never more
  // than last - first).
  void merge_after(const AnswerGaps& later);

  bool any() const { return count > 0; }

  // Rebuilds gaps from stored parts. invalid_input when they are
  // inconsistent: a negative count, first and last not set exactly when
  // count > 0, first > last (or first != last with one answer), a negative
  // max_gap, or one larger than last - first.
  static Expected<AnswerGaps> from_parts(std::int64_t count, std::optional<util::SysMicros> first,
                                         std::optional<util::SysMicros> last, util::Micros max_gap);

  friend bool operator==(const AnswerGaps&, const AnswerGaps&) = default;
};

}  // namespace pk::analyze
