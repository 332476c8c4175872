#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"
#include "maintain_fixture.hpp"

#include "store/settings.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using analyze::Tier;
using test::k_midnight;

TEST_SUITE_BEGIN("maintain");

namespace {

const util::SysMicros k_begin = k_midnight - 3h;
const util::SysMicros k_end = k_midnight + 48h + 5h;
const util::SysMicros k_now = k_end + 10min;
const util::SysMicros k_forever = util::from_epoch_us(INT64_MAX);

struct Filled : test::RollupDb {
  Filled() {
    test::insert(db, test::make_samples(ids[0], k_begin, k_end, 7s, 1));
    test::insert(db, test::make_samples(ids[1], k_begin + 1h + 3s, k_end, 13s, 2));
  }
};

// Every row of every tier, for comparisons of whole states.
std::vector<store::rollups::Row> all_rows(const store::Database& db, const std::vector<std::int64_t>& ids) {
  std::vector<store::rollups::Row> out;
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    for (auto id : ids) {
      auto rows = store::rollups::range(db, tier, id, util::from_epoch_us(INT64_MIN), k_forever);
      REQUIRE(rows);
      out.insert(out.end(), rows->begin(), rows->end());
    }
  }
  return out;
}

void check_all_tiers(const test::RollupDb& f) {
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    auto w = cov->watermark[static_cast<std::size_t>(tier)];
    REQUIRE(w);
    for (auto id : f.ids) test::check_tier_matches_raw(f.db, tier, id, util::from_epoch_us(INT64_MIN), *w);
  }
}

}  // namespace

TEST_CASE("rollup pass: 1m, 1h and 1d rows equal aggregates computed from raw samples") {
  Filled f;
  auto report = maintain::run_rollup(f.db, k_now);
  REQUIRE(report);
  const auto w1m = analyze::floor_to(k_now - 90s, 1min);
  CHECK(report->watermark[1] == w1m);
  CHECK(report->watermark[2] == analyze::floor_to(w1m, 1h));
  CHECK(report->watermark[3] == k_midnight + 48h);
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  CHECK(cov->watermark == report->watermark);
  CHECK(report->samples_read == test::count_rows(f.db, "SELECT count(*) FROM samples"));
  CHECK(report->rows_written[1] == test::count_rows(f.db, "SELECT count(*) FROM rollup_1m"));
  CHECK(report->rows_written[2] == test::count_rows(f.db, "SELECT count(*) FROM rollup_1h"));
  CHECK(report->rows_written[3] == test::count_rows(f.db, "SELECT count(*) FROM rollup_1d"));
  // 1d per target: the day before k_midnight (its last 3 h) and two whole days; the third is not over.
  CHECK(report->rows_written[3] == 2 * 3);
  check_all_tiers(f);
}

TEST_CASE("rollup pass: running twice changes nothing") {
  Filled f;
  REQUIRE(maintain::run_rollup(f.db, k_now));
  auto before = all_rows(f.db, f.ids);
  auto again = maintain::run_rollup(f.db, k_now);
  REQUIRE(again);
  CHECK(again->rows_written == std::array<std::int64_t, 4>{});
  CHECK(again->samples_read == 0);
  CHECK(all_rows(f.db, f.ids) == before);
}

TEST_CASE("rollup pass: the last minutes wait out the settle time") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, k_midnight + 10min, 1s, 3));
  SUBCASE("default 90 s") {
    auto report = maintain::run_rollup(f.db, k_midnight + 10min + 30s);
    REQUIRE(report);
    CHECK(report->watermark[1] == k_midnight + 9min);  // floor(now - 90 s)
    CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 9);
    CHECK_FALSE(report->watermark[2]);  // no whole hour below the 1m watermark yet...
    CHECK_FALSE(report->watermark[3]);
  }
  SUBCASE("no settle time") {
    maintain::RollupOptions o;
    o.settle = 0s;
    auto report = maintain::run_rollup(f.db, k_midnight + 10min + 30s, o);
    REQUIRE(report);
    CHECK(report->watermark[1] == k_midnight + 10min);
    CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 10);
    test::check_tier_matches_raw(f.db, Tier::m1, f.ids[0], k_midnight, k_midnight + 10min);
  }
}

