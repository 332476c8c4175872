#pragma once

#include "collect/spool.hpp"
#include "core/sample.hpp"
#include "store/db.hpp"
#include "store/samples.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pk::collect {

struct WriterOptions {
  // Commit at least this often; after a failed commit, retry this often.
  std::chrono::milliseconds flush_interval{1000};
  // Commit as soon as this many wait; also the most one transaction holds,
  // so a database that takes writes again (space freed on a full disk)
  // stores the backlog piece by piece at once.
  std::size_t flush_samples = 5000;
  // Samples kept in memory while commits fail (about 90 bytes each); beyond
  // that the oldest go to the spool file, or, when it cannot take them, are
  // dropped and counted.
  std::size_t max_backlog = 500'000;
  // Overflow and leftovers at stop go to "<db>.spool" (replayed by the next
  // writer); false: only memory (the demo, whose samples can be made again).
  bool spool = true;
  std::int64_t max_spool_bytes = std::int64_t{1} << 30;
  // stop(): how long to keep retrying a failing database before the rest
  // goes to the spool.
  std::chrono::milliseconds exit_grace{10000};
  // The collector lease to refresh (CollectorLock::token) this often, which
  // also tells when another process replaced it; nullopt: none.
  std::optional<std::string> lease_token;
  std::chrono::milliseconds lease_refresh{5000};
};

struct WriterStats {
  std::int64_t committed = 0;  // samples written to the database
  std::int64_t batches = 0;    // transactions committed
  std::int64_t retries = 0;    // commits that failed (and were retried)
  std::int64_t backlog = 0;    // samples waiting in memory now
  std::int64_t spooled = 0;    // samples waiting in the spool file now
  std::int64_t dropped = 0;    // samples lost: neither memory nor the spool could keep them
  // Since when commits fail (the first failure of the current spell), and
  // why; nullopt while commits succeed.
  std::optional<util::SysMicros> failing_since;
  std::optional<Error> last_error;
  // The lease no longer names this collector: another one replaced it.
  bool lease_lost = false;
};

// The batched writer: the probing loop hands it samples without ever waiting
// for the disk; a thread with its own connection commits them in bounded
// transactions at least once per flush_interval. While commits fail (the
// database busy, a full disk) samples wait in memory up to max_backlog, then
// in the spool file, then the oldest are dropped and counted; the spool is
// committed first once the database takes writes again. A sample of a target
// removed meanwhile is not stored (store::samples::insert_batch).
class Writer {
 public:
  static Expected<std::unique_ptr<Writer>> start(const std::string& db_path, WriterOptions options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void add(const core::Sample& sample);
  void add_run_counts(const store::samples::RunCounts& counts);
  // Commits what waits now rather than at the next interval.
  void flush();

  // Commits everything handed over (retrying for exit_grace), puts what the
  // database did not take into the spool, and stops the thread. Fails
  // (naming the counts) when anything was not stored in the database: left
  // in the spool, or dropped during the run or now; stats() tells exactly.
  Expected<void> stop();

  WriterStats stats() const;

 private:
  Writer(store::Database db, WriterOptions options);
  void loop();
  // One round: the spool first, then memory in pieces, then the backlog
  // bound. False when a commit failed.
  bool drain(std::unique_lock<std::mutex>& lock);
  void count_spool(std::unique_lock<std::mutex>& lock);
  bool replay_spool(std::unique_lock<std::mutex>& lock);
  bool commit(std::unique_lock<std::mutex>& lock, std::vector<core::Sample>& batch);
  void bound_backlog(std::unique_lock<std::mutex>& lock);
  void refresh_lease(std::unique_lock<std::mutex>& lock);
  void failed(const Error& error);

  store::Database m_db;
  WriterOptions m_options;
  Spool m_spool;
  std::int64_t m_replay_offset = 0;
  bool m_spool_counted = false;
  std::chrono::steady_clock::time_point m_lease_refreshed{};
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<core::Sample> m_pending;
  std::vector<store::samples::RunCounts> m_pending_runs;
  bool m_stopping = false;
  bool m_flush = false;
  WriterStats m_stats;
  std::thread m_thread;
};

}  // namespace pk::collect
