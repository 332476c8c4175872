#pragma once

#include "maintain/progress.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace pk::store {
class Database;
}

// The rollup pass: raw samples -> rollup_1m -> rollup_1h -> rollup_1d
// (ARCHITECTURE.md decision 1). Each tier has a watermark: every bucket
// before it is rolled up, and readers trust rows only below it. A pass
// 1. recomputes the buckets marked dirty (samples that arrived after their
//    bucket was rolled up; see store::samples::insert_batch), finest tier
//    first: a 1m bucket from raw, a 1h bucket from 1m rows, a 1d bucket (UTC
//    days) from 1h rows; a recomputed bucket below the next tier's
//    watermark marks that tier's bucket dirty in turn. Where raw samples were
//    already pruned, late ones are merged into the kept rows (1m, else 1h,
//    else 1d) and deleted, so nothing is counted twice or lost (their jitter
//    contribution and the rows' answer gaps are approximate: they are
//    appended, not placed in order; downtime does not use the gaps of rows
//    whose raw samples were pruned);
// 2. rolls each tier forward from its watermark: 1m up to the minute
//    `settle` before `now`, 1h up to the 1m watermark, 1d up to the 1h one.
//    Without a watermark a tier starts at its oldest source data.
// The pass is idempotent (a second run changes nothing) and safe against a
// concurrent writer of samples: before reading a time chunk it claims it
// (store::rollups::set_claim), so a sample committed there afterwards is
// marked dirty; its write transactions are short (about a thousand rows).
// A crash anywhere only makes the next pass redo some work. Callers hold
// the MaintenanceLock (one pass at a time).
namespace pk::maintain {

struct RollupOptions {
  // How long after a minute ends before it is rolled up (late replies).
  util::Micros settle = std::chrono::seconds{90};
  Progress progress;
  // Pause after each write so a concurrent writer (the collector's) is never
  // starved (maintain::Pacer). Bulk work with no collector running turns it off.
  bool paced = true;
  // When set (e.g. by the collector shutting down), the pass ends at its next
  // step and reports what it did; the next pass goes on from there.
  const std::atomic<bool>* stop = nullptr;
};

struct RollupReport {
  // Indexed by analyze::Tier (index 0, raw, unused).
  std::array<std::int64_t, 4> rows_written{};
  std::array<std::int64_t, 4> dirty_handled{};                // dirty marks handled
  std::int64_t samples_read = 0;                              // raw samples read
  std::int64_t late_samples_merged = 0;                       // late samples merged where raw was pruned
  std::array<std::optional<util::SysMicros>, 4> watermark{};  // after the pass
};

Expected<RollupReport> run_rollup(const store::Database& db, util::SysMicros now, const RollupOptions& options = {});

// Recomputes every tier from the finer one wherever the finer data is fully
// kept (a bucket starting at or after the finer tier's retention horizon):
// moves each watermark back to that point and runs the pass. Rows older than
// that keep their values, since their source is gone.
Expected<RollupReport> rebuild_rollups(const store::Database& db, util::SysMicros now,
                                       const RollupOptions& options = {});

}  // namespace pk::maintain
