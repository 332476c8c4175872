#include "fixture.hpp"

#include "core/target.hpp"
#include "store/db.hpp"
#include "store/jobs.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("store");

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'000'000'000);

core::Target make(const std::string& host, const std::string& name = "") {
  core::TargetPatch p;
  if (!name.empty()) p.name = name;
  auto t = core::make_target(host, p);
  REQUIRE(t);
  return *t;
}

std::int64_t count(const store::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.step());
  return st.int64(0);
}

}  // namespace

TEST_CASE("targets: add, find, list") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  auto added = store::targets::add(*db, {make("127.0.0.1", "lo"), make("::1")}, k_t0);
  REQUIRE(added);
  REQUIRE(added->size() == 2);
  CHECK((*added)[0].id > 0);
  CHECK((*added)[0].created_at == k_t0);
  CHECK((*added)[1].name == "::1");

  auto by_name = store::targets::find(*db, "lo");
  REQUIRE(by_name);
  CHECK(by_name->host == "127.0.0.1");
  CHECK(by_name->interval == 1s);
  auto by_id = store::targets::find(*db, std::to_string((*added)[1].id));
  REQUIRE(by_id);
  CHECK(by_id->name == "::1");

  auto missing = store::targets::find(*db, "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::not_found);
  CHECK(missing.error().message.find("\"nope\"") != std::string::npos);

  auto all = store::targets::list(*db);
  REQUIRE(all);
  CHECK(all->size() == 2);
}

TEST_CASE("targets: every field round-trips") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  core::TargetPatch p;
  p.name = "web";
  p.probe = core::ProbeKind::tcp;
  p.port = 8443;
  p.interval = 250ms;
  p.timeout = 2s;
  p.payload_size = 1200;
  p.family = core::Family::v6;
  p.paused = true;
  p.job_only = true;
  p.description = "front \"door\"";
  p.set_tags = {{"site", "fra"}, {"role", "edge"}};
  auto t = core::make_target("www.example.org", p);
  REQUIRE(t);
  REQUIRE(store::targets::add(*db, {*t}, k_t0));
  auto back = store::targets::find(*db, "web");
  REQUIRE(back);
  CHECK(back->probe == core::ProbeKind::tcp);
  CHECK(back->port == 8443);
  CHECK(back->interval == 250ms);
  CHECK(back->timeout == 2s);
  CHECK(back->payload_size == 1200);
  CHECK(back->family == core::Family::v6);
  CHECK(back->paused);
  CHECK(back->job_only);
  CHECK(back->description == "front \"door\"");
  CHECK(back->tags == core::Tags{{"role", "edge"}, {"site", "fra"}});
}

TEST_CASE("targets: add is all or nothing") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  REQUIRE(store::targets::add(*db, {make("10.0.0.1", "a")}, k_t0));

  SUBCASE("a taken name") {
    std::vector<std::string> labels{"line 1", "line 2"};
    auto r = store::targets::add(*db, {make("10.0.0.2", "b"), make("10.0.0.3", "a")}, k_t0, labels);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
    CHECK(r.error().message.find("line 2: ") == 0);
    CHECK(r.error().message.find("already exists") != std::string::npos);
  }
  SUBCASE("a name repeated in the batch") {
    auto r = store::targets::add(*db, {make("10.0.0.2", "b"), make("10.0.0.3", "b")}, k_t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("twice") != std::string::npos);
  }
  CHECK(count(*db, "SELECT count(*) FROM targets") == 1);
}

TEST_CASE("targets: edit, pause, resume") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  REQUIRE(store::targets::add(*db, {make("10.0.0.1", "a"), make("10.0.0.2", "b")}, k_t0));

  core::TargetPatch rename;
  rename.name = "b";
  auto clash = store::targets::edit(*db, "a", rename, k_t0 + 1s);
  REQUIRE_FALSE(clash);
  CHECK(clash.error().kind == ErrorKind::invalid_input);

  core::TargetPatch p;
  p.interval = 5s;
  p.name = "alpha";
  auto edited = store::targets::edit(*db, "a", p, k_t0 + 1s);
  REQUIRE(edited);
  CHECK(edited->updated_at == k_t0 + 1s);
  CHECK(store::targets::find(*db, "alpha")->interval == 5s);

  std::vector<std::string> refs{"alpha", "b"};
  auto paused = store::targets::set_paused(*db, refs, true, k_t0 + 2s);
  REQUIRE(paused);
  CHECK(count(*db, "SELECT count(*) FROM targets WHERE paused = 1") == 2);

  std::vector<std::string> with_unknown{"alpha", "nosuch"};
  auto bad = store::targets::set_paused(*db, with_unknown, false, k_t0 + 3s);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::not_found);
  CHECK(count(*db, "SELECT count(*) FROM targets WHERE paused = 1") == 2);  // nothing changed
}

TEST_CASE("targets: rm deletes data, rm --keep-data retires") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("a.db"));
  REQUIRE(db);
  auto added = store::targets::add(*db, {make("10.0.0.1", "a"), make("10.0.0.2", "b")}, k_t0);
  REQUIRE(added);
  auto a = (*added)[0].id;
  auto b = (*added)[1].id;
  db->exec(
      fmt::format("INSERT INTO samples (target_id, ts, rtt_us) VALUES ({0}, 1, 100), ({0}, 2, NULL), "
                  "({1}, 1, 200)",
                  a, b));
  core::JobPatch jp;
  jp.name = "j";
  jp.targets = std::vector<std::string>{"a", "b"};
  REQUIRE(store::jobs::add(*db, jp, k_t0));

  auto removed = store::targets::remove(*db, "a", false, k_t0 + 1s);
  REQUIRE(removed);
  CHECK(removed->samples_deleted == 2);
  CHECK(removed->jobs == std::vector<std::string>{"j"});
  CHECK(count(*db, fmt::format("SELECT count(*) FROM samples WHERE target_id = {}", a)) == 0);
  CHECK(count(*db, fmt::format("SELECT count(*) FROM samples WHERE target_id = {}", b)) == 1);
  CHECK(count(*db, "SELECT count(*) FROM job_targets") == 1);

  // b is now the last target of job j: refused, nothing changed.
  auto last = store::targets::remove(*db, "b", true, k_t0 + 2s);
  REQUIRE_FALSE(last);
  CHECK(last.error().kind == ErrorKind::invalid_input);
  CHECK(last.error().message.find("only target of job \"j\"") != std::string::npos);
  CHECK(count(*db, "SELECT count(*) FROM job_targets") == 1);
  REQUIRE(store::jobs::remove(*db, "j"));

  auto retired = store::targets::remove(*db, "b", true, k_t0 + 2s);
  REQUIRE(retired);
  CHECK(retired->target.removed_at == k_t0 + 2s);
  CHECK(count(*db, fmt::format("SELECT count(*) FROM samples WHERE target_id = {}", b)) == 1);
  CHECK(store::targets::list(*db)->empty());
  CHECK(store::targets::list(*db, true)->size() == 1);
  CHECK_FALSE(store::targets::find(*db, "b"));
  // The name is free again.
  CHECK(store::targets::add(*db, {make("10.0.0.9", "b")}, k_t0 + 3s));
}

TEST_SUITE_END();
