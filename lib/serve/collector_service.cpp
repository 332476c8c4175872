#include "serve/collector_service.hpp"

#include "collect/open_prober.hpp"

#include <fmt/format.h>

namespace pk::serve {

Expected<std::unique_ptr<CollectorService>> CollectorService::open(const store::Database& db, LiveFeed& feed,
                                                                   const std::atomic<unsigned>* reload_requests,
                                                                   const std::atomic<unsigned>* flush_requests) {
  auto prober = collect::open_prober(db);
  if (!prober) return std::unexpected(prober.error());
  auto tracers = collect::open_path_tracers(db);
  if (!tracers) return std::unexpected(tracers.error());
  std::unique_ptr<CollectorService> service(
      new CollectorService(db.path(), std::move(*prober), std::move(*tracers), feed));
  service->m_reload_requests = reload_requests;
  service->m_flush_requests = flush_requests;
  return service;
}

CollectorService::CollectorService(std::string db_path, std::unique_ptr<probe::Prober> prober,
                                   std::shared_ptr<collect::TracerSet> tracers, LiveFeed& feed)
    : m_db_path(std::move(db_path)), m_prober(std::move(prober)), m_tracers(std::move(tracers)), m_feed(feed) {}

CollectorService::~CollectorService() { (void)stop(); }

bool CollectorService::active() const { return m_running; }

Expected<void> CollectorService::start() {
  std::lock_guard lock(m_mutex);
  if (m_running) return {};
  if (m_thread.joinable()) m_thread.join();  // a run that ended on its own (an error)
  auto held = collect::CollectorLock::acquire(m_db_path);
  if (!held) {
    if (held.error().kind == ErrorKind::busy) {
      return make_error(ErrorKind::busy, "another pingkeeper collector is running on this database; stop it first");
    }
    return std::unexpected(held.error());
  }
  auto db = store::Database::open(m_db_path);
  if (!db) return std::unexpected(db.error());
  m_lock = std::move(*held);
  const std::string token = m_lock->token();
  m_last_error.reset();
  m_stop = false;
  m_running = true;
  m_thread = std::thread([this, token, db = std::move(*db)]() mutable {
    collect::CollectOptions options;
    options.tracers = m_tracers;
    options.health = m_health;
    options.writer.lease_token = token;
    options.reload_requests = m_reload_requests;
    options.flush_requests = m_flush_requests;
    collect::Collector collector(db, *m_prober, options);
    auto stats = collector.run(
        m_stop, [this](const core::Sample& s, const core::Target& t) { m_feed.add(t, s); },
        [](const collect::Notice& n) {
          // The server's log is its stderr (journald under systemd).
          fmt::print(stderr, "pingkeeper: warning: {}\n", n.message);
        });
    if (stats && (stats->writer.spooled > 0 || stats->writer.dropped > 0)) {
      fmt::print(stderr, "pingkeeper: warning: the collector stopped with {} samples not in the database: {} in the spool "
                         "file (the next collector stores them), {} lost\n",
                 stats->writer.spooled + stats->writer.dropped, stats->writer.spooled, stats->writer.dropped);
    }
    std::lock_guard done(m_mutex);
    if (!stats) m_last_error = stats.error();
    m_lock.reset();
    m_running = false;
  });
  return {};
}

Expected<void> CollectorService::stop() {
  std::thread thread;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
    thread = std::move(m_thread);
  }
  if (thread.joinable()) thread.join();
  return {};
}

std::optional<Error> CollectorService::last_error() const {
  std::lock_guard lock(m_mutex);
  return m_last_error;
}

bool ExternalCollector::active() const {
  std::lock_guard lock(m_mutex);
  auto now = std::chrono::steady_clock::now();
  if (now - m_looked >= std::chrono::seconds{1}) {
    if (!m_db) {
      if (auto db = store::Database::open(m_db_path)) m_db = std::move(*db);
    }
    m_active = m_db && collect::CollectorLock::held(*m_db);
    m_looked = now;
  }
  return m_active;
}

Expected<void> ExternalCollector::start() {
  return make_error(
      ErrorKind::busy,
      "this server does not collect (serve --no-collect): start `pingkeeper run` on its database instead");
}

Expected<void> ExternalCollector::stop() {
  return make_error(ErrorKind::busy,
                    "this server does not collect (serve --no-collect): stop the `pingkeeper run` that does");
}

}  // namespace pk::serve
