#pragma once

#include "collect/collector.hpp"
#include "collect/lock.hpp"
#include "probe/prober.hpp"
#include "serve/live_feed.hpp"
#include "serve/state.hpp"

#include <atomic>
#include <chrono>
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
  // `reload_requests` and `flush_requests` as collect::CollectOptions (may be null).
  static Expected<std::unique_ptr<CollectorService>> open(const store::Database& db, LiveFeed& feed,
                                                          const std::atomic<unsigned>* reload_requests = nullptr,
                                                          const std::atomic<unsigned>* flush_requests = nullptr);
  ~CollectorService() override;

  bool active() const override;
  Expected<void> start() override;
  Expected<void> stop() override;

  // The error that ended the collector's last run, if it failed.
  std::optional<Error> last_error() const;
  const collect::CollectorHealth* health() const override { return m_health.get(); }

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
  std::shared_ptr<collect::CollectorHealth> m_health = std::make_shared<collect::CollectorHealth>();
  const std::atomic<unsigned>* m_reload_requests = nullptr;
  const std::atomic<unsigned>* m_flush_requests = nullptr;
  std::optional<Error> m_last_error;
  std::thread m_thread;
};

// `serve --no-collect`: another process collects; active while a live one
// holds the collector lease (looked at most once a second); start and stop
// are refused (busy: 409).
class ExternalCollector : public Monitor {
 public:
  explicit ExternalCollector(std::string db_path) : m_db_path(std::move(db_path)) {}
  bool active() const override;
  Expected<void> start() override;
  Expected<void> stop() override;

 private:
  std::string m_db_path;
  mutable std::mutex m_mutex;
  mutable std::optional<store::Database> m_db;  // opened at the first look
  mutable std::chrono::steady_clock::time_point m_looked{};
  mutable bool m_active = false;
};

}  // namespace pk::serve
