#include "collect/writer.hpp"

#include "store/lease.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::collect {

namespace {

using Steady = std::chrono::steady_clock;

// Adds run counts into `into`, one entry per run.
void merge_runs(std::vector<store::samples::RunCounts>& into, const store::samples::RunCounts& c) {
  auto it = std::find_if(into.begin(), into.end(), [&](const auto& r) { return r.run_id == c.run_id; });
  if (it == into.end()) {
    into.push_back(c);
    return;
  }
  it->sent += c.sent;
  it->received += c.received;
  it->errors += c.errors;
}

}  // namespace

Expected<std::unique_ptr<Writer>> Writer::start(const std::string& db_path, WriterOptions options) {
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());
  std::unique_ptr<Writer> w(new Writer(std::move(*db), options));
  w->m_thread = std::thread([p = w.get()] { p->loop(); });
  return w;
}

Writer::Writer(store::Database db, WriterOptions options)
    : m_db(std::move(db)), m_options(std::move(options)), m_spool(m_db.path() + ".spool", m_options.max_spool_bytes) {}

Writer::~Writer() {
  if (m_thread.joinable()) (void)stop();
}

void Writer::add(const core::Sample& sample) {
  std::lock_guard lock(m_mutex);
  m_pending.push_back(sample);
  if (m_pending.size() >= m_options.flush_samples) m_wake.notify_one();
}

void Writer::add_run_counts(const store::samples::RunCounts& counts) {
  std::lock_guard lock(m_mutex);
  merge_runs(m_pending_runs, counts);
}

void Writer::flush() {
  {
    std::lock_guard lock(m_mutex);
    m_flush = true;
  }
  m_wake.notify_one();
}

void Writer::failed(const Error& error) {
  m_stats.retries += 1;
  m_stats.last_error = error;
  if (!m_stats.failing_since) m_stats.failing_since = util::now_utc();
}

bool Writer::commit(std::unique_lock<std::mutex>& lock, std::vector<core::Sample>& batch) {
  std::vector<store::samples::RunCounts> runs;
  runs.swap(m_pending_runs);
  lock.unlock();
  auto ok = store::samples::insert_batch(m_db, batch, runs);
  lock.lock();
  if (!ok) {
    for (const auto& r : m_pending_runs) merge_runs(runs, r);
    m_pending_runs.swap(runs);
    failed(ok.error());
    return false;
  }
  m_stats.committed += *ok;
  m_stats.batches += 1;
  return true;
}

void Writer::count_spool(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  std::int64_t found = 0;
  std::int64_t good_end = 0;
  bool readable = true;
  for (std::int64_t at = 0;;) {
    auto chunk = m_spool.read_chunk(at);
    if (!chunk) {
      readable = false;
      break;
    }
    found += static_cast<std::int64_t>(chunk->samples.size());
    at = good_end = chunk->next;
    if (chunk->end) break;
  }
  // A torn tail (a crash mid-append) is cut off, so records appended after
  // it are never hidden behind it.
  if (readable) (void)m_spool.truncate_to(good_end);
  lock.lock();
  if (readable) m_stats.spooled += found;  // else counted again next round
  m_spool_counted = readable;
}

bool Writer::replay_spool(std::unique_lock<std::mutex>& lock) {
  if (!m_spool_counted) count_spool(lock);
  // About flush_samples records a transaction, as from memory.
  const std::size_t chunk_bytes = std::max<std::size_t>(4096, m_options.flush_samples * 48);
  while (m_stats.spooled > 0) {
    lock.unlock();
    auto chunk = m_spool.read_chunk(m_replay_offset, chunk_bytes);
    lock.lock();
    if (!chunk) {
      failed(chunk.error());
      return false;
    }
    if (!commit(lock, chunk->samples)) return false;
    m_replay_offset = chunk->next;
    m_stats.spooled = std::max<std::int64_t>(0, m_stats.spooled - static_cast<std::int64_t>(chunk->samples.size()));
    if (!chunk->end) continue;
    lock.unlock();
    auto cleared = m_spool.clear();
    lock.lock();
    if (!cleared) {
      failed(cleared.error());
      return false;
    }
    m_replay_offset = 0;
    m_stats.spooled = 0;
  }
  return true;
}

