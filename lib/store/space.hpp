#pragma once

#include "util/expected.hpp"

#include <cstdint>

namespace pk::store {

class Database;

// The database file's pages (the main file; the WAL is not counted).
struct Space {
  std::int64_t page_size = 0;   // bytes
  std::int64_t pages = 0;       // pages in the file
  std::int64_t free_pages = 0;  // of which on the freelist (reused by inserts)
};
Expected<Space> space(const Database& db);

// Returns up to `max_pages` free pages to the operating system (PRAGMA
// incremental_vacuum, one short write transaction); returns how many left
// the freelist. Needs auto_vacuum = INCREMENTAL, which Database::open sets on
// new databases; on others it frees nothing.
Expected<std::int64_t> incremental_vacuum(const Database& db, std::int64_t max_pages);

}  // namespace pk::store
