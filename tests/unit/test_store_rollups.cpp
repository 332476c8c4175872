#include "fixture.hpp"

#include "analyze/aggregate.hpp"
#include "store/db.hpp"
#include "store/rollups.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

using namespace pk;
using namespace std::chrono_literals;
using analyze::Tier;

TEST_SUITE_BEGIN("store");

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'040'000'000);

// n samples from k_t0 on at irregular times (so the answer gaps vary).
analyze::Aggregate random_aggregate(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> rtt(std::log(30000.0), 0.5);
  std::bernoulli_distribution lost(0.1);
  std::uniform_int_distribution<std::int64_t> step(1, 2'000'000);
  analyze::Aggregate a;
  core::Sample s;
  s.ts = k_t0;
  for (std::size_t i = 0; i < n; ++i) {
    s.ts += util::Micros{step(rng)};
    s.status = lost(rng) ? core::SampleStatus::timeout : core::SampleStatus::ok;
    s.rtt.reset();
    if (s.status == core::SampleStatus::ok) s.rtt = util::Micros{std::llround(rtt(rng))};
    a.add(s);
  }
  return a;
}

struct Fixture {
  test::TempDir dir;
  store::Database db = *store::Database::open(dir.file("a.db"));
};

}  // namespace

TEST_CASE("rollups: rows round-trip every part, per tier, oldest first within [from, to)") {
  Fixture f;
  std::vector<store::rollups::Row> rows;
  for (int i = 0; i < 5; ++i) {
    rows.push_back({7, k_t0 + std::chrono::minutes(4 - i), random_aggregate(60, static_cast<std::uint32_t>(i))});
  }
  analyze::Aggregate all_lost;
  core::Sample timeout;
  timeout.ts = k_t0;
  timeout.status = core::SampleStatus::timeout;
  all_lost.add(timeout);
  timeout.ts += 1s;
  all_lost.add(timeout);
  rows.push_back({8, k_t0, all_lost});
  analyze::Aggregate zero;  // one answer: first = last, no gap
  core::Sample answer;
  answer.ts = k_t0 + 30s;
  answer.rtt = 0us;
  zero.add(answer);
  rows.push_back({9, k_t0, zero});
  for (const auto& row : rows) CHECK(row.aggregate.answers.any() == (row.target_id != 8));
  CHECK(rows[0].aggregate.answers.max_gap > 0s);
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    CAPTURE(analyze::to_string(tier));
    REQUIRE(store::rollups::upsert(f.db, tier, rows));
    auto got = store::rollups::range(f.db, tier, 7, k_t0, k_t0 + 5min);
    REQUIRE(got);
    REQUIRE(got->size() == 5);
    for (int i = 0; i < 5; ++i) CHECK((*got)[static_cast<std::size_t>(i)] == rows[static_cast<std::size_t>(4 - i)]);
    auto part = store::rollups::range(f.db, tier, 7, k_t0 + 1min, k_t0 + 3min);
    REQUIRE(part);
    REQUIRE(part->size() == 2);
    CHECK(part->front().bucket == k_t0 + 1min);
    CHECK(part->back().bucket == k_t0 + 2min);
    auto lost = store::rollups::range(f.db, tier, 8, k_t0, k_t0 + 1min);
    REQUIRE(lost);
    REQUIRE(lost->size() == 1);
    CHECK(lost->front() == rows[5]);
    auto z = store::rollups::range(f.db, tier, 9, k_t0, k_t0 + 1min);
    REQUIRE(z);
    REQUIRE(z->size() == 1);
    CHECK(z->front() == rows[6]);
  }
  auto other = store::rollups::range(f.db, Tier::m1, 7, k_t0 + 5min, k_t0 + 10min);
  REQUIRE(other);
  CHECK(other->empty());
}

TEST_CASE("rollups: upsert replaces a row with the same key") {
  Fixture f;
  std::vector<store::rollups::Row> first{{1, k_t0, random_aggregate(30, 1)}};
  std::vector<store::rollups::Row> second{{1, k_t0, random_aggregate(40, 2)}};
  REQUIRE(store::rollups::upsert(f.db, Tier::m1, first));
  REQUIRE(store::rollups::upsert(f.db, Tier::m1, second));
  auto got = store::rollups::range(f.db, Tier::m1, 1, k_t0, k_t0 + 1min);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK(got->front() == second.front());
}

TEST_CASE("rollups: the sketch is stored as a blob") {
  Fixture f;
  std::vector<store::rollups::Row> rows{{1, k_t0, random_aggregate(30, 1)}};
  REQUIRE(store::rollups::upsert(f.db, Tier::h1, rows));
  auto st = f.db.prepare("SELECT typeof(sketch), length(sketch) FROM rollup_1h");
  REQUIRE(st.step());
  CHECK(st.text(0) == "blob");
  CHECK(static_cast<std::size_t>(st.int64(1)) == rows[0].aggregate.sketch.serialize().size());
}

TEST_CASE("rollups: raw has no rollup table") {
  Fixture f;
  auto r = store::rollups::range(f.db, Tier::raw, 1, k_t0, k_t0 + 1min);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::invalid_input);
  CHECK_FALSE(store::rollups::upsert(f.db, Tier::raw, {}));
  CHECK_FALSE(store::rollups::set_watermark(f.db, Tier::raw, k_t0));
}

