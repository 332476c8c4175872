#pragma once

#include "util/expected.hpp"

#include <string>

namespace pk::maintain {

// One maintenance run (rollup pass, prune, vacuum) per database at a time:
// an exclusive flock(2) on "<db>.maintain.lock". The collector's maintenance
// thread and `pingkeeper maintain` both take it; the kernel releases it when
// the process dies.
class MaintenanceLock {
 public:
  // Takes the lock. With `wait`, blocks until it is free; otherwise fails
  // with ErrorKind::busy when another process or thread holds it.
  static Expected<MaintenanceLock> acquire(const std::string& db_path, bool wait);

  MaintenanceLock(MaintenanceLock&& other) noexcept;
  MaintenanceLock& operator=(MaintenanceLock&& other) noexcept;
  MaintenanceLock(const MaintenanceLock&) = delete;
  MaintenanceLock& operator=(const MaintenanceLock&) = delete;
  ~MaintenanceLock();

 private:
  explicit MaintenanceLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace pk::maintain
