#pragma once

#include "analyze/downtime.hpp"
#include "core/json.hpp"
#include "core/target.hpp"
#include "query/reader.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pk::query {

// The downtime periods of one target in [from, to), as
// analyze::DowntimeDetector finds them in the samples of that range (a run
// still open at `to` ends there and is `ongoing`), in time order.
//
// Fast over long ranges: the rollup rows' answer gaps show where answers are
// far enough apart to hold a period, and raw samples are read only there
// (see query::loss_units). Where raw samples are kept the result is the
// detector's over all samples, whatever their spacing, as far as the rollups
// are current (a late sample counts once the rollup pass has re-rolled its
// bucket). Where raw samples were pruned, the finest rollup rows kept stand
// in for them: a run of buckets without any answer is an outage from the
// first bucket's start to the start of the next bucket with data (its probes:
// the buckets' sent), and buckets with some answers end a run; outages inside
// partly answered buckets are not seen. Periods are clipped to start no
// earlier than `from`.
Expected<std::vector<analyze::DowntimePeriod>> downtime_periods(Reader& reader, const core::Target& target,
                                                                util::SysMicros from, util::SysMicros to,
                                                                util::Micros min_duration);

// What `downtime` reports for one target.
struct DowntimeReport {
  std::int64_t target_id = 0;
  std::string target;
  util::SysMicros from{};
  util::SysMicros to{};
  util::Micros min_duration{};
  std::vector<analyze::DowntimePeriod> periods;

  util::Micros total() const;       // the periods' durations, clipped to [from, to)
  double availability_pct() const;  // analyze::availability_pct over [from, to)
};

// invalid_input when from >= to.
Expected<DowntimeReport> downtime(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                                  util::Micros min_duration);

// {"target", "target_id", "from", "to", "min_duration_ms", "downtime_ms",
//  "availability_pct", "periods": [...]}.
core::Json to_json(const DowntimeReport& report);
// {"start", "end", "duration_ms", "probes", "ongoing"}.
core::Json to_json(const analyze::DowntimePeriod& period);

}  // namespace pk::query
