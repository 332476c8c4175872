#include "collect/lock.hpp"

#include "util/proc_stat.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <random>
#include <signal.h>
#include <string>
#include <unistd.h>
#include <utility>

namespace pk::collect {

namespace {

std::string read_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string pid_namespace() {
  std::array<char, 128> buf{};
  auto n = ::readlink("/proc/self/ns/pid", buf.data(), buf.size() - 1);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string();
}

// The start time of process `pid` in clock ticks after boot (tells a reused
// pid); nullopt when there is no such process, or it has died (a zombie).
std::optional<std::int64_t> start_ticks(std::int64_t pid) {
  auto stat = util::read_proc_stat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;  // a zombie is dead
  return stat->start_ticks;
}

std::string random_token() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

bool holder_alive(const store::lease::Lease& lease) {
  if (lease.pid <= 0) return false;
  if (auto stat = util::read_proc_stat(lease.pid)) {
    if (stat->state == 'Z' || stat->state == 'X') return false;  // dead, not yet reaped
    return stat->start_ticks == lease.start_ticks;               // else the pid was reused
  }
  // No /proc entry to read: gone, or /proc mounted hidepid (another user's
  // process). kill(pid, 0) tells them apart; one that exists counts as alive.
  return ::kill(static_cast<pid_t>(lease.pid), 0) == 0 || errno == EPERM;
}

bool stale_now(const store::lease::Lease& lease, const store::lease::Lease& self) {
  return lease_stale(lease, self, util::now_utc(), holder_alive(lease));
}

}  // namespace

store::lease::Lease own_lease(util::SysMicros now) {
  store::lease::Lease self;
  self.token = random_token();
  self.pid = ::getpid();
  self.start_ticks = start_ticks(self.pid).value_or(0);
  self.boot_id = read_line("/proc/sys/kernel/random/boot_id");
  self.pid_ns = pid_namespace();
  self.hostname = host_name();
  self.since = now;
  self.seen = now;
  return self;
}

bool lease_stale(const store::lease::Lease& lease, const store::lease::Lease& self, util::SysMicros now,
                 bool holder_alive) {
  bool same_host = lease.boot_id == self.boot_id && lease.pid_ns == self.pid_ns && !self.boot_id.empty();
  if (same_host) return !holder_alive;
  return now - lease.seen > k_lease_timeout;
}

bool CollectorLock::held(const store::Database& db) {
  auto lease = store::lease::read(db);
  if (!lease || !*lease) return false;
  return !stale_now(**lease, own_lease(util::now_utc()));
}

Expected<CollectorLock> CollectorLock::acquire(const std::string& db_path) {
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());
  auto self = own_lease(util::now_utc());
  auto holder = store::lease::claim(*db, self, [&](const store::lease::Lease& l) { return stale_now(l, self); });
  if (!holder) return std::unexpected(holder.error());
  if (*holder) {
    const auto& h = **holder;
    std::string where = h.hostname == self.hostname && h.pid_ns == self.pid_ns ? "" : fmt::format(" on {}", h.hostname);
    return make_error(ErrorKind::busy, fmt::format("a collector is already running on {} (pid {}{}); stop it first",
                                                   db_path, h.pid, where));
  }
  return CollectorLock(std::move(*db), self.token);
}

CollectorLock& CollectorLock::operator=(CollectorLock&& other) noexcept {
  if (this != &other) {
    release();
    m_db = std::exchange(other.m_db, std::nullopt);
    m_token = std::move(other.m_token);
  }
  return *this;
}

void CollectorLock::release() {
  if (!m_db) return;
  // Best effort: a lease left behind is stale once this process is gone.
  (void)store::lease::release(*m_db, m_token);
  m_db.reset();
}

CollectorLock::~CollectorLock() { release(); }

}  // namespace pk::collect