TEST_CASE("rollup pass: a tier starts at its oldest data, hour and day watermarks follow") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight + 90min + 20s, k_midnight + 3h, 10s, 4));
  auto report = maintain::run_rollup(f.db, k_midnight + 5h);
  REQUIRE(report);
  CHECK(report->watermark[1] == k_midnight + 5h - 2min);
  CHECK(report->watermark[2] == k_midnight + 4h);
  // No whole day below the 1h watermark: the 1d tier starts at its first day but has nothing done.
  CHECK(report->watermark[3] == std::nullopt);
  auto first = store::rollups::range(f.db, Tier::m1, f.ids[0], util::from_epoch_us(INT64_MIN), k_forever);
  REQUIRE(first);
  REQUIRE_FALSE(first->empty());
  CHECK(first->front().bucket == k_midnight + 90min);
  auto hours = store::rollups::range(f.db, Tier::h1, f.ids[0], util::from_epoch_us(INT64_MIN), k_forever);
  REQUIRE(hours);
  REQUIRE(hours->size() == 2);
  CHECK(hours->front().bucket == k_midnight + 1h);
}

TEST_CASE("rollup pass: an empty database") {
  test::RollupDb f;
  auto report = maintain::run_rollup(f.db, k_now);
  REQUIRE(report);
  CHECK(report->rows_written == std::array<std::int64_t, 4>{});
  CHECK(report->samples_read == 0);
  CHECK(report->watermark == std::array<std::optional<util::SysMicros>, 4>{});
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  CHECK(*cov == store::rollups::Coverage{});
}

TEST_CASE("rollup pass: a late sample re-opens its 1m, 1h and 1d buckets") {
  Filled f;
  REQUIRE(maintain::run_rollup(f.db, k_now));
  const auto late_ts = k_midnight + 20h + 17min + 3s + 500ms;  // between two 7 s samples
  core::Sample late;
  late.target_id = f.ids[0];
  late.ts = late_ts;
  late.rtt = util::Micros{123456};
  REQUIRE(store::samples::insert_batch(f.db, std::span(&late, 1)));
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty WHERE tier = '1m'") == 1);
  auto report = maintain::run_rollup(f.db, k_now);
  REQUIRE(report);
  CHECK(report->dirty_handled[1] == 1);
  CHECK(report->dirty_handled[2] == 1);
  CHECK(report->dirty_handled[3] == 1);
  CHECK(report->rows_written[1] == 1);
  CHECK(report->rows_written[2] == 1);
  CHECK(report->rows_written[3] == 1);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty") == 0);
  check_all_tiers(f);
  auto day = store::rollups::range(f.db, Tier::d1, f.ids[0], k_midnight, k_midnight + 24h);
  REQUIRE(day);
  REQUIRE(day->size() == 1);
  CHECK(day->front().aggregate.summary.max() == 123456.0);
}

TEST_CASE("rollup pass: answer gaps on irregular samples equal those computed from raw, late answers included") {
  test::RollupDb f(1);
  // Bursts of five probes 200 ms apart every 7 minutes, a refused probe in
  // each burst, a few lost; down from 23:50 to 00:20 across midnight; one
  // 60 s probe after another for an hour; nothing at all for two hours.
  std::vector<core::Sample> samples;
  auto add = [&](util::SysMicros ts, core::SampleStatus status) {
    core::Sample s;
    s.target_id = f.ids[0];
    s.ts = ts;
    s.status = status;
    if (core::answered(status)) s.rtt = util::Micros{20000 + (util::to_epoch_us(ts) / 1000) % 997};
    samples.push_back(s);
  };
  const auto down_from = k_midnight + 23h + 50min;
  const auto down_to = k_midnight + 24h + 20min;
  for (auto burst = k_midnight + 3min; burst < k_midnight + 30h; burst += 7min) {
    if (burst >= k_midnight + 10h && burst < k_midnight + 11h) {
      add(burst, core::SampleStatus::ok);  // the hour at 60 s
      for (int i = 1; i < 7; ++i) add(burst + 60s * i, core::SampleStatus::ok);
      continue;
    }
    if (burst >= k_midnight + 14h && burst < k_midnight + 16h) continue;
    for (int i = 0; i < 5; ++i) {
      const auto ts = burst + 200ms * i;
      const bool down = ts >= down_from && ts < down_to;
      add(ts, down || (i == 3 && burst.time_since_epoch() / 7min % 5 == 0) ? core::SampleStatus::timeout
              : i == 2                                                     ? core::SampleStatus::refused
                                                                           : core::SampleStatus::ok);
    }
  }
  test::insert(f.db, samples);
  const auto now = k_midnight + 31h;
  REQUIRE(maintain::run_rollup(f.db, now));
  check_all_tiers(f);
  auto day = store::rollups::range(f.db, Tier::d1, f.ids[0], k_midnight, k_midnight + 24h);
  REQUIRE(day);
  REQUIRE(day->size() == 1);
  // The longest wait for an answer on the first day: the silence, 14:00 to the
  // first burst after 16:00 (the last before it answered).
  const auto& gaps = day->front().aggregate.answers;
  CHECK(gaps.max_gap >= 2h);
  CHECK(gaps.first == k_midnight + 3min);

  // A late answer in the middle of the outage splits its gap in every tier.
  core::Sample late;
  late.target_id = f.ids[0];
  late.ts = k_midnight + 24h + 1min + 1s;
  late.rtt = 30ms;
  REQUIRE(store::samples::insert_batch(f.db, std::span(&late, 1)));
  REQUIRE(maintain::run_rollup(f.db, now));
  check_all_tiers(f);
  auto minute = store::rollups::range(f.db, Tier::m1, f.ids[0], late.ts - 1s, late.ts);
  REQUIRE(minute);
  REQUIRE(minute->size() == 1);
  CHECK(minute->front().aggregate.answers.first == late.ts);
}

