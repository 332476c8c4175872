#include "maintain/clock_guard.hpp"
#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"
#include "maintain_fixture.hpp"

#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/settings.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using analyze::Tier;
using store::settings::Retention;
using test::k_midnight;

TEST_SUITE_BEGIN("maintain");

namespace {

const util::SysMicros k_oldest = util::from_epoch_us(INT64_MIN);
const util::SysMicros k_forever = util::from_epoch_us(INT64_MAX);

Retention applied(const Retention& current, std::vector<std::string> args) {
  auto r = maintain::apply_retention_args(current, args);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
  return *r;
}

std::string refused(std::vector<std::string> args) {
  auto r = maintain::apply_retention_args(store::settings::default_retention(), args);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::invalid_input);
  return r.error().message;
}

std::string us(util::SysMicros t) { return std::to_string(util::to_epoch_us(t)); }

std::int64_t checkpointed_size(const store::Database& db) {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return static_cast<std::int64_t>(std::filesystem::file_size(db.path()));
}

}  // namespace

TEST_CASE("retention: defaults, storage and texts") {
  test::RollupDb f(0);
  auto r = store::settings::retention(f.db);
  REQUIRE(r);
  CHECK(*r == store::settings::default_retention());
  CHECK((*r)[0] == std::chrono::days{30});
  CHECK((*r)[2] == std::chrono::days{1825});
  CHECK_FALSE((*r)[3]);
  Retention changed{util::Micros{2h}, std::chrono::days{14}, std::chrono::days{730}, std::chrono::days{3650}};
  REQUIRE(store::settings::set_retention(f.db, changed));
  CHECK(*store::settings::retention(f.db) == changed);
  CHECK(*store::settings::get(f.db, "retention.raw") == "2h");
  CHECK(*store::settings::get(f.db, "retention.1m") == "14d");
  CHECK(*store::settings::get(f.db, "retention.1h") == "2y");
  CHECK(*store::settings::get(f.db, "retention.1d") == "10y");
  CHECK(store::settings::keep_text(std::nullopt) == "forever");
  CHECK(store::settings::keep_text(util::Micros{90min}) == "1h30m");
  REQUIRE(store::settings::set(f.db, "retention.1m", "soon"));
  auto bad = store::settings::retention(f.db);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::database);
  CHECK(bad.error().message.find("retention.1m") != std::string::npos);
}

TEST_CASE("retention: set arguments") {
  const auto defaults = store::settings::default_retention();
  auto r = applied(defaults, {"raw=7d", "1d=10y"});
  CHECK(r[0] == std::chrono::days{7});
  CHECK(r[1] == defaults[1]);
  CHECK(r[2] == defaults[2]);
  CHECK(r[3] == std::chrono::days{3650});
  r = applied(defaults, {"1h=forever"});
  CHECK_FALSE(r[2]);
  r = applied(defaults, {"raw=1h", "1m=1h", "1h=1d", "1d=1d"});
  CHECK(r[3] == std::chrono::days{1});
  CHECK(refused({"raw"}).find("expected TIER=KEEP") != std::string::npos);
  CHECK(refused({"5m=1d"}).find("unknown tier \"5m\"") != std::string::npos);
  CHECK(refused({"raw=7d", "raw=8d"}).find("raw given twice") != std::string::npos);
  CHECK(refused({"raw=7 days"}).find("invalid duration") != std::string::npos);
  CHECK(refused({"raw="}).find("invalid duration") != std::string::npos);
  CHECK(refused({"raw=0"}).find("at least 1h") != std::string::npos);
  CHECK(refused({"raw=-1d"}).find("sign") != std::string::npos);
  CHECK(refused({"raw=59m"}).find("at least 1h") != std::string::npos);
  CHECK(refused({"1h=23h"}).find("at least 1d") != std::string::npos);
  CHECK(refused({"raw=100d"}).find("1m would be kept shorter than raw (90d < 100d)") != std::string::npos);
  CHECK(refused({"raw=forever"}).find("shorter than raw") != std::string::npos);
  CHECK(refused({"1d=1y"}).find("1d would be kept shorter than 1h (1y < 5y)") != std::string::npos);
}

