#pragma once

// Shared by the rollup pass and retention tests: a database with targets,
// synthetic samples, and aggregates computed directly from raw samples.

#include "fixture.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/source.hpp"
#include "core/target.hpp"
#include "store/db.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace pk::test {

// 2026-09-21T00:00:00Z: a UTC midnight.
inline const util::SysMicros k_midnight = util::from_epoch_us(1'789'948'800'000'000);

struct RollupDb {
  TempDir dir;
  store::Database db = *store::Database::open(dir.file("a.db"));
  std::vector<std::int64_t> ids;

  explicit RollupDb(int targets = 2) {
    std::vector<core::Target> ts;
    for (int i = 0; i < targets; ++i) {
      core::TargetPatch p;
      p.name = "t" + std::to_string(i);
      p.paused = true;  // never probed
      ts.push_back(*core::make_target("192.0.2." + std::to_string(i + 1), p));
    }
    auto added = store::targets::add(db, ts, k_midnight);
    REQUIRE(added);
    for (const auto& t : *added) ids.push_back(t.id);
  }
};

// Samples of one target every `interval` over [from, to): lognormal RTTs in
// whole µs, 3 % lost, deterministic for a seed.
inline std::vector<core::Sample> make_samples(std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                                              util::Micros interval, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> rtt(std::log(20000.0), 0.4);
  std::bernoulli_distribution lost(0.03);
  std::vector<core::Sample> out;
  for (auto t = from; t < to; t += interval) {
    core::Sample s;
    s.target_id = target_id;
    s.ts = t;
    if (lost(rng)) {
      s.status = core::SampleStatus::timeout;
    } else {
      s.rtt = util::Micros{static_cast<std::int64_t>(std::round(rtt(rng)))};
    }
    out.push_back(s);
  }
  return out;
}

inline void insert(const store::Database& db, const std::vector<core::Sample>& samples) {
  for (std::size_t i = 0; i < samples.size(); i += 5000) {
    auto end = std::min(samples.size(), i + 5000);
    REQUIRE(store::samples::insert_batch(db, std::span(samples).subspan(i, end - i)));
  }
}

// Aggregates of one target's stored raw samples per bucket of `width`, for
// buckets in [from, to).
inline std::map<util::SysMicros, analyze::Aggregate> direct(const store::Database& db, std::int64_t target_id,
                                                            util::Micros width, util::SysMicros from,
                                                            util::SysMicros to) {
  store::samples::Query q;
  q.target_id = target_id;
  q.since = from;
  q.until = to;
  auto samples = store::samples::select(db, q);
  REQUIRE(samples);
  std::map<util::SysMicros, analyze::Aggregate> out;
  for (const auto& s : *samples) out[analyze::floor_to(s.ts, width)].add(s);
  return out;
}

inline void check_close(double a, double b) { CHECK(std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b))); }

// Rows equal aggregates computed from raw: counts, min, max, first, last,
// jitter, sketch and answer gaps exactly; mean and stddev within 1e-9 relative.
inline void check_equivalent(const analyze::Aggregate& got, const analyze::Aggregate& want) {
  const auto& g = got.summary.parts();
  const auto& w = want.summary.parts();
  CHECK(g.sent == w.sent);
  CHECK(g.received == w.received);
  CHECK(g.min == w.min);
  CHECK(g.max == w.max);
  CHECK(g.first_rtt == w.first_rtt);
  CHECK(g.last_rtt == w.last_rtt);
  CHECK(g.jitter_sum == w.jitter_sum);
  CHECK(g.jitter_count == w.jitter_count);
  CHECK(got.sketch == want.sketch);
  CHECK(got.answers == want.answers);
  check_close(g.mean, w.mean);
  REQUIRE(got.summary.stddev().has_value() == want.summary.stddev().has_value());
  if (want.summary.stddev()) check_close(*got.summary.stddev(), *want.summary.stddev());
}

// Every row of `tier` for the target in [from, to) against raw.
inline void check_tier_matches_raw(const store::Database& db, analyze::Tier tier, std::int64_t target_id,
                                   util::SysMicros from, util::SysMicros to) {
  CAPTURE(analyze::to_string(tier));
  auto rows = store::rollups::range(db, tier, target_id, from, to);
  REQUIRE(rows);
  auto want = direct(db, target_id, analyze::tier_width(tier), from, to);
  REQUIRE(rows->size() == want.size());
  for (const auto& row : *rows) {
    CAPTURE(util::format_iso_utc(row.bucket));
    REQUIRE(want.count(row.bucket) == 1);
    check_equivalent(row.aggregate, want.at(row.bucket));
  }
}

inline std::int64_t count_rows(const store::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  st.step();
  return st.int64(0);
}

}  // namespace pk::test
