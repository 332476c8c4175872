#pragma once

#include "maintain/progress.hpp"
#include "store/settings.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace pk::store {
class Database;
}

// Retention: how long each tier (raw samples, 1m, 1h, 1d rollups) is kept,
// and pruning what has expired.
namespace pk::maintain {

// The shortest keep per tier (raw, 1m, 1h, 1d): 1h, 1h, 1d, 1d.
util::Micros min_keep(std::size_t tier);

// Applies `retention set` arguments to `current`: each "TIER=KEEP" with TIER
// raw, 1m, 1h or 1d (at most once each) and KEEP a duration ("7d", "5y") or
// "forever". invalid_input, naming the argument, on anything else, on a keep
// below min_keep, or when the result keeps a tier shorter than the finer one
// before it (raw <= 1m <= 1h <= 1d: a rollup outlives its source).
Expected<store::settings::Retention> apply_retention_args(const store::settings::Retention& current,
                                                          std::span<const std::string> args);

struct PruneReport {
  // Indexed by analyze::Tier (0 = raw samples).
  std::array<std::int64_t, 4> rows_deleted{};
  std::array<std::optional<util::SysMicros>, 4> horizon{};  // after pruning
  std::int64_t marks_dropped = 0;                           // dirty marks below a horizon
  std::int64_t traces_deleted = 0;                          // traceroute runs older than the raw keep
};

// Deletes what each tier's retention lets go: rows before
// floor(now - keep, width) (raw: 1-minute aligned), but never data the next
// coarser tier has not rolled up yet (nothing above its watermark; without a
// watermark, nothing), nor what the rollup pass needs to recompute the
// buckets of a pending dirty mark and the coarser buckets holding them. Records the new
// horizon.<tier> first, so readers stop using that range, then deletes in
// small transactions (a few thousand rows, a few milliseconds each), then
// drops dirty marks that can no longer be served (with them, late samples
// that arrived before the raw horizon and that no rollup pass has merged
// yet: `maintain` and the collector run the pass first). Freed pages go to the
// freelist, where new rows reuse them. When `stop` is set, ends before the
// next tier (a tier whose horizon moved is always deleted up to it: rows left
// below a horizon would be taken for late samples). Traceroute runs are kept
// as long as raw samples: those that started before now - raw keep go too.
// Callers hold the MaintenanceLock.
Expected<PruneReport> prune(const store::Database& db, util::SysMicros now, const Progress& progress = {},
                            const std::atomic<bool>* stop = nullptr);

// prune() of raw samples only, with `keep` instead of the configured raw
// retention (the seed API's cleanup): the same rules (nothing the 1-minute
// tier has not rolled up, nothing a pending mark needs); other tiers and
// traces are left alone. Returns the samples deleted. Callers hold the
// MaintenanceLock.
Expected<std::int64_t> prune_raw(const store::Database& db, util::SysMicros now, util::Micros keep);

struct VacuumReport {
  std::int64_t pages_freed = 0;
  std::int64_t bytes_freed = 0;
};

// Gives free pages back to the operating system in small steps (incremental
// vacuum), so the file shrinks without ever locking out writers for long.
Expected<VacuumReport> vacuum(const store::Database& db, const Progress& progress = {});

}  // namespace pk::maintain
