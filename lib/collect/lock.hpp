#pragma once

#include "store/db.hpp"
#include "store/lease.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace pk::collect {

// The one-collector-per-database lock, held in the database itself (the
// collector_lease row), so no file beside it can be deleted to let a second
// collector in. Its holder is identified by pid, process start time, boot
// id and pid namespace: a lease whose process is gone (a crash, kill -9) is
// taken over at once; one of another boot or pid namespace once it has not
// been refreshed for k_lease_timeout. The Writer refreshes the lease with
// its commits and reports when it was taken away (Writer::lease_lost), so a
// collector whose lease was replaced stops instead of collecting twice.
class CollectorLock {
 public:
  // Takes the lease, or fails with ErrorKind::busy naming the holder's pid
  // (and host). Holds its own connection to release the lease when destroyed.
  static Expected<CollectorLock> acquire(const std::string& db_path);
  // Whether a live collector holds the lease of `db` now (reads only).
  static bool held(const store::Database& db);

  CollectorLock(CollectorLock&& other) noexcept
      : m_db(std::exchange(other.m_db, std::nullopt)), m_token(std::move(other.m_token)) {}
  CollectorLock& operator=(CollectorLock&& other) noexcept;
  CollectorLock(const CollectorLock&) = delete;
  CollectorLock& operator=(const CollectorLock&) = delete;
  ~CollectorLock();

  // The token the Writer refreshes (WriterOptions::lease_token).
  const std::string& token() const { return m_token; }

 private:
  CollectorLock(store::Database db, std::string token) : m_db(std::move(db)), m_token(std::move(token)) {}
  void release();
  std::optional<store::Database> m_db;
  std::string m_token;
};

// How long a lease of another boot or pid namespace stays valid without a
// refresh (the Writer refreshes it every 5 s).
inline constexpr std::chrono::seconds k_lease_timeout{30};

// This process's identity as a lease (token random, times now).
store::lease::Lease own_lease(util::SysMicros now);

// Is the holder of `lease` gone, judged from `self` (this process) and
// `alive(pid, start_ticks)` (does that process still run), at `now`?
// Pure, for tests: same boot and pid namespace → !alive; otherwise the
// lease is stale when not seen for k_lease_timeout.
bool lease_stale(const store::lease::Lease& lease, const store::lease::Lease& self, util::SysMicros now,
                 bool holder_alive);

}  // namespace pk::collect
