#include "maintain/synthetic.hpp"

#include "analyze/downtime.hpp"
#include "core/sample.hpp"
#include "util/time.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <vector>

using namespace std::chrono_literals;
using pk::core::Sample;
using pk::core::SampleStatus;
using pk::maintain::SyntheticHistory;
using pk::maintain::SyntheticOutage;
using pk::maintain::SyntheticSpec;
using pk::util::SysMicros;

TEST_SUITE_BEGIN("maintain");

namespace {

// 2026-11-02 00:00:00 UTC.
const SysMicros k_start = pk::util::from_epoch_us(1'793'577'600'000'000);

SyntheticSpec spec(std::uint64_t seed, int index, std::int64_t count, pk::util::Micros interval = 1s) {
  SyntheticSpec s;
  s.seed = seed;
  s.index = index;
  s.target_id = 7;
  s.start = k_start;
  s.count = count;
  s.interval = interval;
  return s;
}

// Every sample of a history, taken `chunk` at a time.
std::vector<Sample> all(SyntheticHistory& h, std::size_t chunk = 10000) {
  std::vector<Sample> out;
  std::vector<Sample> part;
  while (h.next(part, chunk) > 0) out.insert(out.end(), part.begin(), part.end());
  return out;
}

bool inside(const SyntheticOutage& o, SysMicros ts) { return o.start <= ts && ts < o.end; }

}  // namespace

TEST_CASE("synthetic: the same spec gives the same samples, however they are chunked") {
  SyntheticHistory a(spec(42, 3, 20000));
  SyntheticHistory b(spec(42, 3, 20000));
  const auto xs = all(a, 7);
  const auto ys = all(b, 4096);
  CHECK(xs.size() == 20000);
  CHECK(xs == ys);
  CHECK(a.outages() == b.outages());
  CHECK(a.done());
  std::vector<Sample> more;
  CHECK(a.next(more, 10) == 0);
  CHECK(more.empty());
}

TEST_CASE("synthetic: different seeds and different targets differ") {
  SyntheticHistory a(spec(1, 1, 5000));
  SyntheticHistory b(spec(2, 1, 5000));
  SyntheticHistory c(spec(1, 2, 5000));
  const auto xs = all(a);
  CHECK(xs != all(b));
  CHECK(xs != all(c));
  CHECK(a.profile().base_rtt_us != b.profile().base_rtt_us);
  CHECK(a.profile().base_rtt_us != c.profile().base_rtt_us);
}

TEST_CASE("synthetic: profiles stay in their bands") {
  for (int k = 1; k <= 200; ++k) {
    const auto p = pk::maintain::synthetic_profile(9, k);
    CHECK(p.base_rtt_us >= 5000);
    CHECK(p.base_rtt_us <= 80000);
    CHECK(p.evening_boost >= 0.2);
    CHECK(p.evening_boost <= 0.4);
    CHECK(p.loss_rate >= 0.001);
    CHECK(p.loss_rate <= 0.0035);
    CHECK(p.outages_per_week >= 1);
    CHECK(p.outages_per_week <= 3);
    CHECK(p.ttl >= 50);
    CHECK(p.ttl <= 60);
  }
}

TEST_CASE("synthetic: timestamps, statuses and fields") {
  SUBCASE("no samples") {
    SyntheticHistory h(spec(1, 1, 0));
    CHECK(h.done());
    CHECK(all(h).empty());
    CHECK(h.outages().empty());
  }
  SUBCASE("one a second, send jitter below 400 us, answers with RTT and TTL, losses without") {
    SyntheticHistory h(spec(5, 1, 50000));
    const auto xs = all(h);
    REQUIRE(xs.size() == 50000);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const auto slot = k_start + 1s * static_cast<std::int64_t>(i);
      CHECK(xs[i].target_id == 7);
      CHECK(xs[i].ts >= slot);
      CHECK(xs[i].ts < slot + 400us);
      CHECK_FALSE(xs[i].detail);
      if (xs[i].status == SampleStatus::ok) {
        REQUIRE(xs[i].rtt);
        CHECK(xs[i].rtt->count() > 0);
        CHECK(xs[i].ttl == h.profile().ttl);
      } else {
        CHECK(xs[i].status == SampleStatus::timeout);
        CHECK_FALSE(xs[i].rtt);
        CHECK_FALSE(xs[i].ttl);
      }
    }
  }
}

