#include "query/downtime.hpp"
#include "query_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

std::string show(const std::vector<analyze::DowntimePeriod>& periods) {
  std::string out;
  for (const auto& p : periods) {
    out += util::format_iso_utc(p.start) + " .. " + util::format_iso_utc(p.end) + " probes " +
           std::to_string(p.probes) + (p.ongoing ? " ongoing" : "") + "\n";
  }
  return out;
}

// Two days at 2 s with outages of every kind (offsets from Monday 00:00 UTC),
// and random single losses at the given rate.
test::History outages(double random_loss) {
  test::History h;
  h.length = 48h;
  h.random_loss = random_loss;
  h.lost = {
      {1h + 50s, 1h + 2min},       // 70 s across a minute boundary
      {5h, 5h + 30s},              // exactly 30 s (15 probes, then an answer at 5h00m30s)
      {6h, 6h + 28s},              // 28 s: below the default minimum
      {10h + 30min, 11h + 40min},  // 70 min across an hour boundary
      {23h + 59min, 24h + 1min},   // across midnight
      {15h, 15h + 2s},             // one probe, then the collector stopped ...
      {47h + 59min + 30s, 48h},    // still down when the data ends
  };
  h.silent = {{15h + 2s, 15h + 10min}};  // ... for 10 minutes: down until the next answer
  return h;
}

struct Fixture {
  test::QueryDb f;
  test::History history;
  std::vector<core::Sample> samples;

  explicit Fixture(util::SysMicros rolled_until, double random_loss = 0)
      : history(outages(random_loss)), samples(history.samples(f.target.id)) {
    f.insert(samples);
    f.roll_up(samples, rolled_until);
  }

  void expect_exact(util::SysMicros from, util::SysMicros to, util::Micros min_duration) {
    auto reader = f.reader();
    auto got = query::downtime_periods(reader, f.target, from, to, min_duration);
    REQUIRE(got);
    auto want = analyze::detect_downtime(test::between(samples, from, to), min_duration, to);
    INFO("range " << util::format_iso_utc(from) << " .. " << util::format_iso_utc(to) << ", min "
                  << util::format_duration(min_duration) << "\ngot:\n"
                  << show(*got) << "want:\n"
                  << show(want));
    CHECK(*got == want);
  }
};

}  // namespace

TEST_SUITE_BEGIN("query.downtime");

TEST_CASE("the fast path finds exactly what the detector finds in all samples") {
  // Rolled up to 40 h: the last 8 hours are the raw tail.
  Fixture x(k_monday + 40h + 17min, 0.01);
  const std::vector<std::pair<util::Micros, util::Micros>> ranges{
      {0h, 48h},                               // everything; the last run is ongoing at the end
      {0h, 47h + 59min + 45s},                 // ends inside the last run: ongoing at `to`
      {1h + 1min, 48h},                        // starts inside the 70 s outage
      {10h + 45min + 1s, 11h + 1s},            // inside the long outage, both edges
      {17min + 42s + 500ms, 45h + 3min + 7s},  // unaligned
      {5h, 5h + 30s},                          // exactly one outage, with no answer inside the range
      {15h, 15h + 5min},                       // inside the silence
      {23h + 59min + 58s, 24h + 2s},           // a few samples
      {2h, 3h},                                // random single losses only
  };
  for (auto [from, to] : ranges) {
    for (util::Micros min_duration : {0s, 2s, 28s, 30s, 32s, 600s, 602s, 3600s}) {
      x.expect_exact(k_monday + from, k_monday + to, min_duration);
    }
  }
}

