#pragma once

#include <chrono>
#include <thread>
#include <utility>

namespace pk::maintain {

// Keeps long maintenance from starving other writers. SQLite has no queue
// for the write lock: a writer that finds it taken (the collector's) sleeps
// in growing steps (1, 2, 5, 10 ms, ...) and tries again, so back-to-back
// write transactions would lock it out for as long as they go on. The pacer
// leaves the lock free for three times as long as each write held it before
// the next write starts (the lock is then held at most a quarter of the
// time); time spent reading in between counts, so work that mostly reads is
// not slowed down.
class Pacer {
 public:
  // A disabled pacer never waits: for bulk work when no collector runs.
  explicit Pacer(bool enabled = true) : m_enabled(enabled) {}

  // Waits until the lock has been free long enough, then runs `write` (one
  // short write transaction) and returns what it returns.
  template <typename Write>
  auto run(Write&& write) {
    if (m_enabled) {
      auto now = Clock::now();
      if (now < m_free_until) std::this_thread::sleep_for(m_free_until - now);
    }
    const auto start = Clock::now();
    auto result = std::forward<Write>(write)();
    const auto end = Clock::now();
    m_free_until = end + 3 * (end - start);
    return result;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool m_enabled;
  Clock::time_point m_free_until{};  // the clock's epoch: no wait before the first write
};

}  // namespace pk::maintain
