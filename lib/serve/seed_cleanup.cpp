#include "serve/seed_cleanup.hpp"

#include "analyze/aggregate.hpp"
#include "maintain/lock.hpp"
#include "maintain/rollup_pass.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"

#include <climits>

#include <algorithm>
#include <chrono>

namespace pk::serve::seed {

namespace {

using analyze::Tier;

// Samples deleted per statement (one short transaction each).
constexpr std::int64_t k_samples_per_delete = 2000;

template <typename T>
std::unexpected<Error> fail(const Expected<T>& e) {
  return std::unexpected(e.error());
}

// Deletes every target's samples before `cut`, in short transactions.
Expected<std::int64_t> delete_samples_before(const store::Database& db, util::SysMicros cut) {
  auto ids = store::samples::target_ids(db);
  if (!ids) return fail(ids);
  std::int64_t deleted = 0;
  for (auto id : *ids) {
    while (true) {
      auto n = store::samples::erase_before(db, id, cut, k_samples_per_delete);
      if (!n) return fail(n);
      deleted += *n;
      if (*n < k_samples_per_delete) break;
    }
  }
  return deleted;
}

}  // namespace

Expected<std::int64_t> cleanup(ServeState& state, std::int64_t days) {
  auto db = state.db.acquire();
  if (!db) return fail(db);
  auto lock = maintain::MaintenanceLock::acquire(state.db.path(), /*wait=*/true);
  if (!lock) return fail(lock);
  const auto now = state.clock();
  maintain::RollupOptions options;
  options.paced = state.monitor != nullptr && state.monitor->active();
  if (auto rolled = maintain::run_rollup(**db, now, options); !rolled) return fail(rolled);

  auto cov = store::rollups::coverage(**db);
  if (!cov) return fail(cov);
  const auto& rolled_up = cov->watermark[static_cast<std::size_t>(Tier::m1)];
  if (!rolled_up) return 0;
  auto cut = std::min(analyze::floor_to(now - std::chrono::days{days}, std::chrono::minutes{1}), *rolled_up);
  const auto& old = cov->horizon[static_cast<std::size_t>(Tier::raw)];
  // A pending 1-minute mark is recomputed from raw samples: they stay.
  auto pending = store::rollups::oldest_mark(**db, Tier::m1, old.value_or(util::from_epoch_us(INT64_MIN)));
  if (!pending) return fail(pending);
  if (*pending) cut = std::min(cut, analyze::floor_to(**pending, std::chrono::minutes{1}));
  if (old && *old >= cut) return 0;
  // The horizon first, so readers take the range from the rollups from now on.
  if (auto moved = store::rollups::set_horizon(**db, Tier::raw, cut); !moved) return fail(moved);
  auto deleted = delete_samples_before(**db, cut);
  if (!deleted) return fail(deleted);
  if (auto dropped = store::rollups::drop_marks_before(**db, Tier::m1, cut); !dropped) return fail(dropped);
  return *deleted;
}

}  // namespace pk::serve::seed
