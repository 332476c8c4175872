#include "collect/maintenance.hpp"

#include "maintain/clock_guard.hpp"

#include "maintain/lock.hpp"
#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"

namespace pk::collect {

Expected<std::unique_ptr<Maintenance>> Maintenance::start(const std::string& db_path, MaintenanceOptions options) {
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());
  std::unique_ptr<Maintenance> m(new Maintenance(std::move(*db), options));
  m->m_thread = std::thread([p = m.get()] { p->loop(); });
  return m;
}

Maintenance::Maintenance(store::Database db, MaintenanceOptions options) : m_db(std::move(db)), m_options(options) {}

Maintenance::~Maintenance() { stop(); }

void Maintenance::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
}

MaintenanceStats Maintenance::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

void Maintenance::loop() {
  using Clock = std::chrono::steady_clock;
  auto next_rollup = Clock::now();
  std::optional<Clock::time_point> next_prune;  // after the first pass
  std::unique_lock lock(m_mutex);
  while (true) {
    auto due = next_prune ? std::min(next_rollup, *next_prune) : next_rollup;
    m_wake.wait_until(lock, due, [&] { return m_stopping.load(); });
    if (m_stopping) return;
    auto now = Clock::now();
    bool rollup = now >= next_rollup;
    bool prune = next_prune && now >= *next_prune;
    if (!rollup && !prune) continue;
    lock.unlock();
    round(rollup, prune);
    lock.lock();
    if (rollup) next_rollup = Clock::now() + m_options.rollup_interval;
    if (prune || !next_prune)
      next_prune = Clock::now() + (prune ? m_options.prune_interval : std::chrono::milliseconds{0});
  }
}

void Maintenance::round(bool rollup, bool prune) {
  auto held = maintain::MaintenanceLock::acquire(m_db.path(), /*wait=*/false);
  if (!held) {
    std::lock_guard lock(m_mutex);
    if (held.error().kind == ErrorKind::busy) {
      ++m_stats.skipped;
    } else {
      m_stats.last_error = held.error();
    }
    return;
  }
  std::optional<Error> failed;
  bool rolled = false;
  bool pruned = false;
  // Never beyond the newest stored data (plus a margin), nor beyond the
  // start time carried forward by the monotonic clock: a clock that jumped
  // ahead must not prune what is not old (the collector reports the jump).
  const auto projected = m_started_wall + std::chrono::duration_cast<util::Micros>(
                                              std::chrono::steady_clock::now() - m_started_steady);
  auto clock = maintain::check_clock(m_db, std::min(util::now_utc(), projected));
  if (!clock) {
    std::lock_guard lock(m_mutex);
    m_stats.last_error = clock.error();
    return;
  }
  const auto now = clock->now;
  if (rollup) {
    maintain::RollupOptions o;
    o.stop = &m_stopping;
    auto report = maintain::run_rollup(m_db, now, o);
    if (report) {
      rolled = true;
    } else {
      failed = report.error();
    }
  }
  if (prune && !failed && !m_stopping) {
    auto report = maintain::prune(m_db, now, {}, &m_stopping);
    if (report) {
      pruned = true;
    } else {
      failed = report.error();
    }
  }
  std::lock_guard lock(m_mutex);
  m_stats.rollups += rolled ? 1 : 0;
  m_stats.prunes += pruned ? 1 : 0;
  if (failed) m_stats.last_error = failed;
}

}  // namespace pk::collect