TEST_CASE("rollup pass: samples written while a chunk is claimed are marked dirty") {
  test::RollupDb f(1);
  test::insert(f.db, test::make_samples(f.ids[0], k_midnight, k_midnight + 5min, 10s, 5));
  REQUIRE(store::rollups::set_claim(f.db, k_midnight + 3min));
  std::vector<core::Sample> more(2);
  more[0].target_id = more[1].target_id = f.ids[0];
  more[0].ts = k_midnight + 2min + 5s;  // claimed: marked
  more[1].ts = k_midnight + 3min + 5s;  // not claimed: read by the pass
  more[0].rtt = more[1].rtt = util::Micros{1000};
  REQUIRE(store::samples::insert_batch(f.db, more));
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty WHERE tier = '1m' AND bucket = " +
                                   std::to_string(util::to_epoch_us(k_midnight + 2min))) == 1);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty") == 1);
  // The 1m watermark counts as well as the claim.
  REQUIRE(maintain::run_rollup(f.db, k_midnight + 10min));
  more[1].ts = k_midnight + 4min + 7s;
  REQUIRE(store::samples::insert_batch(f.db, std::span(&more[1], 1)));
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_dirty WHERE bucket = " +
                                   std::to_string(util::to_epoch_us(k_midnight + 4min))) == 1);
  REQUIRE(maintain::run_rollup(f.db, k_midnight + 10min));
  test::check_tier_matches_raw(f.db, Tier::m1, f.ids[0], k_midnight, k_midnight + 10min);
}

TEST_CASE("rollup pass: a removed target's rows and marks are gone") {
  Filled f;
  REQUIRE(maintain::run_rollup(f.db, k_now));
  core::Sample late;
  late.target_id = f.ids[1];
  late.ts = k_midnight + 3h + 1s;
  REQUIRE(store::samples::insert_batch(f.db, std::span(&late, 1)));
  REQUIRE(store::targets::remove(f.db, "t1", /*keep_data=*/false, k_now));
  for (const auto* table : {"rollup_1m", "rollup_1h", "rollup_1d", "rollup_dirty"}) {
    CAPTURE(table);
    CHECK(test::count_rows(f.db, std::string("SELECT count(*) FROM ") + table +
                                     " WHERE target_id = " + std::to_string(f.ids[1])) == 0);
  }
  REQUIRE(maintain::run_rollup(f.db, k_now + 1h));
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m WHERE target_id = " + std::to_string(f.ids[1])) == 0);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m WHERE target_id = " + std::to_string(f.ids[0])) > 0);
}

