#include "serve/collector_service.hpp"

#include "collect/open_prober.hpp"

namespace pk::serve {

Expected<std::unique_ptr<CollectorService>> CollectorService::open(const store::Database& db, LiveFeed& feed) {
  auto prober = collect::open_prober(db);
  if (!prober) return std::unexpected(prober.error());
  auto tracers = collect::open_path_tracers(db);
  if (!tracers) return std::unexpected(tracers.error());
  return std::unique_ptr<CollectorService>(
      new CollectorService(db.path(), std::move(*prober), std::move(*tracers), feed));
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
  m_last_error.reset();
  m_stop = false;
  m_running = true;
  m_thread = std::thread([this, db = std::move(*db)]() mutable {
    collect::CollectOptions options;
    options.tracers = m_tracers;
    collect::Collector collector(db, *m_prober, options);
    auto stats = collector.run(m_stop, [this](const core::Sample& s, const core::Target& t) { m_feed.add(t, s); });
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

bool ExternalCollector::active() const { return collect::CollectorLock::held(m_db_path); }

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
