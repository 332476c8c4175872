#include "fixture.hpp"
#include "maintain/demo.hpp"

#include "analyze/aggregate.hpp"
#include "store/db.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("maintain");

namespace {

// 2026-11-22 15:04:05.250 UTC.
const util::SysMicros k_now = util::from_epoch_us(1'795'359'845'250'000);

maintain::DemoOptions options(int targets, int days, util::Micros interval) {
  maintain::DemoOptions o;
  o.targets = targets;
  o.days = days;
  o.interval = interval;
  o.seed = 4;
  o.now = k_now;
  return o;
}

std::int64_t count(const store::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.step());
  return st.int64(0);
}

}  // namespace

TEST_CASE("demo: names") {
  CHECK(maintain::demo_names(options(3, 1, 1s)) == std::vector<std::string>{"demo-01", "demo-02", "demo-03"});
  auto o = options(100, 1, 1h);
  o.prefix = "lab";
  const auto names = maintain::demo_names(o);
  REQUIRE(names.size() == 100);
  CHECK(names.front() == "lab-001");
  CHECK(names.back() == "lab-100");
}

TEST_CASE("demo: options are validated") {
  CHECK(maintain::validate(options(12, 30, 1s)));
  CHECK(maintain::validate(options(10000, 1, 1h)));
  CHECK(maintain::validate(options(1, 3650, 1h)));
  CHECK(maintain::validate(options(1, 1, 1500ms)));
  struct Bad {
    maintain::DemoOptions o;
    std::string message;
  };
  auto prefixed = [](std::string prefix) {
    auto o = options(2, 1, 1s);
    o.prefix = std::move(prefix);
    return o;
  };
  const Bad bad[] = {
      {options(0, 1, 1s), "--targets must be 1 to 10000, not 0"},
      {options(10001, 1, 1h), "--targets must be 1 to 10000"},
      {options(1, 0, 1s), "--days must be 1 to 3650, not 0"},
      {options(1, 3651, 1h), "--days must be 1 to 3650"},
      {options(1, 1, 500ms), "--interval"},
      {options(1, 1, 25h), "--interval"},
      {options(1, 1, 1500ms + 1us), "--interval"},
      {options(40, 30, 1s), "the demo would write 103680000 samples, more than the 100000000 allowed"},
      {prefixed("a_b"), "invalid --prefix \"a_b\""},
      {prefixed(""), "invalid --prefix \"\""},
      {prefixed(std::string(61, 'a')), "at most 60 characters"},
  };
  for (const auto& b : bad) {
    auto ok = maintain::validate(b.o);
    REQUIRE_FALSE(ok);
    CHECK(ok.error().kind == ErrorKind::invalid_input);
    INFO(ok.error().message);
    CHECK(ok.error().message.find(b.message) != std::string::npos);
  }
}

