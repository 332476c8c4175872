#pragma once

// Test data for the query tests (test_query_*.cpp): a database with one
// target, a synthetic history of samples, and rollup rows built from those
// samples (the same Aggregates the rollup pass stores), with watermarks.

#include "fixture.hpp"
#include "query/reader.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/downtime.hpp"
#include "core/target.hpp"
#include "store/db.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace pk::test {

using namespace std::chrono_literals;

// 2026-03-02 00:00:00 UTC, a Monday.
inline const util::SysMicros k_monday = util::from_epoch_us(1'772'409'600'000'000);

inline core::Sample make_sample(std::int64_t target_id, util::SysMicros ts, std::optional<std::int64_t> rtt_us) {
  core::Sample s;
  s.target_id = target_id;
  s.ts = ts;
  if (rtt_us) s.rtt = util::Micros{*rtt_us};
  s.status = rtt_us ? core::SampleStatus::ok : core::SampleStatus::timeout;
  return s;
}

// A history: samples every `interval` from `start` for `length`, RTTs
// lognormal around 10-20 ms with a daily cycle, about 0.5 % single losses,
// and whatever `lost` says is lost (offsets from start, half-open) or
// `silent` leaves out (no samples: the collector was stopped).
struct History {
  util::SysMicros start = k_monday;
  util::Micros length = 24h;
  util::Micros interval = 2s;
  std::vector<std::pair<util::Micros, util::Micros>> lost;
  std::vector<std::pair<util::Micros, util::Micros>> silent;
  double random_loss = 0.005;
  unsigned seed = 4;

  std::vector<core::Sample> samples(std::int64_t target_id) const {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.35);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    auto inside = [](const auto& spans, util::Micros offset) {
      return std::any_of(spans.begin(), spans.end(),
                         [&](const auto& s) { return offset >= s.first && offset < s.second; });
    };
    std::vector<core::Sample> out;
    for (util::Micros offset{}; offset < length; offset += interval) {
      double r = noise(rng);
      double u = coin(rng);
      if (inside(silent, offset)) continue;
      const double day = std::sin(2 * std::numbers::pi * static_cast<double>(offset.count()) / 86'400e6);
      std::optional<std::int64_t> rtt = std::llround(12'000.0 * (1.0 + 0.3 * day) * std::exp(r));
      if (u < random_loss || inside(lost, offset)) rtt.reset();
      out.push_back(make_sample(target_id, start + offset, rtt));
    }
    return out;
  }
};

// Three days of samples spaced every way the collector, an import or the API
// could space them (offsets from Monday 00:00 UTC):
//  - 00:00-06:00 bursts of 300 probes 100 ms apart every 10 minutes (1,800
//    an hour, as at 2 s), 1 % lost, every third burst's last probe lost (a
//    loss, then silence until the next burst);
//  - 06:00-12:00 one probe a minute, 5 % lost, three lost at 08:00-08:02;
//  - 12:00-18:00 every second: nothing at all 13:00-13:10 (a paused
//    collector, no loss), lost 14:00:00-14:00:30 (exactly 30 s to the next
//    answer), 14:30:00-14:30:29 (29 s), 15:00:45-15:01:20 (a minute boundary),
//    15:59:30-16:00:40 (an hour boundary);
//  - 18:00-Tue 06:00 every 2 s, lost 23:58-Tue 00:03 (a day boundary);
//  - Tue 06:00-Thu 00:00 every 5 s give or take 2 s, 2 % lost, lost from Wed
//    23:55 on (still down at the end).
inline std::vector<core::Sample> irregular_samples(std::int64_t target_id) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::uniform_int_distribution<std::int64_t> jitter(-1'900'000, 2'000'000);
  std::vector<core::Sample> out;
  auto add = [&](util::Micros at, bool lost) {
    const auto rtt = 10'000 + static_cast<std::int64_t>(coin(rng) * 5'000);
    out.push_back(make_sample(target_id, k_monday + at, lost ? std::nullopt : std::optional<std::int64_t>{rtt}));
  };
  auto within = [](util::Micros at, util::Micros from, util::Micros to) { return at >= from && at < to; };
  for (util::Micros burst{}; burst < 6h; burst += 10min) {
    for (int i = 0; i < 300; ++i) {
      const bool last_lost = i == 299 && (burst / 10min) % 3 == 0;
      add(burst + 100ms * i, last_lost || coin(rng) < 0.01);
    }
  }
  for (auto at = util::Micros{6h}; at < 12h; at += 1min) add(at, within(at, 8h, 8h + 3min) || coin(rng) < 0.05);
  for (auto at = util::Micros{12h}; at < 18h; at += 1s) {
    if (within(at, 13h, 13h + 10min)) continue;
    add(at, within(at, 14h, 14h + 30s) || within(at, 14h + 30min, 14h + 30min + 29s) ||
                within(at, 15h + 45s, 15h + 1min + 20s) || within(at, 15h + 59min + 30s, 16h + 40s));
  }
  for (auto at = util::Micros{18h}; at < 30h; at += 2s) add(at, within(at, 23h + 58min, 24h + 3min));
  for (auto at = util::Micros{30h}; at < 72h; at += 5s) {
    add(at + util::Micros{jitter(rng)}, at >= 71h + 55min || coin(rng) < 0.02);
  }
  return out;
}

