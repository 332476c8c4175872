#include "query_data.hpp"

#include "query/export_rows.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>

using namespace std::chrono_literals;
using pk::analyze::Tier;
using pk::test::k_monday;

namespace {

struct Fixture {
  pk::test::QueryDb q;
  std::vector<pk::core::Sample> samples = pk::test::irregular_samples(q.target.id);

  Fixture() {
    // A few samples with every column set: exports carry ttl and detail.
    samples[10].ttl = 57;
    samples[11].status = pk::core::SampleStatus::unreachable;
    samples[11].rtt.reset();
    samples[11].detail = "from 192.0.2.1: host unreachable";
    q.insert(samples);
    // Rolled up to Wed 12:00: after it, buckets come from raw samples.
    q.roll_up(samples, k_monday + 60h);
  }

  pk::query::ExportScope scope(pk::util::SysMicros from, pk::util::SysMicros to) const {
    return {{q.target}, std::nullopt, from, to};
  }
};

// The aggregates of `samples` by buckets of `width`, computed directly.
std::map<pk::util::SysMicros, pk::analyze::Aggregate> direct_buckets(const std::vector<pk::core::Sample>& samples,
                                                                     pk::util::Micros width) {
  std::map<pk::util::SysMicros, pk::analyze::Aggregate> out;
  for (const auto& s : samples) out[pk::analyze::floor_to(s.ts, width)].add(s);
  return out;
}

void check_buckets(pk::query::Reader& reader, const pk::query::ExportScope& scope,
                   const std::vector<pk::core::Interval>& periods, Tier tier,
                   const std::vector<pk::core::Sample>& expected_samples) {
  const auto want = direct_buckets(expected_samples, pk::analyze::tier_width(tier));
  std::vector<pk::query::ExportBucket> got;
  REQUIRE(pk::query::for_each_bucket(reader, scope, periods, tier,
                                     [&](const pk::core::Target&, const pk::query::ExportBucket& b) {
                                       got.push_back(b);
                                       return true;
                                     }));
  REQUIRE(got.size() == want.size());
  auto w = want.begin();
  for (const auto& b : got) {
    CAPTURE(pk::util::format_iso_utc(b.start));
    REQUIRE(b.start == w->first);
    const auto& g = b.aggregate.summary;
    const auto& e = w->second.summary;
    CHECK(g.sent() == e.sent());
    CHECK(g.received() == e.received());
    CHECK(g.min() == e.min());
    CHECK(g.max() == e.max());
    if (e.mean()) CHECK(*g.mean() == doctest::Approx(*e.mean()).epsilon(1e-9));
    CHECK(b.aggregate.answers == w->second.answers);
    ++w;
  }
}

}  // namespace

TEST_SUITE_BEGIN("query.export_rows");

TEST_CASE("parse_resolution") {
  CHECK(pk::query::parse_resolution("auto").value() == std::nullopt);
  CHECK(pk::query::parse_resolution("raw").value() == Tier::raw);
  CHECK(pk::query::parse_resolution("1m").value() == Tier::m1);
  CHECK(pk::query::parse_resolution("1h").value() == Tier::h1);
  CHECK(pk::query::parse_resolution("1d").value() == Tier::d1);
  for (const char* bad : {"", "5m", "RAW", "1w"}) {
    auto r = pk::query::parse_resolution(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == pk::ErrorKind::invalid_input);
    CHECK(r.error().message.find("expected raw, 1m, 1h, 1d or auto") != std::string::npos);
  }
}

TEST_CASE("export_periods: the whole range without a job; an empty range is refused") {
  pk::query::ExportScope scope{{}, std::nullopt, k_monday, k_monday + 1h};
  auto periods = pk::query::export_periods(scope);
  REQUIRE(periods);
  CHECK(*periods == std::vector<pk::core::Interval>{{k_monday, k_monday + 1h}});
  scope.to = scope.from;
  CHECK_FALSE(pk::query::export_periods(scope));
}

