#pragma once

#include "util/expected.hpp"

#include <string>

namespace pk::collect {

// The one-collector-per-database lock: an exclusive flock(2) on "<db>.lock"
// holding the owner's pid. The kernel releases it when the process dies, so
// a crash never leaves a stale lock.
class CollectorLock {
 public:
  // Takes the lock, or fails with ErrorKind::busy naming the holder's pid.
  static Expected<CollectorLock> acquire(const std::string& db_path);
  // Whether a collector holds the lock of db_path right now (a look that
  // takes nothing: a collector starting at the same instant is not refused).
  static bool held(const std::string& db_path);

  CollectorLock(CollectorLock&& other) noexcept;
  CollectorLock& operator=(CollectorLock&& other) noexcept;
  CollectorLock(const CollectorLock&) = delete;
  CollectorLock& operator=(const CollectorLock&) = delete;
  ~CollectorLock();

 private:
  explicit CollectorLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace pk::collect
