#pragma once

#include "collect/maintenance.hpp"
#include "collect/path_tracer.hpp"
#include "collect/writer.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"
#include "probe/prober.hpp"
#include "store/db.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace pk::collect {

// The collector's health as other threads see it while it runs (serve's
// /api/v1/health and /metrics): the writer's state, refreshed several times
// a second, and the last clock jump seen.
class CollectorHealth {
 public:
  struct ClockJump {
    util::SysMicros at{};  // the wall clock after the jump
    util::Micros by{};     // positive: forward
  };
  void set_writer(const WriterStats& stats);
  void set_clock_jump(const ClockJump& jump);
  WriterStats writer() const;
  std::optional<ClockJump> clock_jump() const;

 private:
  mutable std::mutex m_mutex;
  WriterStats m_writer;
  std::optional<ClockJump> m_jump;
};

// What the collector tells its front end as it runs (`run` prints each as a
// warning on stderr): commits failing (at once, then every 30 s while they
// fail, with the counts), commits working again, a jump of the wall clock.
struct Notice {
  enum class Kind { writes_failing, writes_recovered, clock_jump };
  Kind kind = Kind::writes_failing;
  std::string message;
};
using NoticeObserver = std::function<void(const Notice&)>;

struct CollectOptions {
  // Cron mode: probe every target whose schedule is active now `count`
  // times (default 1, at most 1 s apart), wait for the answers, store them
  // and return. Job runs are not opened in this mode.
  bool once = false;
  // Probes per target before it is done; when every target is done, return.
  std::optional<int> count;
  // Return after this long (in-flight probes are still awaited and stored).
  std::optional<util::Micros> duration;
  // How often to look for configuration changes by other processes.
  std::chrono::milliseconds reload_interval{1000};
  // How often names are resolved again.
  std::chrono::seconds resolve_interval{300};
  WriterOptions writer;
  // The maintenance thread (rollups every minute, prune hourly), not in
  // --once mode; nullopt: none.
  std::optional<MaintenanceOptions> maintenance = MaintenanceOptions{};
  // The tracers of the path metric (jobs with `path` trace their targets
  // every path_every, the first time when a target's last stored trace is
  // that old). nullptr: no path traces. Not in --once mode.
  std::shared_ptr<TracerSet> tracers;
  // Kept up to date while running, when set.
  std::shared_ptr<CollectorHealth> health;
  // Counters a front end raises (SIGHUP, SIGUSR1): a change of the first
  // reloads targets and jobs at once, of the second commits what waits at
  // once. nullptr: none.
  const std::atomic<unsigned>* reload_requests = nullptr;
  const std::atomic<unsigned>* flush_requests = nullptr;
};

struct CollectStats {
  std::int64_t sent = 0;
  std::int64_t answered = 0;  // ok or refused
  std::int64_t lost = 0;      // everything else
  std::int64_t stored = 0;    // samples committed
  std::int64_t targets = 0;   // targets probed at least once
  // The writer at the end: anything spooled or dropped is not in the database.
  WriterStats writer;
  MaintenanceStats maintenance;
  PathStats path;
};

// Called on the loop thread for every stored sample (e.g. `run -v` prints it).
using SampleObserver = std::function<void(const core::Sample&, const core::Target&)>;

// The collector: one event loop that schedules every target at its effective
// interval (collect/plan.hpp), sends probes through `prober`, and hands every
// result to the batched Writer. It reloads targets and jobs within
// reload_interval of a change made by another process, opens and closes
// job_runs with each job window, and on `stop` (or the end of duration /
// count) awaits the probes in flight, stores them, closes open runs and
// flushes the writer: every probe sent is stored. The caller holds the
// CollectorLock.
class Collector {
 public:
  Collector(const store::Database& db, probe::Prober& prober, CollectOptions options);

  // Runs until `stop` becomes true or the options say it is done. Fails
  // (busy) when another collector replaced this one's lease, after storing
  // what it had; samples the database did not take are counted in
  // CollectStats::writer, not an error here.
  Expected<CollectStats> run(const std::atomic<bool>& stop, const SampleObserver& observer = {},
                             const NoticeObserver& notices = {});

 private:
  const store::Database& m_db;
  probe::Prober& m_prober;
  CollectOptions m_options;
};

}  // namespace pk::collect
