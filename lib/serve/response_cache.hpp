#pragma once

#include "serve/http.hpp"

#include <chrono>
#include <memory>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace pk::serve {

// Answers of read-only GET routes (routes wrapped in cached(), router.hpp),
// kept for the requests that repeat them: dashboards and scripts polling the
// same URL. An answer depends on the database, the query and the clock, so an
// entry is fresh while the database has not changed since it was computed
// and it is younger than max_age. A stale entry is still served while one
// request computes its replacement (at most max_stale after it was
// computed), so pollers never queue behind a recomputation; an older one is
// not served. Two kinds of change: changed() (another connection committed:
// the collector's writer, another process; seen by the server's watch within
// 100 ms) makes entries stale; cleared() (a mutating request of this server)
// makes them unusable, so a client reads its own writes at once.
// Thread-safe.
class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::chrono::milliseconds max_age{1000};
    std::chrono::milliseconds max_stale{2000};
    std::size_t max_entries = 256;      // more: the oldest goes
    std::size_t max_bytes = 32 << 20;   // bodies in all; more: the oldest go
    std::size_t max_body = 1 << 20;     // larger answers are not kept
  };

  ResponseCache() = default;
  explicit ResponseCache(Limits limits) : m_limits(limits) {}

  // The database changed: every entry is stale from now on.
  void changed();
  // This server changed the database: no entry computed before is served.
  void cleared();
  std::uint64_t generation() const;

  struct Found {
    std::shared_ptr<const Response> response;  // copied by the caller, outside the cache's lock
    // The caller must compute the replacement (the entry is stale and nobody
    // else does): run the route and store() it, or abandon(key).
    bool refresh = false;
  };
  // A fresh entry, or a stale one being (or now to be) replaced; nullopt:
  // compute the answer.
  std::optional<Found> find(const std::string& key, Clock::time_point now);

  // Keeps the answer computed for `key` from a start at `started` in
  // generation `generation` (read before computing: an answer computed across
  // a change is stale at once). Only 200 answers with a body of at most
  // max_body are kept.
  void store(const std::string& key, std::uint64_t generation, Clock::time_point started, const Response& response);
  // The refresh find() asked for could not be done.
  void abandon(const std::string& key);

  std::size_t size() const;
  std::size_t bytes() const;

 private:
  void evict_oldest();

  struct Entry {
    std::shared_ptr<const Response> response;
    std::uint64_t generation = 0;
    Clock::time_point computed;
    bool refreshing = false;
  };

  Limits m_limits;
  mutable std::mutex m_mutex;
  std::uint64_t m_generation = 0;
  std::uint64_t m_floor = 0;  // answers computed in an older generation are never kept
  std::size_t m_bytes = 0;
  std::unordered_map<std::string, Entry> m_entries;
};

// The cache key of a request: its target as sent (path and query) and the
// Accept field (some routes answer CSV for it).
std::string cache_key(const Request& request);

}  // namespace pk::serve