TEST_CASE("demo: creates paused targets and their whole history") {
  test::TempDir dir;
  const auto path = dir.file("demo.db");
  auto o = options(3, 2, 10s);
  std::int64_t last_committed = -1;
  int calls = 0;
  auto report = maintain::make_demo(path, o, [&](const maintain::DemoProgress& p) {
    CHECK(p.total == 3 * 2 * 8640);
    CHECK(p.committed <= p.generated);
    CHECK(p.committed >= last_committed);
    last_committed = p.committed;
    ++calls;
    return true;
  });
  REQUIRE(report);
  CHECK(calls > 0);
  CHECK(last_committed == 3 * 2 * 8640);
  CHECK(report->samples == 3 * 2 * 8640);
  CHECK(report->end == util::from_epoch_us(1'795'359'840'000'000));  // now, rounded down to 10 s
  CHECK(report->start == report->end - 48h);

  auto db = store::Database::open(path);
  REQUIRE(db);
  // The rollups are built up to the pass's settle time before now.
  auto cov = store::rollups::coverage(*db);
  REQUIRE(cov);
  const auto settled = analyze::floor_to(k_now - maintain::RollupOptions{}.settle, 1min);
  CHECK(cov->watermark[1] == settled);
  CHECK(cov->watermark[2] == analyze::floor_to(settled, 1h));
  CHECK(cov->watermark[3] == analyze::floor_to(settled, 24h));
  const auto minutes = (settled - report->start) / 1min;
  CHECK(report->rollups.rows_written[1] == 3 * minutes);
  CHECK(count(*db, "SELECT count(*) FROM rollup_1m") == 3 * minutes);
  CHECK(count(*db, "SELECT sum(sent) FROM rollup_1m") == 3 * minutes * 6);
  // Partial buckets at the start count: 15:04 two days ago is in the 15:00 hour.
  const auto hours = (analyze::floor_to(settled, 1h) - analyze::floor_to(report->start, 1h)) / 1h;
  CHECK(hours == 48);
  CHECK(count(*db, "SELECT count(*) FROM rollup_1h") == 3 * hours);
  CHECK(count(*db, "SELECT count(*) FROM rollup_1d") == 3 * 2);
  CHECK(count(*db, "SELECT count(*) FROM rollup_dirty") == 0);
  auto targets = store::targets::list(*db);
  REQUIRE(targets);
  REQUIRE(targets->size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& t = (*targets)[k];
    const auto& r = report->targets[k];
    CHECK(t.name == "demo-0" + std::to_string(k + 1));
    CHECK(t.host == t.name + ".invalid");
    CHECK(t.paused);
    CHECK(t.interval == 10s);
    CHECK(t.description == "synthetic demo history");
    CHECK(r.target.id == t.id);
    CHECK(r.samples == 2 * 8640);
    CHECK(store::samples::count(*db, t.id) == 2 * 8640);
    store::samples::Query q;
    q.target_id = t.id;
    auto samples = store::samples::select(*db, q);
    REQUIRE(samples);
    CHECK(samples->front().ts >= report->start);
    CHECK(samples->back().ts < report->end);
    // The outages reported are in the database: every probe inside is lost.
    for (const auto& out : r.outages) {
      for (const auto& s : *samples) {
        if (out.start <= s.ts && s.ts < out.end) CHECK(s.status == core::SampleStatus::timeout);
      }
    }
  }
}

TEST_CASE("demo: a taken name changes nothing") {
  test::TempDir dir;
  const auto path = dir.file("demo.db");
  REQUIRE(maintain::make_demo(path, options(1, 1, 60s)));
  auto db = store::Database::open(path);
  REQUIRE(db);
  const auto before = count(*db, "SELECT count(*) FROM samples");

  auto again = maintain::make_demo(path, options(2, 1, 60s));
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == ErrorKind::invalid_input);
  CHECK(again.error().message.find("target \"demo-01\" already exists (1 of the 2 demo names are taken)") !=
        std::string::npos);
  CHECK(again.error().message.find("--prefix") != std::string::npos);
  CHECK(count(*db, "SELECT count(*) FROM targets") == 1);
  CHECK(count(*db, "SELECT count(*) FROM samples") == before);

  auto other = options(2, 1, 60s);
  other.prefix = "other";
  REQUIRE(maintain::make_demo(path, other));
  CHECK(count(*db, "SELECT count(*) FROM targets") == 3);
}

TEST_CASE("demo: a stop removes what was added") {
  test::TempDir dir;
  const auto path = dir.file("demo.db");
  REQUIRE(maintain::make_demo(path, options(1, 1, 60s)));
  auto o = options(2, 3, 1s);
  o.prefix = "big";
  auto stopped = maintain::make_demo(path, o, [](const maintain::DemoProgress& p) { return p.generated < 100000; });
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().kind == ErrorKind::io);
  CHECK(stopped.error().message.find("interrupted") != std::string::npos);
  auto db = store::Database::open(path);
  REQUIRE(db);
  CHECK(count(*db, "SELECT count(*) FROM targets") == 1);
  CHECK(count(*db, "SELECT count(*) FROM samples") == 1440);
}

TEST_CASE("demo: a database that refuses the samples gets nothing") {
  test::TempDir dir;
  const auto path = dir.file("demo.db");
  {
    auto db = store::Database::open(path);
    REQUIRE(db);
    db->exec("CREATE TRIGGER refuse BEFORE INSERT ON samples BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  }
  for (int days : {1, 3}) {  // fewer samples than one commit, and many commits' worth
    INFO("days: " << days);
    auto refused = maintain::make_demo(path, options(1, days, days == 1 ? 10s : 1s));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("refused by the test") != std::string::npos);
    auto db = store::Database::open(path);
    REQUIRE(db);
    CHECK(count(*db, "SELECT count(*) FROM targets") == 0);
  }
}
