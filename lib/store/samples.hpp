#pragma once

#include "core/sample.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace pk::store {
class Database;
}

// Raw samples, keyed (target_id, ts).
namespace pk::store::samples {

// Counts to add to a job run's sent / received / errors.
struct RunCounts {
  std::int64_t run_id = 0;
  std::int64_t sent = 0;
  std::int64_t received = 0;
  std::int64_t errors = 0;
};

// Inserts samples, and adds `runs` to their job runs, in one transaction. A
// sample whose key already exists replaces the old one (a re-imported or
// re-sent probe), so a retried batch never fails half-way. A sample older
// than the 1-minute rollup's watermark or claim (settings rollup.watermark.1m,
// rollup.claim.1m: what the rollup pass has summarised or is summarising)
// marks its 1-minute bucket dirty in the same transaction, so the pass
// recomputes it. Samples of a target that no longer exists, or that were
// sent after it was removed (--keep-data), are left out (the collector
// learns of a removal only when it next reloads). Returns the samples stored.
Expected<std::int64_t> insert_batch(const Database& db, std::span<const core::Sample> samples,
                            std::span<const RunCounts> runs = {});

// A query over one target's samples in [since, until), oldest first, or the
// newest `limit` when `newest_first`.
struct Query {
  std::int64_t target_id = 0;
  std::optional<util::SysMicros> since;
  std::optional<util::SysMicros> until;
  std::optional<std::int64_t> limit;
  bool newest_first = false;
};
Expected<std::vector<core::Sample>> select(const Database& db, const Query& q);

// Samples with ts > after across `target_ids`, oldest first, at most `limit`:
// the feed behind `logs --follow`.
Expected<std::vector<core::Sample>> after(const Database& db, std::span<const std::int64_t> target_ids,
                                          util::SysMicros after, std::int64_t limit);

// The time of the newest sample of any target; nullopt when there is none.
Expected<std::optional<util::SysMicros>> newest(const Database& db);

// How many samples a target has.
Expected<std::int64_t> count(const Database& db, std::int64_t target_id);

// The ids of every target that has samples, ascending (one index seek each).
Expected<std::vector<std::int64_t>> target_ids(const Database& db);

// The time of a target's oldest sample with ts >= t; nullopt when none.
Expected<std::optional<util::SysMicros>> first_at_or_after(const Database& db, std::int64_t target_id,
                                                           util::SysMicros t);

// Does the target have a sample with ts in [from, to)?
Expected<bool> any_in(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to);

// Calls `fn` for each of a target's samples with ts in [from, to), oldest
// first, with target_id, ts, rtt and status set (no ttl or detail: not read).
// Returns how many there were.
using SampleVisitor = std::function<void(const core::Sample&)>;
Expected<std::int64_t> scan(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                            const SampleVisitor& fn);

// Calls `fn` for each of a target's samples with ts in [from, to), oldest
// first, with every column (ttl and detail too), until fn returns false.
// Returns how many were visited. Exports stream through this.
Expected<std::int64_t> scan_full(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                                 const std::function<bool(const core::Sample&)>& fn);

// Deletes a target's samples with ts in [from, to); returns how many.
Expected<std::int64_t> erase_range(const Database& db, std::int64_t target_id, util::SysMicros from,
                                   util::SysMicros to);

// Deletes at most `max_rows` of a target's oldest samples with ts < before
// (one statement, so one short transaction); returns how many.
Expected<std::int64_t> erase_before(const Database& db, std::int64_t target_id, util::SysMicros before,
                                    std::int64_t max_rows);

}  // namespace pk::store::samples