TEST_CASE("synthetic: loss is rare and bursty") {
  // 14 days at 1 s for three targets, outages left out.
  for (int k = 1; k <= 3; ++k) {
    SyntheticHistory h(spec(11, k, 14 * 86400));
    std::int64_t sent = 0, lost = 0, pairs = 0, lost_pairs = 0;
    bool previous_lost = false;
    std::size_t o = 0;
    std::vector<Sample> part;
    while (h.next(part, 65536) > 0) {
      for (const auto& s : part) {
        while (o < h.outages().size() && h.outages()[o].end <= s.ts) ++o;
        if (o < h.outages().size() && inside(h.outages()[o], s.ts)) {
          previous_lost = false;
          continue;
        }
        const bool is_lost = s.status != SampleStatus::ok;
        ++sent;
        lost += is_lost;
        if (previous_lost) {
          ++pairs;
          lost_pairs += is_lost;
        }
        previous_lost = is_lost;
      }
    }
    const double rate = static_cast<double>(lost) / static_cast<double>(sent);
    INFO("target " << k << ": loss " << rate * 100 << " %, profile " << h.profile().loss_rate * 100 << " %");
    CHECK(rate >= 0.0005);
    CHECK(rate <= 0.006);
    // Bursty: a loss follows a loss far more often than the loss rate alone would give.
    REQUIRE(pairs > 0);
    CHECK(static_cast<double>(lost_pairs) / static_cast<double>(pairs) > 20 * rate);
  }
}

TEST_CASE("synthetic: outages lie inside the range, last 2-8 minutes, and lose every probe") {
  // 20 targets x 4 weeks at 10 s.
  const auto interval = 10s;
  const std::int64_t count = 28 * 8640;
  std::size_t total = 0;
  for (int k = 1; k <= 20; ++k) {
    SyntheticHistory h(spec(3, k, count, interval));
    const auto xs = all(h);
    const auto& outages = h.outages();
    total += outages.size();
    for (std::size_t n = 0; n < outages.size(); ++n) {
      const auto& o = outages[n];
      CHECK(o.start >= k_start);
      CHECK(o.end < k_start + interval * count);
      CHECK(o.end - o.start >= 2min - 1ms);
      CHECK(o.end - o.start <= 8min + interval);
      CHECK(o.probes == std::chrono::round<std::chrono::seconds>(o.end - o.start) / interval);
      if (n > 0) CHECK(outages[n - 1].end < o.start);
    }
    // Every probe inside an outage is lost; the ones framing it are answered.
    std::size_t o = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      while (o < outages.size() && outages[o].end < xs[i].ts) ++o;
      if (o == outages.size()) break;
      if (inside(outages[o], xs[i].ts)) {
        CHECK(xs[i].status == SampleStatus::timeout);
        CHECK_FALSE(xs[i].rtt);
      }
      if (xs[i].ts == outages[o].end || (i + 1 < xs.size() && xs[i + 1].ts == outages[o].start)) {
        CHECK(xs[i].status == SampleStatus::ok);
      }
    }
  }
  // 1-3 a week per target on average: 20 targets x 4 weeks -> 80-240 expected.
  INFO("outages: " << total);
  CHECK(total >= 60);
  CHECK(total <= 280);
}

TEST_CASE("synthetic: downtime detection finds exactly the planned outages") {
  // A week at 1 s: loss bursts never last a minute, outages always do.
  for (int k = 1; k <= 4; ++k) {
    SyntheticHistory h(spec(21, k, 7 * 86400));
    pk::analyze::DowntimeDetector detector(60s);
    std::vector<Sample> part;
    while (h.next(part, 65536) > 0) {
      for (const auto& s : part) detector.add(s);
    }
    const auto found = detector.finish();
    REQUIRE(found.size() == h.outages().size());
    for (std::size_t n = 0; n < found.size(); ++n) {
      CHECK(found[n].start == h.outages()[n].start);
      CHECK(found[n].end == h.outages()[n].end);
      CHECK(found[n].probes == h.outages()[n].probes);
    }
  }
}

TEST_CASE("synthetic: the daily cycle follows local time") {
  // Two weeks at 30 s in New York (spanning nothing special) and in Tokyo:
  // the evening (19-22 h local) is slower than the early morning (03-06 h).
  for (const char* zone_name : {"America/New_York", "Asia/Tokyo"}) {
    const auto* zone = date::locate_zone(zone_name);
    auto s = spec(8, 1, 14 * 2880, 30s);
    s.zone = zone;
    SyntheticHistory h(s);
    double evening = 0, morning = 0;
    int n_evening = 0, n_morning = 0;
    for (const auto& x : all(h)) {
      if (!x.rtt) continue;
      const auto local = zone->to_local(date::floor<std::chrono::seconds>(x.ts));
      const auto hour = date::make_time(local - date::floor<date::days>(local)).hours().count();
      if (hour >= 19 && hour < 22) {
        evening += static_cast<double>(x.rtt->count());
        ++n_evening;
      } else if (hour >= 3 && hour < 6) {
        morning += static_cast<double>(x.rtt->count());
        ++n_morning;
      }
    }
    REQUIRE(n_evening > 0);
    REQUIRE(n_morning > 0);
    const double ratio = (evening / n_evening) / (morning / n_morning);
    INFO(zone_name << ": evening / morning mean RTT " << ratio);
    CHECK(ratio > 1.12);
    CHECK(ratio < 1.5);
  }
}
