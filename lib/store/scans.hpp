#pragma once

#include "core/sample.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <functional>
#include <string_view>
#include <vector>

// Store-internal pieces shared by the repository files (not for other layers).
namespace pk::store {

class Database;
class Statement;

// The narrow scan of one target's samples in [from, to), oldest first: ts,
// rtt and status only (no ttl, no detail).
inline constexpr std::string_view k_scan_sql =
    "SELECT ts, rtt_us, status FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts";

// Binds and runs `st` (prepared from k_scan_sql and reset) and hands every row
// to fn; returns how many. Throws SqlError.
std::int64_t run_scan(Statement& st, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                      const std::function<void(const core::Sample&)>& fn);

// The distinct target_ids of `table` (keyed by target_id first), ascending,
// by a skip scan: one primary-key seek per target. Throws SqlError.
// The largest `column` over every target of `table` (one index seek per
// target, as distinct_target_ids); nullopt when the table is empty. Throws SqlError.
std::optional<std::int64_t> newest_key(const Database& db, std::string_view table, std::string_view column);

std::vector<std::int64_t> distinct_target_ids(const Database& db, std::string_view table);

}  // namespace pk::store
