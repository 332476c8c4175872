#include "query_data.hpp"

#include "core/job.hpp"
#include "maintain/rollup_pass.hpp"
#include "query/fold.hpp"
#include "query/stats.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

// Exact statistics of samples, computed independently of the library.
struct Truth {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::vector<double> rtts;
  double mean() const {
    double sum = 0;
    for (double r : rtts) sum += r;
    return sum / static_cast<double>(rtts.size());
  }
  double stddev() const {
    double m = mean();
    double sum = 0;
    for (double r : rtts) sum += (r - m) * (r - m);
    return std::sqrt(sum / static_cast<double>(rtts.size()));
  }
  double jitter() const {
    double sum = 0;
    for (std::size_t i = 1; i < rtts.size(); ++i) sum += std::fabs(rtts[i] - rtts[i - 1]);
    return sum / static_cast<double>(rtts.size() - 1);
  }
  double quantile(double q) const {
    auto sorted = rtts;
    std::sort(sorted.begin(), sorted.end());
    return sorted[static_cast<std::size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
  }
};

Truth truth_of(const std::vector<core::Sample>& samples) {
  Truth t;
  for (const auto& s : samples) {
    ++t.sent;
    if (s.rtt) {
      ++t.received;
      t.rtts.push_back(static_cast<double>(s.rtt->count()));
    }
  }
  return t;
}

query::Stats one(query::Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                 query::Source source) {
  query::StatsOptions options;
  options.source = source;
  core::Interval whole{from, to};
  auto s = query::target_stats(reader, target, from, to, std::span(&whole, 1), options);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  return *s;
}

void check_exact(const query::Stats& s, const Truth& t) {
  const auto& sum = s.aggregate.summary;
  CHECK(sum.sent() == t.sent);
  CHECK(sum.received() == t.received);
  CHECK(*sum.min() == *std::min_element(t.rtts.begin(), t.rtts.end()));
  CHECK(*sum.max() == *std::max_element(t.rtts.begin(), t.rtts.end()));
  CHECK(*sum.mean() == doctest::Approx(t.mean()).epsilon(1e-9));
  CHECK(*sum.stddev() == doctest::Approx(t.stddev()).epsilon(1e-9));
  CHECK(*sum.jitter() == doctest::Approx(t.jitter()).epsilon(1e-9));
}

}  // namespace

TEST_SUITE_BEGIN("query.stats");

TEST_CASE("exact_quantile uses the sketch's rank: floor(q * (n - 1))") {
  std::vector<double> v{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  CHECK(*query::exact_quantile(v, 0.0) == 1);
  CHECK(*query::exact_quantile(v, 0.5) == 5);   // floor(4.5) = 4
  CHECK(*query::exact_quantile(v, 0.95) == 9);  // floor(8.55) = 8
  CHECK(*query::exact_quantile(v, 0.99) == 9);  // floor(8.91) = 8
  CHECK(*query::exact_quantile(v, 1.0) == 10);
  std::vector<double> single{42};
  CHECK(*query::exact_quantile(single, 0.99) == 42);
  std::vector<double> none;
  CHECK_FALSE(query::exact_quantile(none, 0.5));
  CHECK_FALSE(query::exact_quantile(v, 1.5));
  CHECK_FALSE(query::exact_quantile(v, std::nan("")));
}

TEST_CASE("parse_source") {
  CHECK(*query::parse_source("auto") == query::Source::automatic);
  CHECK(*query::parse_source("raw") == query::Source::raw);
  CHECK(*query::parse_source("rollup") == query::Source::rollup);
  auto bad = query::parse_source("1h");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "invalid source \"1h\": expected auto, raw or rollup");
}

