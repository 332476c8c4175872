#pragma once

#include "query/reader.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <vector>

namespace pk::query {

// A part of a range that downtime detection must look at: raw samples with
// ts in [from, to), or, where raw samples were pruned, one rollup bucket's
// counts standing in for them.
struct LossUnit {
  util::SysMicros from{};
  util::SysMicros to{};
  bool raw = true;
  std::int64_t sent = 0;      // rollup buckets only
  std::int64_t received = 0;  // rollup buckets only
  friend bool operator==(const LossUnit&, const LossUnit&) = default;
};

// The units of one target's [from, to) that can hold a downtime period of at
// least `min_duration`, in time order, found from the rollup rows' answer
// gaps (analyze::AnswerGaps). A period lies between two consecutive answers
// a < b with a loss between them, and lasts less than b - a, so where raw
// samples are kept the raw units are:
//  - every span from an answer a to the next answer b, both included, with
//    b - a >= min_duration and a loss between them as far as the rows tell
//    (a bucket of a or b, or one between them, lost something): across
//    rollup buckets (the last answer of one bucket with answers to the first
//    of the next), or inside one (its largest gap: finer rows narrow it down
//    where they are fewer than the bucket's samples, and the bucket where
//    that stops is read from its first answer to its last);
//  - everything before the first answer of the range and after its last
//    (a period may start at `from` or still be open at `to`);
//  - the raw parts of the plan (partial minutes at the edges, the tail after
//    the 1-minute watermark), joined to the answers on either side.
// Overlapping or touching spans are joined. So every raw unit starts at
// `from` or at an answer and ends at `to` or just after an answer, and no
// run of losses outside them lasts min_duration: the detector fed the units
// alone finds exactly the periods it finds in all samples. No assumption on
// how the samples are spaced; a min_duration at or below the probe interval
// makes every loss a unit (exact, only slower).
// Where raw samples were pruned, the finest rollup rows kept stand in: every
// row of a bucket without losses or with no answer at all, finer rows inside
// buckets with some losses. After them, the raw units go on from the end of
// the last stand-in up to the first answer.
Expected<std::vector<LossUnit>> loss_units(Reader& reader, std::int64_t target_id, util::SysMicros from,
                                           util::SysMicros to, util::Micros min_duration);

}  // namespace pk::query
