#pragma once

#include "collect/collector.hpp"
#include "collect/lock.hpp"
#include "probe/prober.hpp"
#include "serve/live_feed.hpp"
#include "serve/state.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace pk::serve {

// The collector inside `serve`: the same collect::Collector as `run`, on its
// own thread and connection, every result handed to the live feed. The
// seed's monitoring/stop stops it (probes in flight are awaited and stored,
// the collector lock is released) and monitoring/start starts it again with
// the same sockets.
class CollectorService : public Monitor {
 public:
  // Opens the probing sockets (before the process gives up its privileges).
  static Expected<std::unique_ptr<CollectorService>> open(const store::Database& db, LiveFeed& feed);
  ~CollectorService() override;

  bool active() const override;
  Expected<void> start() override;
  Expected<void> stop() override;

  // The error that ended the collector's last run, if it failed.
  std::optional<Error> last_error() const;

 private:
  CollectorService(std::string db_path, std::unique_ptr<probe::Prober> prober,
                   std::shared_ptr<collect::TracerSet> tracers, LiveFeed& feed);

  std::string m_db_path;
  std::unique_ptr<probe::Prober> m_prober;
  std::shared_ptr<collect::TracerSet> m_tracers;
  LiveFeed& m_feed;
  mutable std::mutex m_mutex;  // start/stop/last_error
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_running{false};
  std::optional<collect::CollectorLock> m_lock;
  std::optional<Error> m_last_error;
  std::thread m_thread;
};

// `serve --no-collect`: another process collects; active while one holds the
// collector lock; start and stop are refused (busy: 409).
class ExternalCollector : public Monitor {
 public:
  explicit ExternalCollector(std::string db_path) : m_db_path(std::move(db_path)) {}
  bool active() const override;
  Expected<void> start() override;
  Expected<void> stop() override;

 private:
  std::string m_db_path;
};

}  // namespace pk::serve