TEST_CASE("rollups: a corrupt row is a database error") {
  Fixture f;
  std::vector<store::rollups::Row> rows{{1, k_t0, random_aggregate(30, 1)}};
  REQUIRE(store::rollups::upsert(f.db, Tier::m1, rows));
  auto expect_corrupt = [&](const char* sql) {
    CAPTURE(sql);
    REQUIRE(store::rollups::upsert(f.db, Tier::m1, rows));
    f.db.exec(sql);
    auto r = store::rollups::range(f.db, Tier::m1, 1, k_t0, k_t0 + 1min);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::database);
    CHECK(r.error().message.find("rollup_1m") != std::string::npos);
  };
  expect_corrupt("UPDATE rollup_1m SET sketch = x'ff00'");
  expect_corrupt("UPDATE rollup_1m SET sketch = x''");
  expect_corrupt("UPDATE rollup_1m SET received = sent + 1");
  expect_corrupt("UPDATE rollup_1m SET received = received - 1");
  expect_corrupt("UPDATE rollup_1m SET rtt_min = rtt_max + 1");
  expect_corrupt("UPDATE rollup_1m SET rtt_mean = NULL");
  expect_corrupt("UPDATE rollup_1m SET sent = -1");
  expect_corrupt("UPDATE rollup_1m SET jitter_count = received");
  expect_corrupt("UPDATE rollup_1m SET ok_count = sent + 1");
  expect_corrupt("UPDATE rollup_1m SET ok_count = 0");
  expect_corrupt("UPDATE rollup_1m SET ok_first = NULL");
  expect_corrupt("UPDATE rollup_1m SET ok_last = ok_first - 1");
  expect_corrupt("UPDATE rollup_1m SET ok_gap_max = ok_last - ok_first + 1");
  expect_corrupt("UPDATE rollup_1m SET ok_gap_max = -1");
}

TEST_CASE("rollups: answer gaps are stored as µs, NULL without answers") {
  Fixture f;
  analyze::Aggregate lost;
  core::Sample s;
  s.ts = k_t0;
  s.status = core::SampleStatus::timeout;
  lost.add(s);
  std::vector<store::rollups::Row> rows{{1, k_t0, random_aggregate(30, 1)}, {2, k_t0, lost}};
  REQUIRE(store::rollups::upsert(f.db, Tier::d1, rows));
  const auto& a = rows[0].aggregate.answers;
  auto st = f.db.prepare("SELECT ok_first, ok_last, ok_gap_max, ok_count FROM rollup_1d ORDER BY target_id");
  REQUIRE(st.step());
  CHECK(st.opt_int64(0) == util::to_epoch_us(*a.first));
  CHECK(st.opt_int64(1) == util::to_epoch_us(*a.last));
  CHECK(st.int64(2) == a.max_gap.count());
  CHECK(st.int64(3) == a.count);
  CHECK(a.count > 0);
  REQUIRE(st.step());
  CHECK(st.is_null(0));
  CHECK(st.is_null(1));
  CHECK(st.int64(2) == 0);
  CHECK(st.int64(3) == 0);
}

TEST_CASE("rollups: coverage reads watermarks and horizons; set_watermark(nullopt) clears") {
  Fixture f;
  auto c = store::rollups::coverage(f.db);
  REQUIRE(c);
  CHECK(*c == store::rollups::Coverage{});
  REQUIRE(store::rollups::set_watermark(f.db, Tier::m1, k_t0));
  REQUIRE(store::rollups::set_watermark(f.db, Tier::h1, k_t0 - 1h));
  REQUIRE(store::rollups::set_watermark(f.db, Tier::d1, util::from_epoch_us(-86'400'000'000)));
  REQUIRE(store::rollups::set_horizon(f.db, Tier::raw, k_t0 - 30 * 24h));
  REQUIRE(store::rollups::set_horizon(f.db, Tier::h1, k_t0 - 365 * 24h));
  c = store::rollups::coverage(f.db);
  REQUIRE(c);
  CHECK_FALSE(c->watermark[0]);
  CHECK(c->watermark[1] == k_t0);
  CHECK(c->watermark[2] == k_t0 - 1h);
  CHECK(c->watermark[3] == util::from_epoch_us(-86'400'000'000));
  CHECK(c->horizon[0] == k_t0 - 30 * 24h);
  CHECK_FALSE(c->horizon[1]);
  CHECK(c->horizon[2] == k_t0 - 365 * 24h);
  CHECK_FALSE(c->horizon[3]);
  auto st = f.db.prepare("SELECT value FROM settings WHERE key = 'rollup.watermark.1m'");
  REQUIRE(st.step());
  CHECK(st.text(0) == std::to_string(util::to_epoch_us(k_t0)));
  REQUIRE(store::rollups::set_watermark(f.db, Tier::m1, std::nullopt));
  c = store::rollups::coverage(f.db);
  REQUIRE(c);
  CHECK_FALSE(c->watermark[1]);
  CHECK(c->watermark[2] == k_t0 - 1h);
}

TEST_CASE("rollups: a malformed setting is a database error") {
  Fixture f;
  f.db.exec("INSERT INTO settings (key, value) VALUES ('horizon.1m', '12x')");
  auto c = store::rollups::coverage(f.db);
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::database);
  CHECK(c.error().message.find("horizon.1m") != std::string::npos);
}

TEST_SUITE_END();