TEST_CASE_FIXTURE(Fixture, "for_each_sample: every sample of the periods, every column, in order") {
  auto reader = q.reader();
  const std::vector<pk::core::Interval> periods{{k_monday, k_monday + 30min}, {k_monday + 13h, k_monday + 15h}};
  std::vector<pk::core::Sample> got;
  REQUIRE(pk::query::for_each_sample(reader, scope(k_monday, k_monday + 72h), periods,
                                     [&](const pk::core::Target& t, const pk::core::Sample& s) {
                                       CHECK(t.id == q.target.id);
                                       got.push_back(s);
                                       return true;
                                     }));
  auto want = pk::test::between(samples, k_monday, k_monday + 30min);
  auto later = pk::test::between(samples, k_monday + 13h, k_monday + 15h);
  want.insert(want.end(), later.begin(), later.end());
  CHECK(got == want);
  CHECK(got[10].ttl == 57);
  CHECK(got[11].detail == "from 192.0.2.1: host unreachable");
}

TEST_CASE_FIXTURE(Fixture, "for_each_bucket equals bucketing the samples directly, for every tier") {
  auto reader = q.reader();
  SUBCASE("the whole history: rollups, then raw after the watermark") {
    const std::vector<pk::core::Interval> all{{k_monday, k_monday + 72h}};
    for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
      CAPTURE(pk::analyze::to_string(tier));
      check_buckets(reader, scope(k_monday, k_monday + 72h), all, tier, samples);
    }
  }
  SUBCASE("unaligned periods: partial buckets hold only what is inside") {
    const std::vector<pk::core::Interval> periods{{k_monday + 6h + 30s, k_monday + 8h + 10min + 15s},
                                                  {k_monday + 14h + 20s, k_monday + 14h + 50s},
                                                  {k_monday + 59h + 59min, k_monday + 61h}};
    std::vector<pk::core::Sample> inside;
    for (const auto& p : periods) {
      auto part = pk::test::between(samples, p.begin, p.end);
      inside.insert(inside.end(), part.begin(), part.end());
    }
    for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
      CAPTURE(pk::analyze::to_string(tier));
      check_buckets(reader, scope(k_monday, k_monday + 72h), periods, tier, inside);
    }
  }
  SUBCASE("raw is not a bucket resolution") {
    auto r = pk::query::for_each_bucket(reader, scope(k_monday, k_monday + 1h), {{{k_monday, k_monday + 1h}}},
                                        Tier::raw, [](const auto&, const auto&) { return true; });
    CHECK_FALSE(r);
  }
}

