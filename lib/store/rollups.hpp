#pragma once

#include "analyze/aggregate.hpp"
#include "analyze/source.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pk::store {
class Database;
}

// The rollup tables (rollup_1m / rollup_1h / rollup_1d), their watermarks and
// dirty marks, and the retention horizons (schema/002_rollups.sql). `tier` is
// never analyze::Tier::raw here except where a function says so (raw is
// refused with invalid_input). A row that does not decode (counts, RTTs,
// sketch or answer gaps inconsistent) is an ErrorKind::database error.
namespace pk::store::rollups {

// One rollup row: the aggregate of one target's samples in
// [bucket, bucket + tier_width).
struct Row {
  std::int64_t target_id = 0;
  util::SysMicros bucket{};
  analyze::Aggregate aggregate;
  friend bool operator==(const Row&, const Row&) = default;
};

// Rows of one target with bucket start in [from, to), oldest first.
Expected<std::vector<Row>> range(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                                 util::SysMicros to);

// Inserts or replaces rows (callers hold a transaction).
Expected<void> upsert(const Database& db, analyze::Tier tier, std::span<const Row> rows);

// What each tier holds, read from settings in one go:
//  watermark[t]: every bucket of tier t starting before it is rolled up
//                (nullopt: nothing rolled up yet; index 0 = raw is unused);
//  horizon[t]:   data of tier t (0 = raw samples) before it was pruned
//                (nullopt: nothing pruned).
struct Coverage {
  std::array<std::optional<util::SysMicros>, 4> watermark{};
  std::array<std::optional<util::SysMicros>, 4> horizon{};
  friend bool operator==(const Coverage&, const Coverage&) = default;
};
Expected<Coverage> coverage(const Database& db);
Expected<void> set_watermark(const Database& db, analyze::Tier tier, std::optional<util::SysMicros> at);
// tier may be raw here.
Expected<void> set_horizon(const Database& db, analyze::Tier tier, util::SysMicros at);

// The rollup pass's claim (setting rollup.claim.1m): it is summarising
// samples before `at`, so store::samples::insert_batch marks a sample before
// max(claim, 1m watermark) dirty.
Expected<void> set_claim(const Database& db, util::SysMicros at);

// The ids of every target with rows in `tier`, ascending.
// The end of the newest bucket of any target in `tier`; nullopt when empty.
Expected<std::optional<util::SysMicros>> newest_end(const Database& db, analyze::Tier tier);

Expected<std::vector<std::int64_t>> target_ids(const Database& db, analyze::Tier tier);

// The start of a target's oldest bucket >= t in `tier`; nullopt when none.
Expected<std::optional<util::SysMicros>> first_at_or_after(const Database& db, analyze::Tier tier,
                                                           std::int64_t target_id, util::SysMicros t);

// Does the target have a row in `tier` with bucket in [from, to)?
Expected<bool> any_in(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                      util::SysMicros to);

// Deletes a target's rows with bucket in [from, to), then inserts `rows`
// (callers hold a transaction).
Expected<void> replace(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                       util::SysMicros to, std::span<const Row> rows);

// Deletes at most `max_rows` of a target's oldest rows with bucket < before
// (one statement); returns how many.
Expected<std::int64_t> erase_before(const Database& db, analyze::Tier tier, std::int64_t target_id,
                                    util::SysMicros before, std::int64_t max_rows);

// A dirty mark (table rollup_dirty): the bucket of `tier` starting at
// `bucket` must be recomputed because what it summarises changed.
struct Mark {
  std::int64_t target_id = 0;
  util::SysMicros bucket{};
  friend bool operator==(const Mark&, const Mark&) = default;
};

// At most `limit` marks of `tier`, by target and bucket.
Expected<std::vector<Mark>> marks(const Database& db, analyze::Tier tier, std::int64_t limit);
// Adds a mark (nothing happens when it exists).
Expected<void> mark(const Database& db, analyze::Tier tier, const Mark& m);
// Removes a mark.
Expected<void> unmark(const Database& db, analyze::Tier tier, const Mark& m);
// The oldest bucket marked in `tier` at or after `t`; nullopt when none.
Expected<std::optional<util::SysMicros>> oldest_mark(const Database& db, analyze::Tier tier, util::SysMicros t);
// Removes the marks of `tier` before `before`; returns how many.
Expected<std::int64_t> drop_marks_before(const Database& db, analyze::Tier tier, util::SysMicros before);

}  // namespace pk::store::rollups
