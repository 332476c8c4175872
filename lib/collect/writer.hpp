#pragma once

#include "core/sample.hpp"
#include "store/db.hpp"
#include "store/samples.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pk::collect {

struct WriterOptions {
  std::chrono::milliseconds flush_interval{1000};  // commit at least this often
  std::size_t flush_samples = 5000;                // or as soon as this many wait
};

struct WriterStats {
  std::int64_t committed = 0;  // samples written
  std::int64_t batches = 0;    // transactions committed
  std::int64_t retries = 0;    // commits that failed and were retried
};

// The batched writer: the probing loop hands it samples without ever waiting
// for the disk; a thread with its own connection commits them in one
// transaction at least once per flush_interval (or every flush_samples). A
// failed commit (the database busy beyond its timeout, a full disk) keeps the
// batch and retries on the next round, so nothing handed over is dropped.
class Writer {
 public:
  static Expected<std::unique_ptr<Writer>> start(const std::string& db_path, WriterOptions options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void add(const core::Sample& sample);
  void add_run_counts(const store::samples::RunCounts& counts);

  // Commits everything handed over and stops the thread. Returns the last
  // commit error if the final flush could not be written.
  Expected<void> stop();

  WriterStats stats() const;

 private:
  Writer(store::Database db, WriterOptions options);
  void loop();
  Expected<void> flush_pending(std::unique_lock<std::mutex>& lock);

  store::Database m_db;
  WriterOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<core::Sample> m_pending;
  std::vector<store::samples::RunCounts> m_pending_runs;
  bool m_stopping = false;
  WriterStats m_stats;
  std::optional<Error> m_last_error;
  std::thread m_thread;
};

}  // namespace pk::collect
