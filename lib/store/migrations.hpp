#pragma once

#include "util/expected.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace pk::store {

class Database;

// One schema/NNN_name.sql file, embedded at build time.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Every migration the binary carries, in version order (generated source).
std::span<const Migration> embedded_migrations();

// PRAGMA application_id of every pingkeeper database ("PKpk").
inline constexpr std::int64_t k_application_id = 0x504B706B;

// Refuses (ErrorKind::database) a file that is some other program's SQLite
// database (neither empty nor marked with k_application_id), or one written
// by a newer pingkeeper. Runs before anything is written to the file.
Expected<void> check_ownership(const Database& db);

// The newest schema version this binary knows.
int latest_schema_version();

// Brings the database to latest_schema_version(): applies the pending
// migrations in order, in one transaction, setting PRAGMA user_version.
// Refuses a database whose version is newer than the binary's.
Expected<void> migrate(const Database& db, std::span<const Migration> migrations = embedded_migrations());

}  // namespace pk::store