TEST_CASE("rollup pass: late samples where raw was pruned merge into the kept rows") {
  Filled f;
  REQUIRE(maintain::run_rollup(f.db, k_now));
  REQUIRE(store::settings::set(f.db, "retention.raw", "1d"));
  auto pruned = maintain::prune(f.db, k_now);
  REQUIRE(pruned);
  REQUIRE(pruned->horizon[0]);
  const auto horizon = *pruned->horizon[0];
  CHECK(horizon == analyze::floor_to(k_now - 24h, 1min));
  auto before = all_rows(f.db, f.ids);
  // Two late samples in one pruned minute (past the 1h watermark too).
  std::vector<core::Sample> late(2);
  late[0].target_id = late[1].target_id = f.ids[0];
  late[0].ts = k_midnight + 5h + 30min + 1s;
  late[1].ts = k_midnight + 5h + 30min + 2s;
  late[0].rtt = util::Micros{400000};
  REQUIRE(store::samples::insert_batch(f.db, late));
  auto report = maintain::run_rollup(f.db, k_now);
  REQUIRE(report);
  CHECK(report->late_samples_merged == 2);
  CHECK(test::count_rows(f.db,
                         "SELECT count(*) FROM samples WHERE ts < " + std::to_string(util::to_epoch_us(horizon))) == 0);
  auto after = all_rows(f.db, f.ids);
  REQUIRE(after.size() == before.size());
  const auto minute = k_midnight + 5h + 30min;
  int changed = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i] == before[i]) continue;
    ++changed;
    const auto& b = before[i].aggregate.summary;
    const auto& a = after[i].aggregate.summary;
    CHECK(after[i].target_id == f.ids[0]);
    CHECK((after[i].bucket == minute || after[i].bucket == k_midnight + 5h || after[i].bucket == k_midnight));
    CHECK(a.sent() == b.sent() + 2);
    CHECK(a.received() == b.received() + 1);
    CHECK(a.max() == 400000.0);
    CHECK(after[i].aggregate.sketch.count() == before[i].aggregate.sketch.count() + 1);
  }
  CHECK(changed == 3);  // its 1m, 1h and 1d rows
  // Nothing is counted twice when the pass runs again.
  REQUIRE(maintain::run_rollup(f.db, k_now));
  CHECK(all_rows(f.db, f.ids) == after);
}

TEST_CASE("rollup pass: rebuild recomputes every tier where the finer data is kept") {
  Filled f;
  REQUIRE(maintain::run_rollup(f.db, k_now));
  auto good = all_rows(f.db, f.ids);
  SUBCASE("nothing pruned: everything is recomputed") {
    f.db.exec("UPDATE rollup_1m SET sent = sent + 5; UPDATE rollup_1h SET sent = sent + 5; DELETE FROM rollup_1d");
    std::vector<std::pair<std::string, double>> progress;
    maintain::RollupOptions o;
    o.progress = [&](std::string_view stage, double fraction) { progress.emplace_back(stage, fraction); };
    auto report = maintain::rebuild_rollups(f.db, k_now, o);
    REQUIRE(report);
    CHECK(all_rows(f.db, f.ids) == good);
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back() == std::pair<std::string, double>{"rollup 1d", 1.0});
    for (const auto& [stage, fraction] : progress) {
      CHECK(fraction > 0.0);
      CHECK(fraction <= 1.0);
    }
  }
  SUBCASE("below the raw horizon, 1m rows keep their values") {
    REQUIRE(store::settings::set(f.db, "retention.raw", "1d"));
    auto pruned = maintain::prune(f.db, k_now);
    REQUIRE(pruned);
    const auto horizon = *pruned->horizon[0];
    f.db.exec("UPDATE rollup_1m SET sent = sent + 5");
    REQUIRE(maintain::rebuild_rollups(f.db, k_now));
    auto old_rows = store::rollups::range(f.db, Tier::m1, f.ids[0], util::from_epoch_us(INT64_MIN), horizon);
    REQUIRE(old_rows);
    REQUIRE_FALSE(old_rows->empty());
    auto want = good.begin();
    for (const auto& row : *old_rows) {
      want = std::find_if(good.begin(), good.end(),
                          [&](const auto& g) { return g.target_id == row.target_id && g.bucket == row.bucket; });
      REQUIRE(want != good.end());
      CHECK(row.aggregate.summary.sent() == want->aggregate.summary.sent() + 5);
    }
    test::check_tier_matches_raw(f.db, Tier::m1, f.ids[0], horizon, k_now - 2min);
    // 1h rows are rebuilt from the 1m rows, whatever they hold.
    auto hours = store::rollups::range(f.db, Tier::h1, f.ids[0], k_midnight, k_midnight + 1h);
    REQUIRE(hours);
    REQUIRE(hours->size() == 1);
    CHECK(hours->front().aggregate.summary.sent() == 3600 / 7 + 1 + 60 * 5);
  }
}

TEST_SUITE_END();
