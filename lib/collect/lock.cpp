#include "collect/lock.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace pk::collect {

namespace {

std::string read_all(int fd) {
  std::string text;
  char buf[64];
  ::lseek(fd, 0, SEEK_SET);
  for (int i = 0; i < 4; ++i) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

bool CollectorLock::held(const std::string& db_path) {
  const std::string path = db_path + ".lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // never locked
  bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops the shared lock, if taken
  return busy;
}

Expected<CollectorLock> CollectorLock::acquire(const std::string& db_path) {
  const std::string path = db_path + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(errno == EACCES ? ErrorKind::permission : ErrorKind::io,
                      fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
  }
  // held() takes the lock shared for an instant: a few short retries tell
  // that look from a running collector.
  int err = 0;
  for (int attempt = 0;; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      err = 0;
      break;
    }
    err = errno;
    if (err != EWOULDBLOCK || attempt == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  if (err != 0) {
    std::string holder = read_all(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error(ErrorKind::busy, fmt::format("a collector is already running on {} (pid {}); stop it first",
                                                     db_path, holder.empty() ? "unknown" : holder));
    }
    return make_error(ErrorKind::io, fmt::format("cannot lock {}: {}", path, std::strerror(err)));
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock is held either way; a missing pid only makes the busy message vaguer.
  }
  return CollectorLock(fd);
}

CollectorLock::CollectorLock(CollectorLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

CollectorLock& CollectorLock::operator=(CollectorLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

CollectorLock::~CollectorLock() {
  if (m_fd >= 0) {
    if (::ftruncate(m_fd, 0) != 0) {
      // Nothing to do: the lock goes with the descriptor.
    }
    ::close(m_fd);
  }
}

}  // namespace pk::collect
