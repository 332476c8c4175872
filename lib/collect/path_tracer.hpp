#pragma once

#include "core/trace.hpp"
#include "probe/address.hpp"
#include "probe/traceroute.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace pk::collect {

// The tracer sockets of the path metric, one per method and family, opened
// before the collector drops its privileges. A method that cannot be opened
// (no CAP_NET_RAW for TCP, no ICMP socket) is left empty; traces that need it
// fall back to UDP, which needs no privilege.
class TracerSet {
 public:
  // UDP tracers, and with `icmp_and_tcp` the ICMP and TCP ones too. Raw
  // sockets see a copy of every ICMP (and TCP) packet of the host, so the
  // collector opens them only when a job has the path metric at start.
  static TracerSet open(bool icmp_and_tcp);
  // A set of given tracers (tests); nullptr entries are missing methods.
  void set(core::TraceMethod method, bool v6, std::unique_ptr<probe::Tracer> tracer);
  probe::Tracer* find(core::TraceMethod method, bool v6) const;

 private:
  static std::size_t index(core::TraceMethod method, bool v6);
  std::array<std::unique_ptr<probe::Tracer>, 6> m_tracers;
};

// The collector's tracers: UDP always, ICMP and TCP too when some job of
// `db` has the path metric.
Expected<std::shared_ptr<TracerSet>> open_path_tracers(const store::Database& db);

// One trace a job's path metric asks for.
struct PathTask {
  std::int64_t target_id = 0;
  std::int64_t job_id = 0;
  std::string target;  // name
  std::string host;
  probe::Address address;
  core::TraceMethod method = core::TraceMethod::icmp;  // icmp for ICMP targets, tcp for TCP ones
  std::uint16_t port = 0;
};

struct PathStats {
  std::int64_t stored = 0;   // traces stored
  std::int64_t changes = 0;  // of which marked as a path change
  std::int64_t failed = 0;   // traces that could not run or be stored
  std::optional<std::string> last_error;
};

// The path metric's worker: a thread with its own database connection that
// runs queued traces one at a time (every probe of a trace in flight
// together, so about one wait time each: ~600 silent-hop traces per 10
// minutes) and stores each with store::traces::save, which marks path
// changes. The collector's loop never waits for it.
class PathTracer {
 public:
  static Expected<std::unique_ptr<PathTracer>> start(const std::string& db_path, std::shared_ptr<TracerSet> tracers);
  ~PathTracer();
  PathTracer(const PathTracer&) = delete;
  PathTracer& operator=(const PathTracer&) = delete;

  // Queues a trace; false (and nothing queued) when that target already has
  // one queued or running.
  bool submit(PathTask task);

  // Drops the queued traces, lets the one in progress finish and be stored
  // (at most one wait time), and ends the thread. Idempotent.
  void stop();

  PathStats stats() const;

 private:
  PathTracer(store::Database db, std::shared_ptr<TracerSet> tracers);
  void loop();
  void trace_one(const PathTask& task);

  store::Database m_db;
  std::shared_ptr<TracerSet> m_tracers;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<PathTask> m_queue;
  std::set<std::int64_t> m_pending;  // target ids queued or running
  bool m_stopping = false;
  PathStats m_stats;
  std::thread m_thread;
};

}  // namespace pk::collect
