#pragma once

#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pk::store {
class Database;
}

// The collector lease (schema/004_collector_lease.sql): which process
// collects into this database now. At most one row.
namespace pk::store::lease {

struct Lease {
  std::string token;  // random; proves the holder
  std::int64_t pid = 0;
  std::int64_t start_ticks = 0;
  std::string boot_id;
  std::string pid_ns;
  std::string hostname;
  util::SysMicros since{};
  util::SysMicros seen{};
};

// The current lease; nullopt when nobody holds it.
Expected<std::optional<Lease>> read(const Database& db);

// In one IMMEDIATE transaction (so two claimants never both win): reads the
// current lease and, when there is none, it is `mine` (same token) or
// `stale(current)` says its holder is gone, writes `mine` and returns
// nullopt. Otherwise changes nothing and returns the live holder's lease.
Expected<std::optional<Lease>> claim(const Database& db, const Lease& mine,
                                     const std::function<bool(const Lease&)>& stale);

// Sets seen to `now` when the lease still holds `token`; false when it does
// not (another process replaced it, or it was deleted).
Expected<bool> refresh(const Database& db, const std::string& token, util::SysMicros now);

// Deletes the lease if it holds `token`.
Expected<void> release(const Database& db, const std::string& token);

}  // namespace pk::store::lease
