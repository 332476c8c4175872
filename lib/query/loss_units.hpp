#pragma once

#include "query/reader.hpp"

#include "core/target.hpp"
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

// The units of [from, to) that can hold a downtime period of at least
// `min_duration`, in time order, found from rollup rows:
//  - where raw samples are kept, only minutes with losses, read raw. The
//    hour rows say which hours had losses, their 1-minute rows which
//    minutes. A group of adjacent minutes with losses is left out when it
//    cannot hold a long enough run: the target's interval I is at most 30 s,
//    the group's hours and their neighbours are steady (each holds
//    3600 s / I samples, give or take one, so at most one is missing and no
//    gap is longer than 2 I), and (lost + 3) x 2 x I < min_duration.
//    Anything else (another interval, a paused collector, extra probes, the
//    hours at the ends) is read raw;
//  - raw parts of the plan (partial minutes, the tail after the 1-minute
//    watermark) as they are;
//  - where raw samples were pruned, the finest rollup rows kept: every row
//    of a bucket without losses or with no answer at all, finer rows inside
//    buckets with some losses.
// Between units nothing was lost where raw samples are kept.
Expected<std::vector<LossUnit>> loss_units(Reader& reader, const core::Target& target, util::SysMicros from,
                                           util::SysMicros to, util::Micros min_duration);

}  // namespace pk::query
