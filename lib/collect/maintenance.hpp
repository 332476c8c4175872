#pragma once

#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace pk::collect {

struct MaintenanceOptions {
  std::chrono::milliseconds rollup_interval{60000};   // rollup pass this often
  std::chrono::milliseconds prune_interval{3600000};  // retention prune this often
};

struct MaintenanceStats {
  std::int64_t rollups = 0;         // rollup passes completed
  std::int64_t prunes = 0;          // prunes completed
  std::int64_t skipped = 0;         // rounds skipped: `pingkeeper maintain` held the lock
  std::optional<Error> last_error;  // of the latest failed round (retried next round)
};

// The collector's maintenance thread: with its own connection, it runs the
// rollup pass right away and then every rollup_interval, and prunes expired
// data after the first pass and then every prune_interval, so stats stay
// fresh and the file stays bounded without cron. It takes the
// maintain::MaintenanceLock without waiting and skips a round while another
// process holds it. It never touches the probing loop: its write
// transactions are short, so the collector's writer waits a few ms at most.
class Maintenance {
 public:
  static Expected<std::unique_ptr<Maintenance>> start(const std::string& db_path, MaintenanceOptions options = {});
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // Stops the thread; a pass under way ends at its next step (what it did is
  // kept, the next run goes on from there).
  void stop();

  MaintenanceStats stats() const;

 private:
  Maintenance(store::Database db, MaintenanceOptions options);
  void loop();
  void round(bool rollup, bool prune);

  store::Database m_db;
  MaintenanceOptions m_options;
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  MaintenanceStats m_stats;
  // The wall clock when the thread started, and the monotonic one with it:
  // maintenance never takes a now beyond their projection, so a clock that
  // jumps ahead while collecting (and stamps samples ahead) prunes nothing.
  util::SysMicros m_started_wall = util::now_utc();
  std::chrono::steady_clock::time_point m_started_steady = std::chrono::steady_clock::now();
  std::thread m_thread;
};

}  // namespace pk::collect
