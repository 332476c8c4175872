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
// never analyze::Tier::raw here except where a function says so.
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

}  // namespace pk::store::rollups
