#include "store/migrations.hpp"

#include "store/db.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace pk::store {

namespace {

std::unexpected<Error> newer_than_binary(const Database& db, int current, int latest) {
  return make_error(ErrorKind::database, fmt::format("database {} has schema version {}, newer than this pingkeeper "
                                                     "understands ({}): upgrade pingkeeper",
                                                     db.path(), current, latest));
}

}  // namespace

int latest_schema_version() {
  auto all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

Expected<void> check_ownership(const Database& db) {
  auto not_ours = [&] {
    return make_error(ErrorKind::database, fmt::format("{} is not a pingkeeper database (it holds other data); "
                                                       "choose another --db",
                                                       db.path()));
  };
  try {
    auto st =
        db.prepare("SELECT (SELECT count(*) FROM sqlite_master), * FROM pragma_application_id, pragma_user_version");
    st.step();
    auto objects = st.int64(0);
    auto app_id = st.int64(1);
    auto version = st.int64(2);
    bool fresh = objects == 0 && app_id == 0 && version == 0;
    if (!fresh && app_id != k_application_id) return not_ours();
    if (version > latest_schema_version()) {
      return newer_than_binary(db, static_cast<int>(version), latest_schema_version());
    }
    return {};
  } catch (const SqlError& e) {
    if ((e.code() & 0xff) == SQLITE_NOTADB) return not_ours();
    return make_error(ErrorKind::database, fmt::format("cannot read {}: {}", db.path(), e.what()));
  }
}

Expected<void> migrate(const Database& db, std::span<const Migration> migrations) {
  int latest = migrations.empty() ? 0 : migrations.back().version;
  return guarded([&]() -> Expected<void> {
    // Cheap check first, so readers of an up-to-date database never take the write lock.
    int current = db.user_version();
    if (current == latest) return {};
    if (current > latest) {
      return newer_than_binary(db, current, latest);
    }
    Transaction tx(db);
    current = db.user_version();  // another process may have migrated meanwhile
    if (current > latest) {
      return newer_than_binary(db, current, latest);
    }
    if (current == 0) db.exec(fmt::format("PRAGMA application_id = {}", k_application_id));
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      try {
        db.exec(m.sql);
      } catch (const SqlError& e) {
        return make_error(ErrorKind::database,
                          fmt::format("migration {:03}_{} failed: {}", m.version, m.name, e.what()));
      }
      db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    }
    tx.commit();
    return {};
  });
}

}  // namespace pk::store