TEST_CASE("prune: without rollups nothing is pruned") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, k_midnight + 3h, 10s, 1));
  REQUIRE(store::settings::set_retention(f.db, {util::Micros{1h}, util::Micros{1h}, util::Micros{24h}, {}}));
  auto report = maintain::prune(f.db, k_midnight + 30 * 24h);
  REQUIRE(report);
  CHECK(report->rows_deleted == std::array<std::int64_t, 4>{});
  CHECK(report->horizon == std::array<std::optional<util::SysMicros>, 4>{});
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM samples") == 3 * 360);
}

TEST_CASE("prune: expired rows go, newer data is untouched, horizons are recorded") {
  test::RollupDb f(2);
  const auto end = k_midnight + 10 * 24h;
  for (std::size_t i = 0; i < f.ids.size(); ++i) {
    test::insert(f.db, test::make_samples(f.ids[i], k_midnight, end, 60s, static_cast<std::uint32_t>(i)));
  }
  const auto now = end + 5min;
  REQUIRE(maintain::run_rollup(f.db, now));
  auto rows_from = [&](Tier tier, util::SysMicros from) {
    std::vector<store::rollups::Row> out;
    for (auto id : f.ids) {
      auto rows = store::rollups::range(f.db, tier, id, from, k_forever);
      REQUIRE(rows);
      out.insert(out.end(), rows->begin(), rows->end());
    }
    return out;
  };
  const Retention keep{util::Micros{2 * 24h}, util::Micros{4 * 24h}, util::Micros{6 * 24h}, util::Micros{8 * 24h}};
  REQUIRE(store::settings::set_retention(f.db, keep));
  std::array<util::SysMicros, 4> cut{};
  cut[0] = analyze::floor_to(now - 2 * 24h, 1min);
  cut[1] = analyze::floor_to(now - 4 * 24h, 1min);
  cut[2] = analyze::floor_to(now - 6 * 24h, 1h);
  cut[3] = analyze::floor_to(now - 8 * 24h, 24h);
  const auto samples_kept = test::count_rows(f.db, "SELECT count(*) FROM samples WHERE ts >= " + us(cut[0]));
  const auto samples_all = test::count_rows(f.db, "SELECT count(*) FROM samples");
  std::array<std::vector<store::rollups::Row>, 4> kept;
  std::array<std::int64_t, 4> all{};
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    auto i = static_cast<std::size_t>(tier);
    kept[i] = rows_from(tier, cut[i]);
    all[i] = static_cast<std::int64_t>(rows_from(tier, k_oldest).size());
  }
  std::vector<std::string> stages;
  auto report = maintain::prune(f.db, now, [&](std::string_view stage, double) {
    if (stages.empty() || stages.back() != stage) stages.emplace_back(stage);
  });
  REQUIRE(report);
  CHECK(stages == std::vector<std::string>{"prune raw", "prune 1m", "prune 1h", "prune 1d"});
  CHECK(report->rows_deleted[0] == samples_all - samples_kept);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM samples") == samples_kept);
  CHECK(test::count_rows(f.db, "SELECT min(ts) FROM samples") >= util::to_epoch_us(cut[0]));
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    auto i = static_cast<std::size_t>(tier);
    CAPTURE(i);
    CHECK(rows_from(tier, k_oldest) == kept[i]);
    CHECK(report->rows_deleted[i] == all[i] - static_cast<std::int64_t>(kept[i].size()));
    CHECK(report->rows_deleted[i] > 0);
  }
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(report->horizon[i] == cut[i]);
    CHECK(cov->horizon[i] == cut[i]);
  }
  // Again: nothing more to do.
  auto again = maintain::prune(f.db, now);
  REQUIRE(again);
  CHECK(again->rows_deleted == std::array<std::int64_t, 4>{});
}

