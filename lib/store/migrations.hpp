#pragma once

#include <span>
#include <string_view>

#include "util/expected.hpp"

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

// The newest schema version this binary knows.
int latest_schema_version();

// Brings the database to latest_schema_version(): applies the pending
// migrations in order, in one transaction, setting PRAGMA user_version.
// Refuses a database whose version is newer than the binary's.
Expected<void> migrate(const Database& db, std::span<const Migration> migrations = embedded_migrations());

}  // namespace pk::store