TEST_CASE("irregular samples: exactly the detector's periods, however the samples are spaced") {
  test::QueryDb f;
  const auto samples = test::irregular_samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, k_monday + 60h + 17min);  // the last 12 hours are the raw tail
  const std::vector<std::pair<util::Micros, util::Micros>> ranges{
      {0h, 72h},                                   // ongoing at the end
      {0h, 71h + 57min + 30s},                     // ends inside the last run
      {14h + 10s, 20h},                            // starts inside the 30 s outage
      {23h + 59min + 1s, 24h + 5min},              // inside the run across midnight
      {1h + 3min + 7s + 500ms, 65h + 1s},          // unaligned
      {6h, 12h},                                   // one probe a minute
      {13h + 5min, 13h + 20min},                   // inside the pause
      {71h + 58min, 72h},                          // down from start to end
      {15h + 1min + 19s + 1ms, 15h + 1min + 21s},  // a few samples
  };
  for (auto [from, to] : ranges) {
    for (util::Micros min : {0s, 1s, 29s, 30s, 31s, 120s, 300s, 540s, 3600s, 10'800s}) {
      auto reader = f.reader();
      auto got = query::downtime_periods(reader, f.target, k_monday + from, k_monday + to, min);
      REQUIRE(got);
      auto want = analyze::detect_downtime(test::between(samples, k_monday + from, k_monday + to), min, k_monday + to);
      INFO("range " << util::format_iso_utc(k_monday + from) << " .. " << util::format_iso_utc(k_monday + to)
                    << ", min " << util::format_duration(min) << "\ngot:\n"
                    << show(*got) << "want:\n"
                    << show(want));
      CHECK(*got == want);
    }
  }
}

TEST_CASE(
    "irregular samples: a loss before a silence lasts until the next burst; a pause without loss is no "
    "downtime") {
  test::QueryDb f;
  const auto samples = test::irregular_samples(f.target.id);
  f.insert(samples);
  f.roll_up(samples, k_monday + 72h);
  auto reader = f.reader();
  auto bursts = query::downtime_periods(reader, f.target, k_monday, k_monday + 6h, 5min);
  REQUIRE(bursts);
  INFO(show(*bursts));
  // Every third burst ends with a loss: down from it to the next burst.
  for (auto burst = k_monday; burst < k_monday + 6h; burst += 30min) {
    CAPTURE(util::format_iso_utc(burst));
    CHECK(std::any_of(bursts->begin(), bursts->end(), [&](const auto& p) {
      return p.start <= burst + 29s + 900ms && p.end >= burst + 10min && p.end < burst + 10min + 1s;
    }));
  }
  for (const auto& p : *bursts) CHECK(p.duration() > 9min);
  auto pause = query::downtime_periods(reader, f.target, k_monday + 12h, k_monday + 18h, 30s);
  REQUIRE(pause);
  INFO(show(*pause));
  REQUIRE(pause->size() == 3);  // the pause at 13:00 is not among them; nor the 29 s at 14:30
  CHECK((*pause)[0] == analyze::DowntimePeriod{k_monday + 14h, k_monday + 14h + 30s, 30, false});
  CHECK((*pause)[1] == analyze::DowntimePeriod{k_monday + 15h + 45s, k_monday + 15h + 1min + 20s, 35, false});
  CHECK((*pause)[2] == analyze::DowntimePeriod{k_monday + 15h + 59min + 30s, k_monday + 16h + 40s, 70, false});
}

TEST_CASE("the minimum duration is inclusive: a 30 s outage counts at 30 s, not at 32 s") {
  Fixture x(k_monday + 48h);
  auto reader = x.f.reader();
  auto at30 = query::downtime_periods(reader, x.f.target, k_monday + 4h, k_monday + 5h + 10min, 30s);
  REQUIRE(at30);
  REQUIRE(at30->size() == 1);
  CHECK(at30->front().start == k_monday + 5h);
  CHECK(at30->front().end == k_monday + 5h + 30s);
  CHECK(at30->front().probes == 15);
  CHECK_FALSE(at30->front().ongoing);
  auto at32 = query::downtime_periods(reader, x.f.target, k_monday + 4h, k_monday + 5h + 10min, 32s);
  REQUIRE(at32);
  CHECK(at32->empty());
}

TEST_CASE("a loss followed by silence lasts until the next answer") {
  Fixture x(k_monday + 48h);
  auto reader = x.f.reader();
  auto got = query::downtime_periods(reader, x.f.target, k_monday + 14h, k_monday + 16h, 30s);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK(got->front().start == k_monday + 15h);
  CHECK(got->front().end == k_monday + 15h + 10min);
  CHECK(got->front().probes == 1);
}

