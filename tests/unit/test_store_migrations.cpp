#include "fixture.hpp"

#include "store/db.hpp"
#include "store/migrations.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <utility>
#include <fstream>

using namespace pk;

TEST_SUITE_BEGIN("store");

namespace {

std::vector<std::string> tables(const store::Database& db) {
  auto st = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::string pragma_text(const store::Database& db, const char* pragma) {
  auto st = db.prepare(std::string("PRAGMA ") + pragma);
  REQUIRE(st.step());
  return st.text(0);
}

}  // namespace

TEST_CASE("a fresh database gets the whole data model") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  CHECK(db->user_version() == store::latest_schema_version());
  CHECK(store::latest_schema_version() >= 1);
  auto t = tables(*db);
  for (const char* name : {"targets", "jobs", "job_targets", "job_runs", "samples", "rollup_1m", "rollup_1h",
                           "rollup_1d", "traces", "trace_hops", "settings"}) {
    CAPTURE(name);
    CHECK(std::find(t.begin(), t.end(), name) != t.end());
  }
  CHECK(pragma_text(*db, "journal_mode") == "wal");
  CHECK(pragma_text(*db, "foreign_keys") == "1");
  CHECK(pragma_text(*db, "auto_vacuum") == "2");  // incremental

  SUBCASE("samples is WITHOUT ROWID keyed (target_id, ts)") {
    auto st = db->prepare("SELECT sql FROM sqlite_master WHERE name = 'samples'");
    REQUIRE(st.step());
    auto sql = st.text(0);
    CHECK(sql.find("WITHOUT ROWID") != std::string::npos);
    CHECK(sql.find("PRIMARY KEY (target_id, ts)") != std::string::npos);
    CHECK(sql.find("rtt_us") != std::string::npos);
  }
  SUBCASE("default retention settings exist") {
    auto st = db->prepare("SELECT value FROM settings WHERE key = 'retention.raw'");
    REQUIRE(st.step());
    CHECK(st.text(0) == "30d");
  }
}

TEST_CASE("reopening an up-to-date database changes nothing") {
  test::TempDir dir;
  {
    auto db = store::Database::open(dir.file("a.db"));
    REQUIRE(db);
    db->exec("INSERT INTO settings (key, value) VALUES ('probe', 'kept')");
  }
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  auto st = db->prepare("SELECT value FROM settings WHERE key = 'probe'");
  REQUIRE(st.step());
  CHECK(st.text(0) == "kept");
  CHECK(db->user_version() == store::latest_schema_version());
}

TEST_CASE("pending migrations apply in order, only once") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  int base = store::latest_schema_version();
  std::vector<store::Migration> all(store::embedded_migrations().begin(), store::embedded_migrations().end());
  all.push_back({base + 1, "add_a", "CREATE TABLE extra_a (x INTEGER);"});
  all.push_back({base + 2, "add_b", "INSERT INTO extra_a VALUES (42);"});
  REQUIRE(store::migrate(*db, all));
  CHECK(db->user_version() == base + 2);
  REQUIRE(store::migrate(*db, all));  // idempotent
  auto st = db->prepare("SELECT count(*), max(x) FROM extra_a");
  REQUIRE(st.step());
  CHECK(st.int64(0) == 1);
  CHECK(st.int64(1) == 42);
}

TEST_CASE("a failing migration rolls back every pending one") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  int base = store::latest_schema_version();
  std::vector<store::Migration> all(store::embedded_migrations().begin(), store::embedded_migrations().end());
  all.push_back({base + 1, "good", "CREATE TABLE extra_good (x INTEGER);"});
  all.push_back({base + 2, "bad", "CREATE TABLE broken (;"});
  auto r = store::migrate(*db, all);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::database);
  CHECK(r.error().message.find("_bad") != std::string::npos);
  CHECK(db->user_version() == base);
  auto st = db->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra_good'");
  REQUIRE(st.step());
  CHECK(st.int64(0) == 0);
}

