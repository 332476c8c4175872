#pragma once

#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pk::store {
class Database;
}

// The key/value settings table: retention per tier, rollup watermarks and
// claims, retention horizons (schema/001_init.sql, 002_rollups.sql).
namespace pk::store::settings {

// The value of `key`; nullopt when it is not set.
Expected<std::optional<std::string>> get(const Database& db, std::string_view key);

// Sets `key` to `value`, replacing any old value.
Expected<void> set(const Database& db, std::string_view key, std::string_view value);

// Removes `key` (nothing happens when it is not set).
Expected<void> erase(const Database& db, std::string_view key);

// An instant setting (decimal µs since the epoch): nullopt when not set;
// ErrorKind::database when the stored text is not a decimal integer.
Expected<std::optional<std::int64_t>> get_micros(const Database& db, std::string_view key);

}  // namespace pk::store::settings
