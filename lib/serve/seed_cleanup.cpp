#include "serve/seed_cleanup.hpp"

#include "maintain/lock.hpp"
#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"

#include <chrono>

namespace pk::serve::seed {

Expected<std::int64_t> cleanup(ServeState& state, std::int64_t days) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto lock = maintain::MaintenanceLock::acquire(state.db.path(), /*wait=*/true);
  if (!lock) return std::unexpected(lock.error());
  const auto now = state.clock();
  maintain::RollupOptions options;
  options.paced = state.monitor != nullptr && state.monitor->active();
  if (auto rolled = maintain::run_rollup(**db, now, options); !rolled) return std::unexpected(rolled.error());
  return maintain::prune_raw(**db, now, std::chrono::days{days});
}

}  // namespace pk::serve::seed
