#include "store/db.hpp"

#include "store/migrations.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <fmt/ranges.h>

#include <cerrno>
#include <filesystem>
#include <unistd.h>
#include <vector>
#include <system_error>

namespace pk::store {

namespace {

constexpr int k_busy_timeout_ms = 10000;

[[noreturn]] void throw_error(sqlite3* db, int code) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  SqlError error(code, msg != nullptr ? msg : sqlite3_errstr(code));
  // A damaged file: this connection writes nothing more, so a damaged page
  // is never built on (every later write fails as read-only).
  if (db != nullptr && error.is_corrupt()) sqlite3_exec(db, "PRAGMA query_only = ON", nullptr, nullptr, nullptr);
  throw error;
}

void check(sqlite3* db, int code) {
  if (code != SQLITE_OK) throw_error(db, code);
}

}  // namespace

bool SqlError::is_constraint() const { return (m_code & 0xff) == SQLITE_CONSTRAINT; }

bool SqlError::is_read_only() const { return (m_code & 0xff) == SQLITE_READONLY; }

bool SqlError::is_corrupt() const { return (m_code & 0xff) == SQLITE_CORRUPT || (m_code & 0xff) == SQLITE_NOTADB; }

Expected<void> quick_check(const Database& db, std::span<const std::string_view> tables) {
  return guarded([&]() -> Expected<void> {
    std::vector<std::string> problems;
    auto look = [&](const std::string& sql) {
      auto st = db.prepare(sql);
      while (st.step()) {
        auto line = st.text(0);
        if (line != "ok" && problems.size() < 3) problems.push_back(std::move(line));
      }
    };
    if (tables.empty()) look("PRAGMA quick_check");
    for (auto table : tables) look(fmt::format("PRAGMA quick_check({})", table));
    if (problems.empty()) return {};
    sqlite3_exec(db.handle(), "PRAGMA query_only = ON", nullptr, nullptr, nullptr);
    return make_error(ErrorKind::database, fmt::format("{} ({})", k_damaged, fmt::join(problems, "; ")));
  });
}

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

namespace {

// "file:" URI of a path: the characters a URI gives meaning to escaped.
std::string file_uri(const std::string& path, std::string_view query) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  uri += '?';
  uri += query;
  return uri;
}

// Can this process write the database file and create its -wal and -shm
// beside it? (A read-only folder or file system, another user's folder.)
bool writable_here(const std::string& path) {
  namespace fs = std::filesystem;
  const auto dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path().string() : std::string(".");
  return ::access(dir.c_str(), W_OK) == 0 && (::access(path.c_str(), W_OK) == 0 || errno == ENOENT);
}

}  // namespace

Expected<Database> Database::open_read_only(const std::string& path) {
  // Read-only with a shared-memory index when the -shm can be used; else,
  // when no -wal holds changes, immutable (nothing can change the file while
  // its folder cannot be written).
  std::error_code ec;
  const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
  const bool wal_empty = ec || wal_size == 0;
  std::optional<Error> failure;
  for (std::string_view query : {"mode=ro", "mode=ro&immutable=1"}) {
    if (query.find("immutable") != std::string_view::npos && !wal_empty) break;
    sqlite3* raw = nullptr;
    const auto uri = file_uri(path, query);
    int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<sqlite3, Closer> handle(raw);
    if (rc != SQLITE_OK) {
      failure = Error{ErrorKind::io, fmt::format("cannot open database {}: {}", path,
                                                 raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
      continue;
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, k_busy_timeout_ms);
    Database db(std::move(handle), path);
    auto mine = check_ownership(db);
    if (!mine) {
      failure = mine.error();
      continue;
    }
    if (db.user_version() != latest_schema_version()) {
      return make_error(ErrorKind::permission,
                        fmt::format("database {} needs an upgrade to this version of pingkeeper, but it cannot be "
                                    "written here (its folder or file is read-only)",
                                    path));
    }
    return db;
  }
  return std::unexpected(failure.value_or(
      Error{ErrorKind::permission, fmt::format("cannot open database {} read-only", path)}));
}

Expected<Database> Database::open(const std::string& path, bool create_dirs) {
  auto db = open_read_write(path, create_dirs);
  if (db) return db;
  // Reads still work where the file cannot be written (a read-only folder
  // or file system): then every write fails as read-only.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || writable_here(path)) return db;
  auto ro = open_read_only(path);
  if (ro) return ro;
  return db;
}

Expected<Database> Database::open_read_write(const std::string& path, bool create_dirs) {
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
