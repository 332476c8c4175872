#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/response_cache.hpp"
#include "serve/target_counters.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pk::collect {
class CollectorHealth;
}

namespace pk::serve {

// `pingkeeper serve`'s options (README "serve").
struct ServeOptions {
  std::string db_path;
  std::string listen = "127.0.0.1:8080";     // host:port, [v6]:port
  std::vector<std::string> tokens;           // bearer tokens (from --token-file); empty: none required
  bool token_reads = false;                  // tokens for reads too
  bool insecure = false;                     // allow a non-loopback listen without tokens
  std::vector<std::string> cors_origins;     // allowed Origin values; "*" any
  bool read_only = false;                    // refuse every mutating request (403)
  bool collect = true;                       // run the collector in this process
  int threads = 2;                           // I/O threads
  std::size_t max_body = 1 << 20;            // 413 above
  std::size_t max_header = 16 << 10;         // 431 above
  std::chrono::seconds idle_timeout{60};     // an HTTP connection idle this long is closed
  std::size_t max_ws_clients = 20000;        // further upgrades answer 503
  std::size_t ws_queue_limit = 1024;         // queued messages per client before it is closed (1008)
  std::chrono::seconds ws_ping_every{30};    // heartbeat
  std::chrono::seconds ws_status_every{10};  // status_update
  std::chrono::seconds ws_idle_timeout{90};  // no message or pong this long: closed
  std::chrono::milliseconds ws_batch{20};    // after a quiet spell, the live feed's next sweep waits this long (LiveFeed)
  std::chrono::milliseconds tail_poll{100};  // --no-collect: how often the database is read for new samples
  int max_slow_requests = 2;                 // traceroutes, exports, cleanups at once (more: 503)
  // Raised by the front end (SIGHUP, SIGUSR1) for the collector: reload
  // targets and jobs now, commit what waits now (collect::CollectOptions).
  const std::atomic<unsigned>* reload_requests = nullptr;
  const std::atomic<unsigned>* flush_requests = nullptr;
};

// Database connections for handlers: one per concurrent request, reused.
class DbPool {
 public:
  explicit DbPool(std::string path) : m_path(std::move(path)) {}

  class Lease {
   public:
    Lease(DbPool& pool, std::unique_ptr<store::Database> db) : m_pool(&pool), m_db(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    const store::Database& operator*() const { return *m_db; }
    const store::Database* operator->() const { return m_db.get(); }

   private:
    DbPool* m_pool;
    std::unique_ptr<store::Database> m_db;
  };
  // An open connection (a new one when none is idle); database errors as the
  // library reports them.
  Expected<Lease> acquire();
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<store::Database>> m_idle;
};

// One target's latest result, as the live feed saw it.
struct LiveResult {
  core::Target target;
  core::Sample sample;
};

// The latest result of every target seen since the server started (seed
// /ping-metrics/live, WebSocket initial_data). Thread-safe.
class LiveState {
 public:
  void record(const core::Target& target, const core::Sample& sample);
  std::vector<LiveResult> snapshot() const;  // by target name
  std::size_t size() const;

 private:
  mutable std::mutex m_mutex;
  std::map<std::int64_t, LiveResult> m_latest;
};

// The collector of this process, as the seed's monitoring endpoints see it.
class Monitor {
 public:
  virtual ~Monitor() = default;
  // Is a collector running: this process's, or (with --no-collect) another
  // process's (it holds the collector lock)?
  virtual bool active() const = 0;
  // Starts this process's collector: busy (409) naming the other process
  // when one collects already; ok when this one runs already.
  virtual Expected<void> start() = 0;
  // Stops this process's collector (awaits and stores the probes in
  // flight); invalid_input when the collector is another process's.
  virtual Expected<void> stop() = 0;
  // This process's collector's health (its writer, clock jumps); nullptr
  // when another process collects.
  virtual const collect::CollectorHealth* health() const { return nullptr; }
};

// Counters the server keeps (health, /api/ws/connections, /metrics).
struct ServeCounters {
  std::atomic<std::int64_t> ws_clients{0};         // open WebSocket sessions
  std::atomic<std::int64_t> ws_accepted{0};        // since start
  std::atomic<std::int64_t> ws_rejected{0};        // refused at the connection cap
  std::atomic<std::int64_t> ws_slow_closed{0};     // closed because their send queue was full
  std::atomic<std::int64_t> ws_subscribed_all{0};  // sessions receiving every target (no subscribe_host)
  std::atomic<std::int64_t> http_requests{0};
  std::atomic<std::int64_t> http_errors{0};  // 5xx answers
  std::atomic<std::int64_t> http_cache_hits{0};  // answered from ServeState::cache
  std::atomic<int> slow_in_flight{0};        // long requests running (serve::slow)
};

// What every handler reaches. Lives as long as the server.
struct ServeState {
  explicit ServeState(ServeOptions o) : options(std::move(o)), db(options.db_path) {}
  ServeOptions options;
  DbPool db;
  LiveState live;
  TargetCounters targets;      // fed with `live`
  Monitor* monitor = nullptr;  // set by the server before it accepts
  ServeCounters counters;
  ResponseCache cache;  // answers of cached() routes
  util::SysMicros started = util::now_utc();
  std::function<util::SysMicros()> clock = [] { return util::now_utc(); };
};

}  // namespace pk::serve