TEST_CASE_FIXTURE(Fixture, "pruned raw samples: periods round out to whole rows, and one row is read once") {
  q.prune_raw(k_monday + 24h);
  auto reader = q.reader();
  // Two periods inside the minute 12:00 of Monday, whose raw samples are gone.
  const std::vector<pk::core::Interval> periods{{k_monday + 12h + 10s, k_monday + 12h + 20s},
                                                {k_monday + 12h + 40s, k_monday + 12h + 50s}};
  std::vector<pk::query::ExportBucket> got;
  REQUIRE(pk::query::for_each_bucket(reader, scope(k_monday, k_monday + 24h), periods, Tier::m1,
                                     [&](const auto&, const auto& b) {
                                       got.push_back(b);
                                       return true;
                                     }));
  REQUIRE(got.size() == 1);
  CHECK(got[0].start == k_monday + 12h);
  CHECK(got[0].aggregate.summary.sent() == pk::test::between(samples, k_monday + 12h, k_monday + 12h + 1min).size());

  // A later period starting in the rounded-out minute and running past it is
  // read from where the first one's rows end, not skipped.
  got.clear();
  const std::vector<pk::core::Interval> overlapping{{k_monday + 12h + 10s, k_monday + 12h + 20s},
                                                    {k_monday + 12h + 40s, k_monday + 12h + 5min}};
  REQUIRE(pk::query::for_each_bucket(reader, scope(k_monday, k_monday + 24h), overlapping, Tier::m1,
                                     [&](const auto&, const auto& b) {
                                       got.push_back(b);
                                       return true;
                                     }));
  REQUIRE(got.size() == 5);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto minute = k_monday + 12h + std::chrono::minutes{i};
    CHECK(got[i].start == minute);
    CHECK(got[i].aggregate.summary.sent() == pk::test::between(samples, minute, minute + 1min).size());
  }

  CHECK_FALSE(pk::query::check_resolution(reader, Tier::raw, k_monday + 12h));
  CHECK(pk::query::check_resolution(reader, Tier::raw, k_monday + 24h));
  CHECK(pk::query::check_resolution(reader, Tier::m1, k_monday + 12h));
  auto refused = pk::query::check_resolution(reader, Tier::raw, k_monday);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == pk::ErrorKind::invalid_input);
  CHECK(refused.error().message.find("pruned") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "auto_resolution: raw up to a million rows, then the finest tier that fits") {
  auto many = [&](int n, pk::util::Micros length) {
    pk::query::ExportScope s{std::vector<pk::core::Target>(static_cast<std::size_t>(n), q.target), std::nullopt,
                             k_monday, k_monday + length};
    return std::pair{s, std::vector<pk::core::Interval>{{s.from, s.to}}};
  };
  auto [one, one_periods] = many(1, 72h);
  {
    auto reader = q.reader();
    // "lo" probes every 2 s: 3 days are 129,600 samples.
    CHECK(pk::query::auto_resolution(reader, one, one_periods).value() == Tier::raw);
    auto [eight, eight_periods] = many(8, 72h);  // 1,036,800 samples: too many
    CHECK(pk::query::auto_resolution(reader, eight, eight_periods).value() == Tier::m1);
    auto [lots, lots_periods] = many(1000, 24h * 800);  // 1.15 billion minutes, 19.2 million hours, 800,000 days
    CHECK(pk::query::auto_resolution(reader, lots, lots_periods).value() == Tier::d1);
    // Only the time from a target's oldest data on counts: 30 days before it
    // add nothing (33 days at 2 s would be 1.4 million samples).
    pk::query::ExportScope early{{q.target}, std::nullopt, k_monday - 24h * 30, k_monday + 72h};
    const std::vector<pk::core::Interval> early_periods{{early.from, early.to}};
    CHECK(pk::query::auto_resolution(reader, early, early_periods).value() == Tier::raw);
  }
  q.prune_raw(k_monday + 24h);
  auto pruned_reader = q.reader();
  CHECK(pk::query::auto_resolution(pruned_reader, one, one_periods).value() == Tier::m1);
}

TEST_CASE_FIXTURE(Fixture, "a stop request ends the stream with an error, early") {
  auto reader = q.reader();
  std::atomic<bool> stop{true};
  std::int64_t positions = 0;
  pk::query::StreamControl control{&stop, [&](const pk::query::ExportPosition& p) {
                                     CHECK(p.target_index == 0);
                                     ++positions;
                                   }};
  std::int64_t rows = 0;
  const std::vector<pk::core::Interval> all{{k_monday, k_monday + 72h}};
  auto r = pk::query::for_each_sample(
      reader, scope(k_monday, k_monday + 72h), all,
      [&](const auto&, const auto&) {
        ++rows;
        return true;
      },
      control);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "export interrupted");
  CHECK(rows == 4096);
  CHECK(positions == 1);
  rows = 0;
  r = pk::query::for_each_bucket(
      reader, scope(k_monday, k_monday + 72h), all, Tier::m1,
      [&](const auto&, const auto&) {
        ++rows;
        return true;
      },
      control);
  REQUIRE_FALSE(r);
  CHECK(rows < 4320);
}

TEST_CASE_FIXTURE(Fixture, "a writer that fails ends the stream without an error of its own") {
  auto reader = q.reader();
  const std::vector<pk::core::Interval> all{{k_monday, k_monday + 72h}};
  std::int64_t rows = 0;
  auto r = pk::query::for_each_sample(reader, scope(k_monday, k_monday + 72h), all,
                                      [&](const auto&, const auto&) { return ++rows < 10; });
  CHECK(r);
  CHECK(rows == 10);
  rows = 0;
  r = pk::query::for_each_bucket(reader, scope(k_monday, k_monday + 72h), all, Tier::m1,
                                 [&](const auto&, const auto&) { return ++rows < 3; });
  CHECK(r);
  CHECK(rows == 3);
}

TEST_SUITE_END();
