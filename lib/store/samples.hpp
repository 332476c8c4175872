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
// re-sent probe), so a retried batch never fails half-way.
Expected<void> insert_batch(const Database& db, std::span<const core::Sample> samples,
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

// How many samples a target has.
Expected<std::int64_t> count(const Database& db, std::int64_t target_id);

}  // namespace pk::store::samples