// A database file in a temporary folder with one target "lo" (2 s interval).
struct QueryDb {
  TempDir dir;
  store::Database db = open(dir.file("q.db"));
  core::Target target = add_target("lo", 2s);

  static store::Database open(const std::string& path) {
    auto db = store::Database::open(path);
    REQUIRE(db);
    return std::move(*db);
  }

  core::Target add_target(const std::string& name, util::Micros interval) {
    core::TargetPatch p;
    p.name = name;
    p.interval = interval;
    p.paused = true;
    auto t = core::make_target("127.0.0.1", p);
    REQUIRE(t);
    auto added = store::targets::add(db, {*t}, k_monday);
    REQUIRE(added);
    return added->front();
  }

  void insert(const std::vector<core::Sample>& samples) {
    for (std::size_t i = 0; i < samples.size(); i += 50'000) {
      auto end = std::min(samples.size(), i + 50'000);
      REQUIRE(store::samples::insert_batch(db, std::span(samples).subspan(i, end - i)));
    }
  }

  // Rolls `samples` (one target, time-ordered) up into every tier, each tier
  // up to `until` floored to its width, and sets the watermarks there.
  void roll_up(const std::vector<core::Sample>& samples, util::SysMicros until) {
    for (auto tier : {analyze::Tier::m1, analyze::Tier::h1, analyze::Tier::d1}) {
      const auto width = analyze::tier_width(tier);
      const auto watermark = analyze::floor_to(until, width);
      std::map<util::SysMicros, analyze::Aggregate> buckets;
      for (const auto& s : samples) {
        if (s.ts < watermark) buckets[analyze::floor_to(s.ts, width)].add(s);
      }
      std::vector<store::rollups::Row> rows;
      for (auto& [bucket, aggregate] : buckets) rows.push_back({samples.front().target_id, bucket, aggregate});
      store::Transaction tx(db);
      REQUIRE(store::rollups::upsert(db, tier, rows));
      tx.commit();
      REQUIRE(store::rollups::set_watermark(db, tier, watermark));
    }
  }

  // Deletes raw samples before `horizon` and records the raw horizon.
  void prune_raw(util::SysMicros horizon) {
    auto st = db.prepare("DELETE FROM samples WHERE ts < ?1");
    st.bind(1, util::to_epoch_us(horizon));
    st.run();
    REQUIRE(store::rollups::set_horizon(db, analyze::Tier::raw, horizon));
  }

  query::Reader reader() {
    auto r = query::Reader::open(db);
    REQUIRE(r);
    return std::move(*r);
  }
};

// The samples with ts in [from, to).
inline std::vector<core::Sample> between(const std::vector<core::Sample>& samples, util::SysMicros from,
                                         util::SysMicros to) {
  std::vector<core::Sample> out;
  for (const auto& s : samples) {
    if (s.ts >= from && s.ts < to) out.push_back(s);
  }
  return out;
}

}  // namespace pk::test
