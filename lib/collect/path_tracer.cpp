#include "collect/path_tracer.hpp"

#include "store/jobs.hpp"
#include "store/traces.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace pk::collect {

namespace {

constexpr int k_save_attempts = 3;  // a failed save (database busy beyond its timeout) is tried again
constexpr auto k_save_retry = std::chrono::seconds{1};

constexpr core::TraceMethod k_methods[] = {core::TraceMethod::icmp, core::TraceMethod::udp, core::TraceMethod::tcp};

}  // namespace

TracerSet TracerSet::open(bool icmp_and_tcp) {
  TracerSet set;
  for (core::TraceMethod m : k_methods) {
    if (!icmp_and_tcp && m != core::TraceMethod::udp) continue;
    for (bool v6 : {false, true}) {
      if (auto t = probe::Tracer::open(m, v6)) set.set(m, v6, std::move(*t));
    }
  }
  return set;
}

Expected<std::shared_ptr<TracerSet>> open_path_tracers(const store::Database& db) {
  auto jobs = store::jobs::list(db);
  if (!jobs) return std::unexpected(jobs.error());
  const bool path_jobs = std::any_of(jobs->begin(), jobs->end(), [](const core::Job& j) {
    return (j.metrics & static_cast<unsigned>(core::Metric::path)) != 0;
  });
  return std::make_shared<TracerSet>(TracerSet::open(path_jobs));
}

std::size_t TracerSet::index(core::TraceMethod method, bool v6) {
  return static_cast<std::size_t>(method) * 2 + (v6 ? 1 : 0);
}

void TracerSet::set(core::TraceMethod method, bool v6, std::unique_ptr<probe::Tracer> tracer) {
  m_tracers[index(method, v6)] = std::move(tracer);
}

probe::Tracer* TracerSet::find(core::TraceMethod method, bool v6) const { return m_tracers[index(method, v6)].get(); }

Expected<std::unique_ptr<PathTracer>> PathTracer::start(const std::string& db_path,
                                                        std::shared_ptr<TracerSet> tracers) {
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());
  std::unique_ptr<PathTracer> p(new PathTracer(std::move(*db), std::move(tracers)));
  p->m_thread = std::thread([self = p.get()] { self->loop(); });
  return p;
}

PathTracer::PathTracer(store::Database db, std::shared_ptr<TracerSet> tracers)
    : m_db(std::move(db)), m_tracers(std::move(tracers)) {}

PathTracer::~PathTracer() { stop(); }

bool PathTracer::submit(PathTask task) {
  std::lock_guard lock(m_mutex);
  if (m_stopping || !m_pending.insert(task.target_id).second) return false;
  m_queue.push_back(std::move(task));
  m_wake.notify_one();
  return true;
}

void PathTracer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_queue.clear();
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
}

PathStats PathTracer::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

void PathTracer::loop() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping
    PathTask task = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    trace_one(task);
    lock.lock();
    m_pending.erase(task.target_id);
  }
}

void PathTracer::trace_one(const PathTask& task) {
  const auto fail = [&](const Error& e) {
    std::lock_guard lock(m_mutex);
    ++m_stats.failed;
    m_stats.last_error = e.message;
  };
  probe::TraceRequest request;
  request.destination = task.address;
  request.method = task.method;
  request.port = task.port;
  probe::Tracer* tracer = m_tracers ? m_tracers->find(task.method, task.address.is_v6()) : nullptr;
  if (tracer == nullptr && m_tracers) {  // no privilege for this method: UDP needs none
    request.method = core::TraceMethod::udp;
    request.port = 0;
    tracer = m_tracers->find(core::TraceMethod::udp, task.address.is_v6());
  }
  if (tracer == nullptr) {
    fail(Error{ErrorKind::permission, "no tracer could be opened for the path metric"});
    return;
  }
  // A trace in progress at stop finishes (about one wait time) and is stored:
  // a cut-short trace would read as a path change.
  const std::atomic<bool> never{false};
  auto trace = tracer->run(request, never);
  if (!trace) {
    fail(trace.error());
    return;
  }
  trace->target_id = task.target_id;
  trace->job_id = task.job_id;
  trace->target = task.target;
  trace->host = task.host;
  Expected<void> saved;
  for (int attempt = 1; attempt <= k_save_attempts; ++attempt) {
    saved = store::traces::save(m_db, *trace);
    if (saved || attempt == k_save_attempts) break;
    std::this_thread::sleep_for(k_save_retry);
  }
  if (!saved) {
    fail(saved.error());
    return;
  }
  std::lock_guard lock(m_mutex);
  ++m_stats.stored;
  if (trace->path_changed) ++m_stats.changes;
}

}  // namespace pk::collect