TEST_CASE("raw and rollups agree within the sketch bound") {
  test::QueryDb f;
  test::History h;
  h.length = 50h;
  h.lost = {{3h + 50s, 3h + 2min}};
  auto samples = h.samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, k_monday + 49h + 30min + 17s);
  auto reader = f.reader();

  const auto from = k_monday + 1h + 17min + 42s + 500ms;
  const auto to = k_monday + 49h + 44min + 5s;
  const auto truth = truth_of(test::between(samples, from, to));

  auto raw = one(reader, f.target, from, to, query::Source::raw);
  auto rolled = one(reader, f.target, from, to, query::Source::rollup);
  CHECK(raw.source == analyze::Tier::raw);
  CHECK(raw.exact_percentiles);
  CHECK(rolled.source == analyze::Tier::d1);
  CHECK_FALSE(rolled.exact_percentiles);
  check_exact(raw, truth);
  check_exact(rolled, truth);
  // Exact percentiles from raw; within 1 % from the sketch.
  for (auto [q, value] : {std::pair{0.5, raw.median}, {0.9, raw.p90}, {0.95, raw.p95}, {0.99, raw.p99}}) {
    CHECK(*value == truth.quantile(q));
  }
  for (auto [q, value] : {std::pair{0.5, rolled.median}, {0.9, rolled.p90}, {0.95, rolled.p95}, {0.99, rolled.p99}}) {
    CHECK(*value == doctest::Approx(truth.quantile(q)).epsilon(0.01));
  }
  // Downtime is exact either way (raw samples are kept).
  auto outages = analyze::detect_downtime(test::between(samples, from, to), 30s, to);
  REQUIRE(outages.size() == 1);
  CHECK(outages[0].duration() >= 70s);
  REQUIRE(raw.downtime);
  CHECK(*raw.downtime == outages[0].duration());
  CHECK(*rolled.downtime == outages[0].duration());
  CHECK(*raw.availability_pct == doctest::Approx(analyze::availability_pct(outages, from, to)));
  CHECK(*rolled.availability_pct == *raw.availability_pct);
  CHECK(*raw.mos() == *rolled.mos());

  SUBCASE("automatic: raw for small ranges, the cover for large ones") {
    auto small = one(reader, f.target, k_monday + 2h, k_monday + 3h, query::Source::automatic);
    CHECK(small.source == analyze::Tier::raw);
    // 48 h at 2 s is 86,400 samples (raw); 50 h would be 90,000, so drop the limit by
    // asking with a 1 s probe interval estimate: 172,800 > 100,000.
    query::StatsOptions options;
    options.probe_interval = 1s;
    core::Interval whole{from, to};
    auto big = query::target_stats(reader, f.target, from, to, std::span(&whole, 1), options);
    REQUIRE(big);
    CHECK(big->source == analyze::Tier::d1);
    CHECK(big->aggregate.summary.sent() == truth.sent);
  }
}

TEST_CASE("rows written by the rollup pass answer like raw samples") {
  test::QueryDb f;
  test::History h;
  h.length = 30h;
  h.lost = {{7h + 10s, 7h + 3min}};
  auto samples = h.samples(f.target.id);
  f.insert(samples);
  auto pass = maintain::run_rollup(f.db, k_monday + 30h + 5min);
  REQUIRE_MESSAGE(pass, (pass ? "" : pass.error().message));
  auto reader = f.reader();
  const auto from = k_monday + 3min + 7s;
  const auto to = k_monday + 30h;
  auto raw = one(reader, f.target, from, to, query::Source::raw);
  auto rolled = one(reader, f.target, from, to, query::Source::rollup);
  CHECK(rolled.source == analyze::Tier::h1);  // no whole UTC day in the range
  const auto truth = truth_of(test::between(samples, from, to));
  check_exact(raw, truth);
  check_exact(rolled, truth);
  CHECK(*rolled.p95 == doctest::Approx(truth.quantile(0.95)).epsilon(0.01));
  CHECK(*rolled.downtime == *raw.downtime);
  CHECK(*raw.downtime >= 170s);
}

TEST_CASE("the not yet rolled-up tail is read raw") {
  test::QueryDb f;
  test::History h;
  h.length = 3h;
  auto samples = h.samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, k_monday + 2h + 10min);  // the last 50 minutes only raw
  auto reader = f.reader();
  auto s = one(reader, f.target, k_monday, k_monday + 3h, query::Source::rollup);
  CHECK(s.source == analyze::Tier::h1);
  check_exact(s, truth_of(samples));
}

