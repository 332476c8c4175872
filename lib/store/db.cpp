#include "store/db.hpp"

#include "store/migrations.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace pk::store {

namespace {

constexpr int k_busy_timeout_ms = 10000;

[[noreturn]] void throw_error(sqlite3* db, int code) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqlError(code, msg != nullptr ? msg : sqlite3_errstr(code));
}

void check(sqlite3* db, int code) {
  if (code != SQLITE_OK) throw_error(db, code);
}

}  // namespace

bool SqlError::is_constraint() const { return (m_code & 0xff) == SQLITE_CONSTRAINT; }

void Statement::Finalizer::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc);
  m_stmt.reset(stmt);
}

Statement& Statement::bind(int index, std::int64_t value) {
  check(m_db, sqlite3_bind_int64(m_stmt.get(), index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(m_db, sqlite3_bind_double(m_stmt.get(), index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check(m_db, sqlite3_bind_text64(m_stmt.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(m_db, sqlite3_bind_null(m_stmt.get(), index));
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(m_db, rc);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt.get());
  sqlite3_clear_bindings(m_stmt.get());
}

bool Statement::is_null(int column) const { return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL; }

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt.get(), column); }

int Statement::int32(int column) const { return sqlite3_column_int(m_stmt.get(), column); }

double Statement::real(int column) const { return sqlite3_column_double(m_stmt.get(), column); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(m_stmt.get(), column);
  if (p == nullptr) return {};
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), column));
  return std::string(reinterpret_cast<const char*>(p), n);
}

std::optional<std::int64_t> Statement::opt_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<std::string> Statement::opt_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
    : m_db(std::move(db)), m_path(std::move(path)) {}

Expected<Database> Database::open(const std::string& path, bool create_dirs) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    if (!fs::exists(p.parent_path(), ec)) {
      if (!create_dirs) {
        return make_error(ErrorKind::io, fmt::format("cannot open database {}: folder {} does not exist", path,
                                                     p.parent_path().string()));
      }
      fs::create_directories(p.parent_path(), ec);
      if (ec) {
        return make_error(ErrorKind::io,
                          fmt::format("cannot create folder {}: {}", p.parent_path().string(), ec.message()));
      }
    }
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, Closer> handle(raw);
  if (rc != SQLITE_OK) {
    auto kind = (rc == SQLITE_PERM || rc == SQLITE_READONLY) ? ErrorKind::permission : ErrorKind::io;
    return make_error(kind,
                      fmt::format("cannot open database {}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, k_busy_timeout_ms);
  Database db(std::move(handle), path);
  if (auto mine = check_ownership(db); !mine) return std::unexpected(mine.error());
  try {
    // auto_vacuum only takes effect before the first table exists; the
    // migrations run after this, so a new database gets it. Set only when it
    // differs: setting it writes the database header (a write transaction
    // and three fsyncs on every open, read-only commands included).
    auto vacuum_mode = db.prepare("PRAGMA auto_vacuum");
    if (!vacuum_mode.step() || vacuum_mode.int32(0) != 2) db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    auto mode = db.prepare("PRAGMA journal_mode = WAL");
    mode.step();
    if (mode.text(0) != "wal") {
      return make_error(ErrorKind::database,
                        fmt::format("cannot use write-ahead logging on {} (journal mode {})", path, mode.text(0)));
    }
    db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  } catch (const SqlError& e) {
    return make_error(ErrorKind::database, fmt::format("cannot set up database {}: {}", path, e.what()));
  }
  if (auto ok = migrate(db); !ok) return std::unexpected(ok.error());
  return db;
}

void Database::exec(std::string_view sql) const {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(m_db.get(), owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqlError(rc, msg);
  }
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db.get()); }

int Database::changes() const { return sqlite3_changes(m_db.get()); }

int Database::user_version() const {
  auto st = prepare("PRAGMA user_version");
  st.step();
  return st.int32(0);
}

Transaction::Transaction(const Database& db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!m_done) {
    try {
      m_db.exec("ROLLBACK");
    } catch (const SqlError&) {
      // The transaction is already gone (SQLite rolled it back itself).
    }
  }
}

Expected<ReadSnapshot> ReadSnapshot::begin(const Database& db) {
  return guarded([&]() -> Expected<ReadSnapshot> {
    db.exec("BEGIN DEFERRED");
    return ReadSnapshot(db);
  });
}

ReadSnapshot::~ReadSnapshot() {
  if (m_db == nullptr) return;
  try {
    m_db->exec("COMMIT");
  } catch (const SqlError&) {
    // Nothing was written; SQLite may already have ended it.
  }
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_done = true;
}

}  // namespace pk::store