TEST_CASE("prune: never above the next tier's watermark or its pending marks") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, k_midnight + 4 * 24h, 60s, 7));
  // Rolled up to the end of day 1 only.
  REQUIRE(maintain::run_rollup(f.db, k_midnight + 24h + 90s));
  REQUIRE(store::settings::set_retention(f.db, {util::Micros{1h}, util::Micros{1h}, util::Micros{24h}, {}}));
  SUBCASE("the 1m watermark") {
    auto report = maintain::prune(f.db, k_midnight + 4 * 24h);
    REQUIRE(report);
    CHECK(report->horizon[0] == k_midnight + 24h);
    CHECK(test::count_rows(f.db, "SELECT min(ts) FROM samples") == util::to_epoch_us(k_midnight + 24h));
    // 1m rows are pruned up to the 1h watermark (also the end of day 1).
    CHECK(report->horizon[1] == k_midnight + 24h);
    // 1h rows: up to the 1d watermark (the end of day 1 too); 1d rows are kept forever.
    CHECK(report->horizon[2] == k_midnight + 24h);
    CHECK_FALSE(report->horizon[3]);
    CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1d") == 1);
  }
  SUBCASE("a pending mark: what recomputing it and its coarser buckets needs stays") {
    core::Sample late;
    late.target_id = f.ids[0];
    late.ts = k_midnight + 5h + 30s;
    late.rtt = util::Micros{777777};
    REQUIRE(store::samples::insert_batch(f.db, std::span(&late, 1)));
    auto day_before = store::rollups::range(f.db, Tier::d1, f.ids[0], k_midnight, k_midnight + 24h);
    REQUIRE(day_before);
    REQUIRE(day_before->size() == 1);
    auto report = maintain::prune(f.db, k_midnight + 4 * 24h);
    REQUIRE(report);
    CHECK(report->horizon[0] == k_midnight + 5h);
    CHECK(report->horizon[1] == k_midnight + 5h);
    CHECK(report->horizon[2] == k_midnight);
    CHECK(test::count_rows(f.db, "SELECT min(ts) FROM samples") == util::to_epoch_us(k_midnight + 5h));
    CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty") == 1);
    auto pass = maintain::run_rollup(f.db, k_midnight + 24h + 90s);
    REQUIRE(pass);
    CHECK(pass->dirty_handled == std::array<std::int64_t, 4>{0, 1, 1, 1});
    auto day = store::rollups::range(f.db, Tier::d1, f.ids[0], k_midnight, k_midnight + 24h);
    REQUIRE(day);
    REQUIRE(day->size() == 1);
    CHECK(day->front().aggregate.summary.sent() == day_before->front().aggregate.summary.sent() + 1);
    CHECK(day->front().aggregate.summary.max() == 777777.0);
  }
}

TEST_CASE("prune: dirty marks below the horizons are dropped") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, k_midnight + 4 * 24h, 60s, 8));
  const auto now = k_midnight + 4 * 24h;
  REQUIRE(maintain::run_rollup(f.db, now));
  REQUIRE(store::settings::set_retention(f.db, {util::Micros{24h}, util::Micros{48h}, util::Micros{72h}, {}}));
  REQUIRE(maintain::prune(f.db, now));
  // Marks left behind by an interrupted pass, below and above the horizons.
  REQUIRE(store::rollups::mark(f.db, Tier::h1, {f.ids[0], k_midnight + 2h}));   // below the 1m horizon
  REQUIRE(store::rollups::mark(f.db, Tier::d1, {f.ids[0], k_midnight}));        // below the 1h horizon
  REQUIRE(store::rollups::mark(f.db, Tier::h1, {f.ids[0], k_midnight + 80h}));  // served
  auto report = maintain::prune(f.db, now + 1h);
  REQUIRE(report);
  CHECK(report->marks_dropped == 2);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty") == 1);
  CHECK(test::count_rows(f.db, "SELECT bucket FROM rollup_dirty") == util::to_epoch_us(k_midnight + 80h));
}

TEST_CASE("prune: at steady state the database file stops growing") {
  test::RollupDb f(4);
  REQUIRE(store::settings::set_retention(f.db,
                                         {util::Micros{24h}, util::Micros{24h}, util::Micros{48h}, util::Micros{48h}}));
  std::vector<std::int64_t> sizes;
  for (std::uint32_t day = 0; day < 10; ++day) {
    const auto from = k_midnight + day * 24h;
    for (std::size_t i = 0; i < f.ids.size(); ++i) {
      test::insert(f.db, test::make_samples(f.ids[i], from, from + 24h, 10s, static_cast<std::uint32_t>(day * 10 + i)));
    }
    const auto now = from + 24h + 5min;
    REQUIRE(maintain::run_rollup(f.db, now));
    REQUIRE(maintain::prune(f.db, now));
    sizes.push_back(checkpointed_size(f.db));
  }
  CAPTURE(sizes);
  // Without pruning, every day would add what the first one did.
  const auto one_day = sizes[1] - sizes[0];
  CHECK(one_day > static_cast<std::int64_t>(f.ids.size()) * 8640 * 20);
  // Beyond the first fill (1 day kept, 1 arriving): B-tree slack, less than a tenth of a day.
  for (std::size_t i = 2; i < sizes.size(); ++i) CHECK(sizes[i] <= sizes[1] + one_day / 10);
  // And then no growth at all, allowing a few pages.
  for (std::size_t i = 7; i < sizes.size(); ++i) CHECK(sizes[i] <= sizes[6] + 8 * 4096);
}