// 30 hours of samples, rolled up, with the raw samples of the first day pruned.
struct PrunedFirstDay {
  test::QueryDb f;
  std::vector<core::Sample> samples;
  PrunedFirstDay() {
    test::History h;
    h.length = 30h;
    samples = h.samples(f.target.id);
    f.insert(samples);
    f.roll_up(samples, k_monday + 30h);
    f.prune_raw(k_monday + 24h);
  }
};

TEST_CASE("pruned raw samples: --source raw is refused, the rest answers from rollups") {
  PrunedFirstDay p;
  auto& f = p.f;
  const auto& samples = p.samples;
  auto reader = f.reader();

  query::StatsOptions options;
  options.source = query::Source::raw;
  core::Interval whole{k_monday + 23h, k_monday + 25h};
  auto refused = query::target_stats(reader, f.target, whole.begin, whole.end, std::span(&whole, 1), options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::invalid_input);
  CHECK(refused.error().message ==
        "--source raw: the raw samples of lo before 2026-03-03T00:00:00Z were pruned (retention); use --source auto "
        "or a later --since");

  // Automatic falls back to the rollups, rounding the start to a kept bucket.
  auto s = one(reader, f.target, k_monday + 23h + 30s, k_monday + 25h, query::Source::automatic);
  CHECK(s.source == analyze::Tier::h1);
  check_exact(s, truth_of(test::between(samples, k_monday + 23h, k_monday + 25h)));
}

TEST_CASE("pruned raw samples: two periods rounded out to one bucket read it once") {
  PrunedFirstDay p;
  auto& f = p.f;
  const auto& samples = p.samples;
  auto reader = f.reader();

  // Two job windows inside the minute at 12:00, whose raw samples are gone:
  // each is rounded out to that minute's 1m row, which must count once.
  const auto minute = k_monday + 12h;
  const std::vector<core::Interval> periods{{minute + 10s, minute + 20s}, {minute + 30s, minute + 40s}};
  query::StatsOptions options;
  options.source = query::Source::automatic;
  auto s = query::target_stats(reader, f.target, minute, minute + 1min, periods, options);
  REQUIRE(s);
  CHECK(s->source == analyze::Tier::m1);
  CHECK(s->aggregate.summary.sent() == test::between(samples, minute, minute + 1min).size());

  // A second window starting in that minute and running past it: the rest of
  // it still counts (it was once skipped whole).
  const std::vector<core::Interval> longer{{minute + 10s, minute + 20s}, {minute + 40s, minute + 2h}};
  s = query::target_stats(reader, f.target, minute, minute + 2h, longer, options);
  REQUIRE(s);
  CHECK(s->aggregate.summary.sent() == test::between(samples, minute, minute + 2h).size());
}

TEST_CASE("a job counts only the samples inside its windows") {
  test::QueryDb f;
  test::History h;
  h.length = 7 * 24h;
  h.interval = 10s;
  auto samples = h.samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, k_monday + 7 * 24h);
  auto reader = f.reader();

  core::Job job;
  job.name = "biz";
  job.windows = *core::WeeklySchedule::parse("mon-fri 09:00-17:00");
  job.tz = "Europe/Berlin";
  job.interval = 10s;
  job.starts_at = k_monday + 24h + 12h;  // Tuesday 12:00 UTC
  const auto* berlin = *util::locate_zone("Europe/Berlin");

  std::vector<core::Sample> inside;
  for (const auto& s : samples) {
    if (s.ts >= *job.starts_at && job.windows.contains(s.ts, berlin)) inside.push_back(s);
  }
  const auto truth = truth_of(inside);
  for (auto source : {query::Source::raw, query::Source::rollup}) {
    query::StatsQuery q;
    q.targets = {f.target};
    q.job = job;
    q.from = k_monday;
    q.to = k_monday + 7 * 24h;
    q.options.source = source;
    auto rows = query::stats(reader, q);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    const auto& s = rows->front();
    CHECK(s.job == "biz");
    CHECK(s.counted == 4h + 3 * 8h);  // Tuesday 13:00-17:00 CET, then Wednesday to Friday
    CHECK(s.source == (source == query::Source::raw ? analyze::Tier::raw : analyze::Tier::h1));
    check_exact(s, truth);
  }
}

