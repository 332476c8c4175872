#include "analyze/downtime.hpp"
#include "core/sample.hpp"
#include "util/time.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using pk::analyze::availability_pct;
using pk::analyze::detect_downtime;
using pk::analyze::DowntimeDetector;
using pk::analyze::DowntimePeriod;
using pk::core::Sample;
using pk::core::SampleStatus;
using pk::util::Micros;
using pk::util::SysMicros;

namespace {

const SysMicros k_t0 = pk::util::from_epoch_us(1'795'000'000'000'000);

// An instant `offset` after k_t0.
SysMicros at(Micros offset) { return k_t0 + offset; }

// Samples at 1 s intervals from k_t0, one per character: '.' answered (ok),
// 'r' refused (an answer), 'x' timeout, 'u' unreachable, 's' send error.
std::vector<Sample> series(const std::string& pattern, Micros interval = 1s) {
  std::vector<Sample> out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    Sample s;
    s.target_id = 1;
    s.ts = k_t0 + interval * static_cast<std::int64_t>(i);
    switch (pattern[i]) {
      case '.':
        s.status = SampleStatus::ok;
        s.rtt = 10ms;
        break;
      case 'r':
        s.status = SampleStatus::refused;
        s.rtt = 5ms;
        break;
      case 'x': s.status = SampleStatus::timeout; break;
      case 'u': s.status = SampleStatus::unreachable; break;
      case 's': s.status = SampleStatus::send_error; break;
      default: FAIL("bad pattern character");
    }
    out.push_back(s);
  }
  return out;
}

DowntimePeriod period(Micros start, Micros end, std::int64_t probes, bool ongoing = false) {
  return DowntimePeriod{.start = at(start), .end = at(end), .probes = probes, .ongoing = ongoing};
}

}  // namespace

TEST_SUITE_BEGIN("analyze");

TEST_CASE("downtime: no samples and no losses give no periods") {
  CHECK(detect_downtime({}, 0s).empty());
  CHECK(detect_downtime({}, 0s, at(100s)).empty());
  CHECK(detect_downtime(series("..........."), 0s, at(100s)).empty());
}

TEST_CASE("downtime: a run ends at the first answered sample after it") {
  // Losses at 3, 4, 5 s; the probe at 6 s got through.
  auto periods = detect_downtime(series("...xxx...."), 0s);
  REQUIRE(periods.size() == 1);
  CHECK(periods[0] == period(3s, 6s, 3));
  CHECK(periods[0].duration() == 3s);
  CHECK_FALSE(periods[0].ongoing);
}

TEST_CASE("downtime: every lost status counts; refused is an answer") {
  auto periods = detect_downtime(series(".xus.r.xr."), 0s);
  REQUIRE(periods.size() == 2);
  CHECK(periods[0] == period(1s, 4s, 3));
  CHECK(periods[1] == period(7s, 8s, 1));  // ended by the refused probe at 8 s

  // A run broken only by refusals is not one outage.
  auto split = detect_downtime(series("xxxrxxx."), 2s);
  REQUIRE(split.size() == 2);
  CHECK(split[0] == period(0s, 3s, 3));
  CHECK(split[1] == period(4s, 7s, 3));
}

TEST_CASE("downtime: interleaved answers split runs, each judged on its own") {
  // Two 3 s runs separated by one answer: neither reaches 4 s, although
  // together they span 7 s.
  CHECK(detect_downtime(series(".xxx.xxx."), 4s).empty());
  auto periods = detect_downtime(series(".xxx.xxx."), 3s);
  REQUIRE(periods.size() == 2);
  CHECK(periods[0] == period(1s, 4s, 3));
  CHECK(periods[1] == period(5s, 8s, 3));
}

TEST_CASE("downtime: min_duration boundary is inclusive") {
  // Run of 30 losses at 1 s: 0..29 lost, answer at 30 -> duration exactly 30 s.
  const std::string thirty = std::string(30, 'x') + "..";
  auto exact = detect_downtime(series(thirty), 30s);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0] == period(0s, 30s, 30));

  // One microsecond more is required: dropped.
  CHECK(detect_downtime(series(thirty), 30s + 1us).empty());

  // 29 losses last 29 s: dropped at the default 30 s, kept at 29 s.
  const std::string twenty_nine = "." + std::string(29, 'x') + ".";
  CHECK(detect_downtime(series(twenty_nine), 30s).empty());
  auto kept = detect_downtime(series(twenty_nine), 29s);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0] == period(1s, 30s, 29));
}

TEST_CASE("downtime: a single loss lasts until the next answer") {
  SUBCASE("at 1 s intervals it lasts 1 s") {
    auto periods = detect_downtime(series("..x.."), 0s);
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(2s, 3s, 1));
    CHECK(detect_downtime(series("..x.."), 1s).size() == 1);
    CHECK(detect_downtime(series("..x.."), 1s + 1us).empty());
    CHECK(detect_downtime(series("..x.."), 30s).empty());
  }
  SUBCASE("at 60 s intervals a single loss meets a 30 s minimum") {
    auto periods = detect_downtime(series("..x..", 60s), 30s);
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(120s, 180s, 1));
    CHECK(periods[0].duration() == 60s);
  }
  SUBCASE("a lone loss as the last sample without range_end lasts 0 s") {
    auto periods = detect_downtime(series("...x"), 0s);
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(3s, 3s, 1, true));
    CHECK(periods[0].duration() == 0s);
    CHECK(detect_downtime(series("...x"), 1us).empty());
  }
}