TEST_CASE("clock guard: maintenance never acts past the newest stored data") {
  using maintain::judge_clock;
  const auto newest = k_midnight + 10 * 24h;
  auto c = judge_clock(newest + 1min, newest);  // a collector writing now
  CHECK(c.now == newest + 1min);
  CHECK_FALSE(c.far_ahead);
  c = judge_clock(newest + 3h, newest);  // collection stopped 3 h ago: capped, not refused
  CHECK(c.now == newest + maintain::k_clock_margin);
  CHECK_FALSE(c.far_ahead);
  c = judge_clock(newest + 40 * 24h, newest);  // the clock 40 days ahead
  CHECK(c.now == newest + maintain::k_clock_margin);
  CHECK(c.far_ahead);
  c = judge_clock(newest - 1h, newest);  // a clock behind is taken as it is
  CHECK(c.now == newest - 1h);
  c = judge_clock(newest, std::nullopt);  // no data: nothing to lose
  CHECK(c.now == newest);
  CHECK_FALSE(c.far_ahead);
}

TEST_CASE("clock guard: a clock 40 days ahead prunes and rolls up nothing that is not old") {
  test::RollupDb f(1);
  const auto end = k_midnight + 3 * 24h;
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, end, 60s, 1));
  const auto before = *store::samples::count(f.db, f.ids[0]);
  REQUIRE(store::settings::set_retention(
      f.db, Retention{util::Micros{30 * 24h}, util::Micros{90 * 24h}, util::Micros{1825 * 24h}, std::nullopt}));
  auto clock = maintain::check_clock(f.db, end + 40 * 24h);
  REQUIRE(clock);
  CHECK(clock->far_ahead);
  REQUIRE(clock->newest);
  CHECK(*clock->newest == end - 60s);
  REQUIRE(maintain::run_rollup(f.db, clock->now));
  REQUIRE(maintain::prune(f.db, clock->now));
  CHECK(*store::samples::count(f.db, f.ids[0]) == before);  // the clock's own now would have deleted them all
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  REQUIRE(cov->watermark[1]);
  CHECK(*cov->watermark[1] <= end + maintain::k_clock_margin);  // not 40 days in the future
  const auto refusal = maintain::clock_refusal(*clock).message;
  CHECK(refusal.find("past the newest stored data") != std::string::npos);
  CHECK(refusal.find(util::format_duration(40 * 24h + 60s)) != std::string::npos);
}

TEST_CASE("vacuum: gives pruned pages back to the file system") {
  test::RollupDb f(2);
  for (auto id : f.ids) test::insert(f.db, test::make_samples(id, k_midnight, k_midnight + 3 * 24h, 10s, 9));
  const auto now = k_midnight + 3 * 24h + 5min;
  REQUIRE(maintain::run_rollup(f.db, now));
  REQUIRE(store::settings::set_retention(f.db, {util::Micros{24h}, util::Micros{24h}, util::Micros{48h}, {}}));
  REQUIRE(maintain::prune(f.db, now));
  const auto before = checkpointed_size(f.db);
  std::vector<double> fractions;
  auto report = maintain::vacuum(f.db, [&](std::string_view stage, double fraction) {
    CHECK(stage == "vacuum");
    fractions.push_back(fraction);
  });
  REQUIRE(report);
  CHECK(report->pages_freed > 0);
  CHECK(report->bytes_freed == report->pages_freed * 4096);
  const auto after = checkpointed_size(f.db);
  CHECK(after == before - report->bytes_freed);
  REQUIRE_FALSE(fractions.empty());
  CHECK(fractions.back() == doctest::Approx(1.0));
  auto again = maintain::vacuum(f.db);
  REQUIRE(again);
  CHECK(again->pages_freed == 0);
}

TEST_SUITE_END();
