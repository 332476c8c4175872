#include "store/space.hpp"

#include "store/db.hpp"

#include <fmt/format.h>

namespace pk::store {

namespace {

std::int64_t pragma(const Database& db, std::string_view name) {
  auto st = db.prepare(fmt::format("PRAGMA {}", name));
  return st.step() ? st.int64(0) : 0;
}

}  // namespace

Expected<Space> space(const Database& db) {
  return guarded([&]() -> Expected<Space> {
    return Space{pragma(db, "page_size"), pragma(db, "page_count"), pragma(db, "freelist_count")};
  });
}

Expected<std::int64_t> incremental_vacuum(const Database& db, std::int64_t max_pages) {
  return guarded([&]() -> Expected<std::int64_t> {
    const auto before = pragma(db, "freelist_count");
    db.prepare(fmt::format("PRAGMA incremental_vacuum({})", max_pages)).run();
    return before - pragma(db, "freelist_count");
  });
}

}  // namespace pk::store
