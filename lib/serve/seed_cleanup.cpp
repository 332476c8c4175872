#include "serve/seed_cleanup.hpp"

#include "maintain/clock_guard.hpp"
#include "maintain/lock.hpp"
#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"

#include <chrono>
#include <thread>

namespace pk::serve::seed {

Expected<std::int64_t> cleanup(ServeState& state, std::int64_t days) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  // Waiting at most 2 s (the collector's own rollup pass is short): a long
  // `maintain` elsewhere must not hold a server thread.
  auto lock = maintain::MaintenanceLock::acquire(state.db.path(), /*wait=*/false);
  for (int i = 0; i < 20 && !lock && lock.error().kind == ErrorKind::busy; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    lock = maintain::MaintenanceLock::acquire(state.db.path(), /*wait=*/false);
  }
  if (!lock) {
    if (lock.error().kind != ErrorKind::busy) return std::unexpected(lock.error());
    return make_error(ErrorKind::busy, "maintenance (a rollup, prune or cleanup) is running; try again later");
  }
  // Never past the newest stored data plus a margin (a clock far ahead must
  // not make "older than N days" mean everything).
  auto clock = maintain::check_clock(**db, state.clock());
  if (!clock) return std::unexpected(clock.error());
  const auto now = clock->now;
  maintain::RollupOptions options;
  options.paced = state.monitor != nullptr && state.monitor->active();
  if (auto rolled = maintain::run_rollup(**db, now, options); !rolled) return std::unexpected(rolled.error());
  return maintain::prune_raw(**db, now, std::chrono::days{days});
}

}  // namespace pk::serve::seed