TEST_CASE("downtime: outage at the very start of the data") {
  // The data starts inside the outage: the period starts at the first sample.
  auto periods = detect_downtime(series(std::string(40, 'x') + "...."), 30s, at(100s));
  REQUIRE(periods.size() == 1);
  CHECK(periods[0] == period(0s, 40s, 40));
  CHECK_FALSE(periods[0].ongoing);
}

TEST_CASE("downtime: outage still ongoing at the end of the data") {
  const auto samples = series("...." + std::string(20, 'x'));  // losses at 4..23 s
  SUBCASE("without range_end it ends at the last loss") {
    auto periods = detect_downtime(samples, 0s);
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(4s, 23s, 20, true));
    // 19 s < 30 s: an ongoing run is judged by the same rule.
    CHECK(detect_downtime(samples, 30s).empty());
  }
  SUBCASE("with range_end it ends there") {
    auto periods = detect_downtime(samples, 30s, at(60s));
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(4s, 60s, 20, true));
    CHECK(periods[0].duration() == 56s);
    CHECK(detect_downtime(samples, 56s, at(60s)).size() == 1);
    CHECK(detect_downtime(samples, 56s + 1us, at(60s)).empty());
  }
  SUBCASE("a range_end before the last loss is clamped to it") {
    auto periods = detect_downtime(samples, 0s, at(10s));
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(4s, 23s, 20, true));
  }
  SUBCASE("range_end does not affect closed runs") {
    auto periods = detect_downtime(series("xx.."), 0s, at(100s));
    REQUIRE(periods.size() == 1);
    CHECK(periods[0] == period(0s, 2s, 2, false));
  }
}

TEST_CASE("downtime: whole data lost, start and end at the range edges") {
  auto periods = detect_downtime(series(std::string(10, 'x')), 30s, at(45s));
  REQUIRE(periods.size() == 1);
  CHECK(periods[0] == period(0s, 45s, 10, true));
}

TEST_CASE("downtime: the streaming detector resets after finish and handles duplicates") {
  DowntimeDetector detector(0s);
  for (const auto& s : series(".xx.")) detector.add(s);
  auto first = detector.finish(std::nullopt);
  REQUIRE(first.size() == 1);
  CHECK(first[0] == period(1s, 3s, 2));
  CHECK(detector.finish(std::nullopt).empty());

  // Two lost samples with the same timestamp count as two probes.
  auto samples = series("x.");
  samples.insert(samples.begin(), samples.front());
  detector = DowntimeDetector(0s);
  for (const auto& s : samples) detector.add(s);
  auto dup = detector.finish(std::nullopt);
  REQUIRE(dup.size() == 1);
  CHECK(dup[0] == period(0s, 1s, 2));
}

TEST_CASE("downtime: negative min_duration behaves as zero") { CHECK(detect_downtime(series(".x."), -5s).size() == 1); }

TEST_CASE("availability: 1 - downtime / window, clipped to the window") {
  const std::vector<DowntimePeriod> none;
  CHECK(availability_pct(none, at(0s), at(100s)) == doctest::Approx(100.0));

  const std::vector<DowntimePeriod> one{period(10s, 20s, 10)};
  CHECK(availability_pct(one, at(0s), at(100s)) == doctest::Approx(90.0));

  SUBCASE("periods crossing the window edges are clipped") {
    const std::vector<DowntimePeriod> edges{period(-50s, 10s, 60), period(90s, 200s, 110)};
    // 10 s at the start and 10 s at the end of a 100 s window.
    CHECK(availability_pct(edges, at(0s), at(100s)) == doctest::Approx(80.0));
  }
  SUBCASE("periods entirely outside the window do not count") {
    const std::vector<DowntimePeriod> outside{period(-50s, -10s, 40), period(100s, 150s, 50)};
    CHECK(availability_pct(outside, at(0s), at(100s)) == doctest::Approx(100.0));
  }
  SUBCASE("a period covering the whole window gives 0") {
    const std::vector<DowntimePeriod> all{period(-10s, 110s, 120, true)};
    CHECK(availability_pct(all, at(0s), at(100s)) == doctest::Approx(0.0));
  }
  SUBCASE("overlapping periods count once") {
    const std::vector<DowntimePeriod> overlap{period(30s, 40s, 10), period(10s, 35s, 25)};
    CHECK(availability_pct(overlap, at(0s), at(100s)) == doctest::Approx(70.0));
  }
  SUBCASE("empty or inverted window gives 100") {
    CHECK(availability_pct(one, at(50s), at(50s)) == doctest::Approx(100.0));
    CHECK(availability_pct(one, at(100s), at(0s)) == doctest::Approx(100.0));
  }
  SUBCASE("from detected periods") {
    // 2 of 10 probes lost in one 2 s run, plus an ongoing run from 8 s to the end.
    auto periods = detect_downtime(series(".xx.....xx"), 0s, at(10s));
    REQUIRE(periods.size() == 2);
    CHECK(availability_pct(periods, at(0s), at(10s)) == doctest::Approx(60.0));
  }
}

TEST_SUITE_END();