TEST_CASE("--by 1d: local days in the display zone, 23 hours across the spring DST change") {
  test::QueryDb f;
  test::History h;
  h.start = k_monday + 26 * 24h;  // Saturday 2026-03-28
  h.length = 3 * 24h;
  h.interval = 20s;
  auto samples = h.samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, h.start + h.length);
  auto reader = f.reader();

  query::StatsQuery q;
  q.targets = {f.target};
  q.from = h.start;
  q.to = h.start + h.length;
  q.by = analyze::Period::day;
  q.zone = *util::locate_zone("Europe/Berlin");
  q.options.source = query::Source::rollup;
  auto rows = query::stats(reader, q);
  REQUIRE(rows);
  REQUIRE(rows->size() == 4);  // Sat (from 01:00 local), Sun (23 h), Mon, Tue until 01:00
  CHECK((*rows)[1].to - (*rows)[1].from == 23h);
  std::uint64_t sent = 0;
  for (const auto& r : *rows) {
    CHECK(r.aggregate.summary.sent() == test::between(samples, r.from, r.to).size());
    sent += r.aggregate.summary.sent();
  }
  CHECK(sent == samples.size());
  CHECK((*rows)[1].source == analyze::Tier::h1);  // local days are not UTC days
}

TEST_CASE("no samples: empty statistics, no availability") {
  test::QueryDb f;
  auto reader = f.reader();
  auto s = one(reader, f.target, k_monday, k_monday + 1h, query::Source::automatic);
  CHECK(s.aggregate.empty());
  CHECK_FALSE(s.p95);
  CHECK_FALSE(s.availability_pct);
  CHECK_FALSE(s.mos());
  auto j = query::to_json(s);
  CHECK(j["sent"] == 0);
  CHECK(j["loss_pct"].is_null());
  CHECK(j["p95_ms"].is_null());
  CHECK(j["mos"].is_null());
}

TEST_CASE("stats refuses an empty range") {
  test::QueryDb f;
  auto reader = f.reader();
  query::StatsQuery q;
  q.targets = {f.target};
  q.from = k_monday;
  q.to = k_monday;
  auto r = query::stats(reader, q);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::invalid_input);
}

TEST_CASE("to_json: units and names") {
  test::QueryDb f;
  std::vector<core::Sample> samples{
      test::make_sample(f.target.id, k_monday, 12'345), test::make_sample(f.target.id, k_monday + 2s, std::nullopt),
      test::make_sample(f.target.id, k_monday + 4s, 10'000), test::make_sample(f.target.id, k_monday + 6s, 11'000)};
  f.insert(samples);
  auto reader = f.reader();
  auto s = one(reader, f.target, k_monday, k_monday + 8s, query::Source::automatic);
  auto j = query::to_json(s);
  CHECK(j["target"] == "lo");
  CHECK(j["host"] == "127.0.0.1");
  CHECK(j["job"].is_null());
  CHECK(j["from"] == "2026-03-02T00:00:00Z");
  CHECK(j["to"] == "2026-03-02T00:00:08Z");
  CHECK(j["source"] == "raw");
  CHECK(j["exact_percentiles"] == true);
  CHECK(j["sent"] == 4);
  CHECK(j["received"] == 3);
  CHECK(j["lost"] == 1);
  CHECK(j["loss_pct"] == 25.0);
  CHECK(j["min_ms"] == 10.0);
  CHECK(j["avg_ms"] == 11.115);
  CHECK(j["max_ms"] == 12.345);
  CHECK(j["median_ms"] == 11.0);
  CHECK(j["p99_ms"] == 11.0);      // floor(0.99 * 2) = 1
  CHECK(j["jitter_ms"] == 1.673);  // (2345 + 1000) / 2 µs
  CHECK(j["uptime_pct"] == 75.0);
  CHECK(j["availability_pct"] == 100.0);  // one lost probe lasting 2 s < 30 s
  CHECK(j["downtime_ms"] == 0);
  CHECK(j["mos"].get<double>() > 1.0);
}

TEST_SUITE_END();
