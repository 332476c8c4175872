#include "maintain/lock.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace pk::maintain {

Expected<MaintenanceLock> MaintenanceLock::acquire(const std::string& db_path, bool wait) {
  const std::string path = db_path + ".maintain.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(errno == EACCES ? ErrorKind::permission : ErrorKind::io,
                      fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
  }
  int rc = 0;
  do {
    rc = ::flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR && wait);
  if (rc != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error(ErrorKind::busy, fmt::format("maintenance is already running on {}", db_path));
    }
    return make_error(ErrorKind::io, fmt::format("cannot lock {}: {}", path, std::strerror(err)));
  }
  return MaintenanceLock(fd);
}

MaintenanceLock::MaintenanceLock(MaintenanceLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

MaintenanceLock& MaintenanceLock::operator=(MaintenanceLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

MaintenanceLock::~MaintenanceLock() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace pk::maintain
