#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"

#include <array>
#include <cstdint>
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

// How long each tier is kept, indexed by analyze::Tier (raw, 1m, 1h, 1d);
// nullopt = forever.
using Retention = std::array<std::optional<util::Micros>, 4>;

// The defaults (schema/001_init.sql seeds them): raw 30 d, 1m 90 d,
// 1h 5 y (1825 d), 1d forever.
Retention default_retention();

// Reads retention.raw|1m|1h|1d; a missing key has its default. A stored text
// that is neither "forever" nor a duration is ErrorKind::database.
Expected<Retention> retention(const Database& db);

// Stores all four tiers (as keep_text) in one transaction.
Expected<void> set_retention(const Database& db, const Retention& keep);

// "forever", whole years as "5y", whole days as "30d", else
// util::format_duration ("12h"). Parses back with util::parse_duration.
std::string keep_text(std::optional<util::Micros> keep);

}  // namespace pk::store::settings