bool Writer::drain(std::unique_lock<std::mutex>& lock) {
  // The spool first: it holds the oldest samples (and those of an earlier
  // run). A spool that cannot be read does not keep memory from the database.
  bool spool_ok = true;
  if (m_options.spool && (!m_spool_counted || m_stats.spooled > 0)) spool_ok = replay_spool(lock);
  // Then memory, oldest first, in bounded transactions; at most what waited
  // when the round began, so a round ends even while add() keeps pace.
  std::size_t budget = m_pending.size();
  while ((budget > 0 && !m_pending.empty()) || !m_pending_runs.empty()) {
    auto n = std::min({m_pending.size(), m_options.flush_samples, budget});
    std::vector<core::Sample> batch(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    if (!commit(lock, batch)) return false;
    // Only add() ran meanwhile, and it appends: the batch is still in front.
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    budget -= n;
  }
  if (!spool_ok) return false;
  m_stats.failing_since.reset();
  m_stats.last_error.reset();
  return true;
}

void Writer::bound_backlog(std::unique_lock<std::mutex>& lock) {
  if (m_pending.size() <= m_options.max_backlog) return;
  if (m_options.spool) {
    // Spill down to three quarters, so the spool is not written every round.
    auto n = m_pending.size() - m_options.max_backlog * 3 / 4;
    std::vector<core::Sample> oldest(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    auto spilled = m_spool.append(oldest);
    lock.lock();
    if (spilled) {
      m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
      m_stats.spooled += static_cast<std::int64_t>(n);
    }
  }
  if (m_pending.size() > m_options.max_backlog) {
    auto n = m_pending.size() - m_options.max_backlog;
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    m_stats.dropped += static_cast<std::int64_t>(n);
  }
}

void Writer::refresh_lease(std::unique_lock<std::mutex>& lock) {
  if (!m_options.lease_token) return;
  auto now = Steady::now();
  if (now - m_lease_refreshed < m_options.lease_refresh) return;
  lock.unlock();
  auto held = store::lease::refresh(m_db, *m_options.lease_token, util::now_utc());
  lock.lock();
  if (!held) return;  // the database refuses writes: the commits say so
  m_lease_refreshed = now;
  if (!*held) m_stats.lease_lost = true;
}

void Writer::loop() {
  std::unique_lock lock(m_mutex);
  bool ok = true;
  while (true) {
    // After a failed commit, wait a full interval before the retry, even with
    // a full batch waiting: a database that refuses writes is not hammered.
    m_wake.wait_for(lock, m_options.flush_interval,
                    [&] { return m_stopping || m_flush || (ok && m_pending.size() >= m_options.flush_samples); });
    if (m_stopping) return;
    m_flush = false;
    refresh_lease(lock);
    ok = drain(lock);
    bound_backlog(lock);
  }
}

Expected<void> Writer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
  // The last rounds on this thread, for at most exit_grace.
  std::unique_lock lock(m_mutex);
  const auto deadline = Steady::now() + m_options.exit_grace;
  while (!drain(lock)) {
    auto now = Steady::now();
    if (now >= deadline) break;
    lock.unlock();
    std::this_thread::sleep_for(std::min<Steady::duration>(m_options.flush_interval, deadline - now));
    lock.lock();
  }
  if (!m_pending.empty() && m_options.spool) {
    std::vector<core::Sample> rest(m_pending.begin(), m_pending.end());
    lock.unlock();
    auto spilled = m_spool.append(rest);
    lock.lock();
    if (spilled) {
      m_stats.spooled += static_cast<std::int64_t>(rest.size());
      m_pending.clear();
    }
  }
  m_stats.dropped += static_cast<std::int64_t>(m_pending.size());
  m_pending.clear();
  if (m_stats.spooled == 0 && m_stats.dropped == 0) return {};
  std::string why = m_stats.last_error ? m_stats.last_error->message : "the database refused them";
  return make_error(ErrorKind::database,
                    fmt::format("{} samples are not in the database: {} wait in {} (the next collector stores "
                                "them), {} were lost; the last error: {}",
                                m_stats.spooled + m_stats.dropped, m_stats.spooled, m_spool.path(), m_stats.dropped,
                                why));
}

WriterStats Writer::stats() const {
  std::lock_guard lock(m_mutex);
  WriterStats s = m_stats;
  s.backlog = static_cast<std::int64_t>(m_pending.size());
  return s;
}

}  // namespace pk::collect
