#pragma once

#include "analyze/source.hpp"
#include "util/time.hpp"

#include <array>
#include <optional>
#include <vector>

namespace pk::analyze {

// What each tier holds for the targets (the values of store::rollups::Coverage,
// as a pure input). Index by static_cast<std::size_t>(Tier).
//  watermark[t]: every bucket of rollup tier t that starts before it is
//                rolled up (nullopt: nothing rolled up yet; [0] is unused:
//                raw samples are always current);
//  horizon[t]:   data of tier t (0 = raw samples) before it was pruned
//                (nullopt: nothing pruned).
struct TierExtent {
  std::array<std::optional<util::SysMicros>, 4> watermark{};
  std::array<std::optional<util::SysMicros>, 4> horizon{};
  friend bool operator==(const TierExtent&, const TierExtent&) = default;
};

// A part of a range answered from one tier: raw samples with ts in
// [from, to), or the rollup rows of `tier` whose buckets start in [from, to)
// (then from and to are multiples of the tier's width).
struct Segment {
  Tier tier = Tier::raw;
  util::SysMicros from{};
  util::SysMicros to{};
  friend bool operator==(const Segment&, const Segment&) = default;
};

// Plans how to answer [from, to) with as few rows as possible: the aligned
// interior from the coarsest usable tier (UTC days, then hours, then
// minutes), the unaligned edges from finer tiers, and raw samples for partial
// minutes and for everything the 1-minute tier has not rolled up yet (the tail
// after its watermark). Only tiers up to `coarsest` are used; Tier::raw means
// raw samples only.
//
// A rollup bucket [b, b + width) is usable when it ends at or before its
// tier's watermark and starts at or after its tier's horizon; raw samples are
// usable from the raw horizon on.
//
// Where raw samples were pruned and no finer tier holds a whole bucket, the
// range is rounded outwards to the bucket of the finest tier that holds the
// instant: e.g. [10:00:30, ...) with raw pruned and 1-minute rows kept starts
// with the 1-minute bucket 10:00:00, so the first segment begins before
// `from` (and the last may end after `to`). Finer segments that such a
// bucket swallows are dropped, so segments never overlap. Parts of the range
// where no tier holds anything (raw pruned and nothing rolled up there) get
// no segment.
//
// The result is time-ordered and non-overlapping; adjacent segments of one
// tier are joined. Empty when from >= to.
std::vector<Segment> plan_cover(util::SysMicros from, util::SysMicros to, const TierExtent& extent,
                                Tier coarsest = Tier::d1);

// Appends the plan of a later period to `plan` so that nothing is read
// twice: where finer data was pruned, plan_cover rounds a period out to whole
// buckets, so the next period's plan may start inside what `plan` already
// covers. A segment ending at or before the end of `plan` is dropped; one
// starting before it starts there instead (a rollup segment at the next
// bucket of its tier), so the rest of it is still read. (Should the later
// plan use a coarser tier than the end of `plan`, which takes a retention
// horizon between the two periods, the part up to that next bucket is not
// read.)
void append_plan(std::vector<Segment>& plan, const std::vector<Segment>& later);

// The coarsest tier among `segments` (Tier::raw when there are none or only
// raw ones): the `"source"` an answer states.
Tier coarsest_tier(const std::vector<Segment>& segments);

}  // namespace pk::analyze
