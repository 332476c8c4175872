#pragma once

#include "analyze/aggregate.hpp"
#include "analyze/source.hpp"
#include "core/job.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"
#include "core/window.hpp"
#include "query/reader.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

// The rows an export writes, read through a query::Reader: every raw sample
// of the targets in the range, or one row per rollup bucket (1m, 1h, 1d), in
// constant memory. lib/report formats them as CSV or XLSX.
namespace pk::query {

// What is exported: targets (in order), a range, and optionally a job whose
// windows (and start / end) limit the range.
struct ExportScope {
  std::vector<core::Target> targets;
  std::optional<core::Job> job;
  util::SysMicros from{};
  util::SysMicros to{};
};

// The interval `target` is probed at in the scope: its own, or the job's
// when that is shorter.
util::Micros probe_interval(const ExportScope& scope, const core::Target& target);

// The parts of [from, to) exported: the job's active intervals in it, or the
// whole range. invalid_input when from >= to.
Expected<std::vector<core::Interval>> export_periods(const ExportScope& scope);

// `--resolution`: raw, 1m, 1h, 1d or auto (nullopt).
Expected<std::optional<analyze::Tier>> parse_resolution(std::string_view text);

// The most rows `auto` picks a resolution for (one worksheet holds 1,048,575).
inline constexpr std::int64_t k_auto_rows = 1'000'000;

// The resolution `auto` picks: the finest of raw, 1m, 1h and 1d that is kept
// from the first period's start on and whose estimated rows are at most
// k_auto_rows: per target, the periods' time from its oldest sample or
// 1-minute row in them on, divided by the probe interval (the job's when
// shorter) for raw, by the tier's width (never finer than the probe
// interval) for a tier. 1d when none fits.
Expected<analyze::Tier> auto_resolution(const Reader& reader, const ExportScope& scope,
                                        std::span<const core::Interval> periods);

// invalid_input when `tier` was pruned at `from` (raw samples or that tier's
// rows), naming the retention and what to ask for instead.
Expected<void> check_resolution(const Reader& reader, analyze::Tier tier, util::SysMicros from);

// Where an export is: the index of the target being read (0-based) and the
// time reached in it.
struct ExportPosition {
  std::size_t target_index = 0;
  util::SysMicros at{};
};

// How rows are streamed: `stop` (may be null) is checked between rows and
// stops the read with an ErrorKind::io error "interrupted"; `position` (may be empty) is
// called now and then, for progress.
struct StreamControl {
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const ExportPosition&)> position;
};

// io error "export interrupted" when control.stop is set, else success.
Expected<void> check_stop(const StreamControl& control);

// Calls fn for every raw sample (every column: ttl and detail too) of each
// target in scope order, inside `periods`, oldest first; the Target passed is
// the element of scope.targets (so its index is &target - targets.data()).
// fn returns false to
// end the stream early (a writer that failed): for_each_sample then returns
// success, and the writer reports its own error.
using ExportSampleFn = std::function<bool(const core::Target&, const core::Sample&)>;
Expected<void> for_each_sample(Reader& reader, const ExportScope& scope, std::span<const core::Interval> periods,
                               const ExportSampleFn& fn, const StreamControl& control = {});

// One bucket of `tier`'s width (epoch-aligned, so UTC hours and days) of one
// target: everything inside it and inside the periods, from rollup rows and,
// where the tier has not rolled up yet or at a period's unaligned edges, from
// finer rows and raw samples (analyze::plan_cover, periods joined by
// analyze::append_plan). Buckets without samples are skipped. Percentiles
// come from `aggregate.sketch`. Where finer data was pruned a period is
// rounded out to whole rows, so a bucket may then hold some time outside the
// periods. fn returns false to end the stream early, as for for_each_sample.
struct ExportBucket {
  util::SysMicros start{};
  analyze::Aggregate aggregate;
};
using ExportBucketFn = std::function<bool(const core::Target&, const ExportBucket&)>;
// invalid_input for Tier::raw.
Expected<void> for_each_bucket(Reader& reader, const ExportScope& scope, std::span<const core::Interval> periods,
                               analyze::Tier tier, const ExportBucketFn& fn, const StreamControl& control = {});

}  // namespace pk::query