TEST_CASE("nothing rolled up: the raw samples answer, exactly") {
  Fixture x(k_monday, 0.01);  // watermarks at the very start: no rows
  x.expect_exact(k_monday, k_monday + 48h, 30s);
  x.expect_exact(k_monday + 10h + 31min, k_monday + 11h, 0s);
}

TEST_CASE("where raw samples were pruned, rollup buckets without answers stand in") {
  Fixture x(k_monday + 48h);
  x.f.prune_raw(k_monday + 24h);
  auto reader = x.f.reader();
  auto got = query::downtime_periods(reader, x.f.target, k_monday, k_monday + 48h, 30s);
  REQUIRE(got);
  INFO(show(*got));
  REQUIRE(got->size() == 5);
  // 1h00m50s-1h02m: only the fully lost minute 1h01 is seen.
  CHECK((*got)[0] == analyze::DowntimePeriod{k_monday + 1h + 1min, k_monday + 1h + 2min, 30, false});
  // Exactly 30 s inside one minute: not seen (the minute had answers).
  // 10h30-11h40: whole minutes, exact.
  CHECK((*got)[1] == analyze::DowntimePeriod{k_monday + 10h + 30min, k_monday + 11h + 40min, 70 * 30, false});
  // One lost probe, then silence: until the next minute with data.
  CHECK((*got)[2] == analyze::DowntimePeriod{k_monday + 15h, k_monday + 15h + 10min, 1, false});
  // 23h59-24h01: the pruned minute 23h59 starts it, the raw samples end it.
  CHECK((*got)[3].start == k_monday + 23h + 59min);
  CHECK((*got)[3].end == k_monday + 24h + 1min);
  CHECK((*got)[3].probes == 30 + 30);
  // After the horizon, raw samples: exact.
  auto exact =
      analyze::detect_downtime(test::between(x.samples, k_monday + 24h + 2min, k_monday + 48h), 30s, k_monday + 48h);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].ongoing);
  CHECK((*got)[4] == exact[0]);
}

TEST_CASE("a range starting inside a pruned bucket starts no earlier than the range") {
  Fixture x(k_monday + 48h);
  x.f.prune_raw(k_monday + 24h);
  auto reader = x.f.reader();
  auto got = query::downtime_periods(reader, x.f.target, k_monday + 10h + 45min + 10s, k_monday + 12h, 30s);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK(got->front().start == k_monday + 10h + 45min + 10s);
  CHECK(got->front().end == k_monday + 11h + 40min);
}

TEST_CASE("downtime report: totals, availability, JSON") {
  Fixture x(k_monday + 48h);
  auto reader = x.f.reader();
  auto r = query::downtime(reader, x.f.target, k_monday + 10h, k_monday + 12h, 30s);
  REQUIRE(r);
  REQUIRE(r->periods.size() == 1);
  CHECK(r->total() == 70min);
  CHECK(r->availability_pct() == doctest::Approx(100.0 * 50.0 / 120.0));
  auto j = query::to_json(*r);
  CHECK(j["target"] == "lo");
  CHECK(j["from"] == "2026-03-02T10:00:00Z");
  CHECK(j["to"] == "2026-03-02T12:00:00Z");
  CHECK(j["min_duration_ms"] == 30000);
  CHECK(j["downtime_ms"] == 4'200'000);
  CHECK(j["availability_pct"] == 41.6667);
  REQUIRE(j["periods"].size() == 1);
  CHECK(j["periods"][0]["start"] == "2026-03-02T10:30:00Z");
  CHECK(j["periods"][0]["end"] == "2026-03-02T11:40:00Z");
  CHECK(j["periods"][0]["duration_ms"] == 4'200'000);
  CHECK(j["periods"][0]["probes"] == 2100);
  CHECK(j["periods"][0]["ongoing"] == false);

  auto empty = query::downtime(reader, x.f.target, k_monday + 10h, k_monday + 10h, 30s);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().kind == ErrorKind::invalid_input);
}

TEST_SUITE_END();
