#pragma once

#include "core/sample.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pk::store {
class Database;
}

// Sample reads across several targets for the seed 000 surface of `serve`
// (GET /api/ping-metrics and /count).
namespace pk::store::seed_samples {

// The samples of `target_ids` with ts >= since, newest first (equal times by
// target id), skipping the first `offset` and returning at most `limit`.
// Reads only offset + limit rows: one index walk per target, merged.
Expected<std::vector<core::Sample>> newest(const Database& db, std::span<const std::int64_t> target_ids,
                                           util::SysMicros since, std::int64_t limit, std::int64_t offset);

// The newest sample of each of `target_ids` that has one, in that order (one
// statement, prepared once).
Expected<std::vector<core::Sample>> latest(const Database& db, std::span<const std::int64_t> target_ids);

// How many samples `target_ids` have (every target's when nullopt), with
// ts >= since when given.
Expected<std::int64_t> count(const Database& db, std::optional<std::span<const std::int64_t>> target_ids,
                             std::optional<util::SysMicros> since);

}  // namespace pk::store::seed_samples
