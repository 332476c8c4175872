#pragma once

#include "util/expected.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace pk::store {

// Thrown inside lib/store only; repository functions catch it at their
// boundary (see guarded()) and return it as an Error. Never crosses lib/store.
class SqlError : public std::runtime_error {
 public:
  SqlError(int code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  int code() const { return m_code; }
  bool is_constraint() const;
  // SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged.
  bool is_corrupt() const;
  // SQLITE_READONLY: a read-only connection (or one that saw damage) was asked to write.
  bool is_read_only() const;

 private:
  int m_code;
};

// A prepared statement. Binding indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances; true while a row is available. Throws SqlError on failure.
  bool step();
  // Steps a statement that returns no rows.
  void run();
  // Rewinds for another execution and clears bindings.
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  int int32(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::int64_t> opt_int64(int column) const;
  std::optional<std::string> opt_text(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const;
  };
  sqlite3* m_db;
  std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
};

// An open, configured and migrated database connection.
class Database {
 public:
  // Opens (creating it if needed) the database at `path`, sets WAL, busy
  // timeout, foreign keys and incremental auto-vacuum, and applies pending
  // migrations. A database written by a newer pingkeeper is refused
  // (ErrorKind::database). `create_dirs` makes missing parent folders.
  // Where the file cannot be written (a read-only folder or file system) an
  // up-to-date database is opened read-only instead: reads work, writes fail
  // (ErrorKind::permission).
  static Expected<Database> open(const std::string& path, bool create_dirs = false);

  Statement prepare(std::string_view sql) const { return Statement(m_db.get(), sql); }
  // Runs one or more statements without results. Throws SqlError.
  void exec(std::string_view sql) const;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  int user_version() const;
  const std::string& path() const { return m_path; }
  sqlite3* handle() const { return m_db.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  Database(std::unique_ptr<sqlite3, Closer> db, std::string path);
  static Expected<Database> open_read_write(const std::string& path, bool create_dirs);
  static Expected<Database> open_read_only(const std::string& path);
  std::unique_ptr<sqlite3, Closer> m_db;
  std::string m_path;
};

// BEGIN IMMEDIATE on construction (writers queue on the busy timeout instead
// of failing half-way); ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(const Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  const Database& m_db;
  bool m_done = false;
};

// A read transaction (BEGIN DEFERRED ... COMMIT): every read through the
// connection while it lives sees one snapshot of the database (WAL), however
// many statements a query runs and whatever other connections commit
// meanwhile. Writers are not blocked. Movable; not for connections that write
// while it lives.
class ReadSnapshot {
 public:
  static Expected<ReadSnapshot> begin(const Database& db);
  ReadSnapshot(ReadSnapshot&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
  ReadSnapshot& operator=(ReadSnapshot&&) = delete;
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot();

 private:
  explicit ReadSnapshot(const Database& db) : m_db(&db) {}
  const Database* m_db;
};

// What a damaged database file is called in errors, with what to do.
inline constexpr std::string_view k_damaged =
    "the database file is damaged: nothing more is written to it; restore a backup, or recover what is readable "
    "with `sqlite3 DB .recover`";

// Turns an SqlError thrown by `fn` into Error{database, ...}; a constraint
// violation becomes invalid_input. Other results pass through.
template <typename Fn>
auto guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const SqlError& e) {
    if (e.is_constraint()) return invalid_input(std::string("rejected by the database: ") + e.what());
    if (e.is_corrupt()) return make_error(ErrorKind::database, std::string(k_damaged) + " (" + e.what() + ")");
    if (e.is_read_only()) {
      return make_error(ErrorKind::permission,
                        std::string("the database cannot be written here (a read-only folder, file or file "
                                    "system; or it was found damaged): ") +
                            e.what());
    }
    return make_error(ErrorKind::database, std::string("database error: ") + e.what());
  }
}

// PRAGMA quick_check of `tables` (every table and index when empty): cheap
// for the small ones (targets, jobs, settings). A damaged database fails
// with k_damaged and this connection refuses writes from then on.
Expected<void> quick_check(const Database& db, std::span<const std::string_view> tables = {});

}  // namespace pk::store
