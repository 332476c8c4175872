#include "query/series.hpp"
#include "query_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

struct Fixture {
  test::QueryDb f;
  test::History history;
  std::vector<core::Sample> samples;

  Fixture() {
    history.length = 48h;
    history.lost = {{10h, 10h + 30min}};
    history.silent = {{20h, 21h}};
    samples = history.samples(f.target.id);
    f.insert(samples);
    f.roll_up(samples, k_monday + 47h + 10min);
  }

  query::Series get(util::SysMicros from, util::SysMicros to, std::size_t points, query::Metric metric) {
    auto reader = f.reader();
    auto s = query::series(reader, f.target, {from, to, points, metric});
    REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
    return *s;
  }

  // Every point's value against the samples of its bucket.
  void expect_values(const query::Series& s, double relative) {
    for (const auto& p : s.points) {
      analyze::Aggregate a;
      for (const auto& sample :
           test::between(samples, std::max(p.time, s.from), std::min(p.time + s.bucket_width, s.to))) {
        a.add(sample);
      }
      std::optional<double> want;
      switch (s.metric) {
        case query::Metric::avg: want = a.summary.mean(); break;
        case query::Metric::max: want = a.summary.max(); break;
        case query::Metric::p95: want = a.sketch.quantile(0.95); break;
        case query::Metric::loss: want = a.summary.loss_pct(); break;
        default: FAIL("metric not covered");
      }
      INFO("bucket " << util::format_iso_utc(p.time));
      REQUIRE(p.value.has_value() == want.has_value());
      if (!want) continue;
      if (s.metric != query::Metric::loss) *want /= 1000.0;
      CHECK(*p.value == doctest::Approx(*want).epsilon(relative));
    }
  }
};

}  // namespace

TEST_SUITE_BEGIN("query.series");

TEST_CASE("parse_metric") {
  for (auto name : {"avg", "min", "max", "median", "p95", "p99", "jitter", "loss"}) {
    auto m = query::parse_metric(name);
    REQUIRE(m);
    CHECK(query::to_string(*m) == name);
  }
  CHECK(query::unit_of(query::Metric::loss) == "%");
  CHECK(query::unit_of(query::Metric::p95) == "ms");
  auto bad = query::parse_metric("p50");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "invalid metric \"p50\": expected avg, min, max, median, p95, p99, jitter or loss");
}

TEST_CASE("two hours at 800 points: raw, 10 s buckets, exact values") {
  Fixture x;
  auto s = x.get(k_monday + 9h + 30min, k_monday + 11h + 30min, 800, query::Metric::avg);
  CHECK(s.source == analyze::Tier::raw);
  CHECK(s.bucket_width == 10s);
  CHECK(s.points.size() == 720);
  CHECK(s.points.front().time == k_monday + 9h + 30min);
  x.expect_values(s, 1e-9);
  // The outage: buckets without an answer have no value.
  CHECK_FALSE(s.points[180 + 5].value);
  auto loss = x.get(k_monday + 9h + 30min, k_monday + 11h + 30min, 800, query::Metric::loss);
  CHECK(loss.points[180 + 5].value == 100.0);
  x.expect_values(loss, 1e-12);
}

TEST_CASE("two days at 800 points: 1-minute rows in 4-minute buckets, raw after the watermark") {
  Fixture x;
  auto s = x.get(k_monday, k_monday + 48h, 800, query::Metric::max);
  CHECK(s.source == analyze::Tier::m1);
  CHECK(s.bucket_width == 4min);
  CHECK(s.points.size() == 720);
  x.expect_values(s, 1e-12);
  x.expect_values(x.get(k_monday, k_monday + 48h, 800, query::Metric::p95), 1e-12);
  auto loss = x.get(k_monday, k_monday + 48h, 800, query::Metric::loss);
  x.expect_values(loss, 1e-12);
  // The collector was stopped 20:00-21:00: nothing sent, no value.
  CHECK_FALSE(loss.points[20 * 15 + 3].value);
}

TEST_CASE("never more than --points points; the first and last are kept") {
  Fixture x;
  const auto from = k_monday + 17min + 3s;
  const auto to = k_monday + 46h + 59min;
  for (std::size_t n : {1u, 2u, 3u, 7u, 100u, 799u, 800u, 5000u}) {
    auto s = x.get(from, to, n, query::Metric::avg);
    INFO("points " << n);
    CHECK(s.points.size() <= n);
    CHECK(s.points.front().time == analyze::floor_to(from, s.bucket_width));
    if (n >= 2) CHECK(s.points.back().time == analyze::floor_to(to - 1us, s.bucket_width));
    for (std::size_t i = 1; i < s.points.size(); ++i) CHECK(s.points[i - 1].time < s.points[i].time);
  }
}

TEST_CASE("series refuses bad requests") {
  Fixture x;
  auto reader = x.f.reader();
  auto empty = query::series(reader, x.f.target, {k_monday, k_monday, 800, query::Metric::avg});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "--since must be before --until");
  auto none = query::series(reader, x.f.target, {k_monday, k_monday + 1h, 0, query::Metric::avg});
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "--points must be between 1 and 100000");
}

TEST_CASE("to_json: ms with µs precision, % for loss, null without a value") {
  query::Series s;
  s.target = "lo";
  s.target_id = 1;
  s.metric = query::Metric::avg;
  s.from = k_monday;
  s.to = k_monday + 20s;
  s.bucket_width = 10s;
  s.points = {{k_monday, 12.3456789}, {k_monday + 10s, std::nullopt}};
  auto j = query::to_json(s);
  CHECK(j["metric"] == "avg");
  CHECK(j["unit"] == "ms");
  CHECK(j["source"] == "raw");
  CHECK(j["bucket_ms"] == 10000);
  CHECK(j["points"][0]["time"] == "2026-03-02T00:00:00Z");
  CHECK(j["points"][0]["value"] == 12.346);
  CHECK(j["points"][1]["value"].is_null());
  s.metric = query::Metric::loss;
  s.points = {{k_monday, 33.333333}};
  CHECK(query::to_json(s)["points"][0]["value"] == 33.3333);
  CHECK(query::to_json(s)["unit"] == "%");
}

TEST_SUITE_END();
