#include "collect/writer.hpp"

#include <algorithm>

namespace pk::collect {

namespace {

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

Writer::Writer(store::Database db, WriterOptions options) : m_db(std::move(db)), m_options(options) {}

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

Expected<void> Writer::flush_pending(std::unique_lock<std::mutex>& lock) {
  std::vector<core::Sample> batch;
  std::vector<store::samples::RunCounts> runs;
  batch.swap(m_pending);
  runs.swap(m_pending_runs);
  lock.unlock();
  auto ok = store::samples::insert_batch(m_db, batch, runs);
  lock.lock();
  if (ok) {
    m_stats.committed += static_cast<std::int64_t>(batch.size());
    m_stats.batches += 1;
    m_last_error.reset();
    return {};
  }
  // Put the batch back in front of what arrived meanwhile; retry next round.
  m_stats.retries += 1;
  m_last_error = ok.error();
  batch.insert(batch.end(), m_pending.begin(), m_pending.end());
  m_pending.swap(batch);
  for (const auto& r : m_pending_runs) merge_runs(runs, r);
  m_pending_runs.swap(runs);
  return ok;
}

void Writer::loop() {
  std::unique_lock lock(m_mutex);
  bool failed = false;
  while (true) {
    // After a failed commit, wait a full interval before the retry, even with
    // a full batch waiting: a database that refuses writes is not hammered.
    m_wake.wait_for(lock, m_options.flush_interval,
                    [&] { return m_stopping || (!failed && m_pending.size() >= m_options.flush_samples); });
    if (m_stopping) return;
    if (!m_pending.empty() || !m_pending_runs.empty()) failed = !flush_pending(lock).has_value();
  }
}

Expected<void> Writer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
  // Final flush on this thread; a few retries ride out a busy database.
  std::unique_lock lock(m_mutex);
  for (int attempt = 0; attempt < 5 && (!m_pending.empty() || !m_pending_runs.empty()); ++attempt) {
    if (flush_pending(lock)) break;
  }
  if (!m_pending.empty() || !m_pending_runs.empty()) {
    return std::unexpected(m_last_error.value_or(Error{ErrorKind::database, "could not write the last samples"}));
  }
  return {};
}

WriterStats Writer::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

}  // namespace pk::collect