TEST_CASE("a database newer than the binary is refused") {
  test::TempDir dir;
  {
    auto db = store::Database::open(dir.file("a.db"));
    REQUIRE(db);
    db->exec("PRAGMA user_version = 999");
  }
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE_FALSE(db);
  CHECK(db.error().kind == ErrorKind::database);
  CHECK(db.error().message.find("newer") != std::string::npos);
  CHECK(db.error().message.find("999") != std::string::npos);
}

TEST_CASE("open: missing folder, not a database") {
  test::TempDir dir;
  SUBCASE("a missing folder is an io error unless create_dirs") {
    auto db = store::Database::open(dir.file("no/such/a.db"));
    REQUIRE_FALSE(db);
    CHECK(db.error().kind == ErrorKind::io);
    CHECK(db.error().message.find("does not exist") != std::string::npos);
    CHECK(store::Database::open(dir.file("made/here/a.db"), true));
  }
  SUBCASE("a file that is not SQLite") {
    {
      std::ofstream f(dir.file("junk.db"));
      f << std::string(4096, 'x');
    }
    auto db = store::Database::open(dir.file("junk.db"));
    REQUIRE_FALSE(db);
    CHECK(db.error().kind == ErrorKind::database);
  }
}

TEST_CASE("transactions roll back unless committed") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  {
    store::Transaction tx(*db);
    db->exec("INSERT INTO settings (key, value) VALUES ('a', '1')");
  }
  {
    store::Transaction tx(*db);
    db->exec("INSERT INTO settings (key, value) VALUES ('b', '2')");
    tx.commit();
  }
  auto st = db->prepare("SELECT group_concat(key) FROM settings WHERE key IN ('a', 'b')");
  REQUIRE(st.step());
  CHECK(st.text(0) == "b");
}

TEST_CASE("statements bind and read every type, and report SQL errors") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  auto st = db->prepare("SELECT ?1, ?2, ?3, ?4");
  st.bind(1, std::int64_t{1} << 40).bind(2, 2.5).bind(3, "text").bind_null(4);
  REQUIRE(st.step());
  CHECK(st.int64(0) == (std::int64_t{1} << 40));
  CHECK(st.real(1) == doctest::Approx(2.5));
  CHECK(st.text(2) == "text");
  CHECK(st.is_null(3));
  CHECK_FALSE(st.opt_int64(3).has_value());
  CHECK_THROWS_AS(db->prepare("SELECT * FROM no_such_table"), store::SqlError);
  auto dup = [&] {
    db->exec("INSERT INTO settings (key, value) VALUES ('k', 'v')");
    db->exec("INSERT INTO settings (key, value) VALUES ('k', 'v')");
  };
  try {
    dup();
    FAIL("expected a constraint error");
  } catch (const store::SqlError& e) {
    CHECK(e.is_constraint());
  }
}

TEST_SUITE_END();

TEST_CASE("a ReadSnapshot sees one state while other connections commit") {
  test::TempDir dir;
  auto reader = store::Database::open(dir.file("a.db"));
  auto writer = store::Database::open(dir.file("a.db"));
  REQUIRE(reader);
  REQUIRE(writer);
  auto settings = [&] {
    auto st = reader->prepare("SELECT count(*) FROM settings");
    st.step();
    return st.int64(0);
  };
  const auto before = settings();
  {
    auto snapshot = store::ReadSnapshot::begin(*reader);
    REQUIRE(snapshot);
    CHECK(settings() == before);  // the first read fixes the snapshot
    writer->exec("INSERT INTO settings (key, value) VALUES ('test.key', '1')");
    CHECK(settings() == before);  // committed elsewhere, not seen
    auto moved = std::move(*snapshot);
    CHECK(settings() == before);  // a move keeps the one transaction
  }
  CHECK(settings() == before + 1);  // ended: the new row is seen
  writer->exec("INSERT INTO settings (key, value) VALUES ('test.key2', '1')");  // and writers were never blocked
  CHECK(settings() == before + 2);
}
