#pragma once

#include "core/sample.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace date {
class time_zone;
}

// Synthetic, realistic latency history for `pingkeeper demo` and the
// benchmarks. Pure and deterministic: the same spec gives the same samples on
// every machine (std::mt19937_64 is fully specified; the distributions are our
// own, not libstdc++'s implementation-defined ones). No I/O, no clock.
namespace pk::maintain {

// What to generate: `count` samples of one target, sample i sent at
// start + i * interval plus a send jitter of 0-399 µs (a pure function of
// seed, index and i, so timestamps stay strictly increasing for any
// interval >= 1 ms).
struct SyntheticSpec {
  std::uint64_t seed = 1;
  int index = 1;               // which target (1-based): each index has its own profile
  std::int64_t target_id = 0;  // the id the samples carry
  util::SysMicros start{};
  std::int64_t count = 0;
  util::Micros interval = std::chrono::seconds{1};
  const date::time_zone* zone = nullptr;  // the daily cycle's zone; null means UTC
};

// The character of one target, drawn from (seed, index).
struct SyntheticProfile {
  double base_rtt_us = 0;        // 5-80 ms, log-uniform
  double evening_boost = 0;      // 0.20-0.40: the mean RTT at the evening peak is this much higher
  double jitter_fraction = 0;    // 0.02-0.08: scale of the log-normal jitter, relative to the base
  double loss_rate = 0;          // 0.1-0.35 %: long-run loss of the Gilbert-Elliott model; outages add ~0.1-0.2 %
  double spike_probability = 0;  // 0.03-0.1 % of answers are 2-7x the base higher
  double outages_per_week = 0;   // 1-3
  int ttl = 0;                   // 50-60, the TTL of every answer
};

// A planned outage: every probe sent in [start, end) is lost with status
// timeout. start is the first lost probe's ts, end the ts of the first probe
// after it, and the probes right before and right after are answered, so
// downtime detection over the samples finds exactly [start, end).
struct SyntheticOutage {
  util::SysMicros start{};
  util::SysMicros end{};
  std::int64_t probes = 0;
  friend bool operator==(const SyntheticOutage&, const SyntheticOutage&) = default;
};

// The profile of target `index` under `seed`.
SyntheticProfile synthetic_profile(std::uint64_t seed, int index);

// A pull-style generator: next() hands out the samples in time order, in
// chunks, so memory stays constant however long the history. Outages are
// planned up front (roughly 1-3 a week, each 2-8 minutes, at least one probe)
// and lie entirely inside the range.
//
// Model of an answer's RTT: base x (1 + evening_boost x daily shape), where
// the shape is 0 around 05:00 and 1 around 21:00 local time in spec.zone,
// plus log-normal jitter, 50 % more while the loss model is in its bad state,
// and rare spikes. Loss is bursty: a two-state Gilbert-Elliott chain (bad
// runs of about 4 probes losing half of them, and a 0.02 % background loss).
// Preconditions: count >= 0, interval >= 1 ms.
class SyntheticHistory {
 public:
  explicit SyntheticHistory(const SyntheticSpec& spec);

  const SyntheticProfile& profile() const { return m_profile; }
  const std::vector<SyntheticOutage>& outages() const { return m_outages; }
  std::int64_t size() const { return m_spec.count; }
  std::int64_t generated() const { return m_next; }
  bool done() const { return m_next >= m_spec.count; }

  // Replaces the content of `out` with the next samples, at most `max`;
  // returns how many (0 once done()). The result does not depend on how the
  // history is cut into chunks.
  std::size_t next(std::vector<core::Sample>& out, std::size_t max);

 private:
  // An outage in sample indexes: samples [first, last) are lost.
  struct Span {
    std::int64_t first = 0;
    std::int64_t last = 0;
  };

  util::SysMicros ts_of(std::int64_t i) const;
  void plan_outages();
  double daily_shape(util::SysMicros ts);
  core::Sample make_sample(std::int64_t i);

  SyntheticSpec m_spec;
  SyntheticProfile m_profile;
  std::uint64_t m_key = 0;  // the target's own hash key
  std::mt19937_64 m_rng;
  std::vector<Span> m_spans;
  std::vector<SyntheticOutage> m_outages;
  std::size_t m_span = 0;  // the first span that does not end before m_next
  std::int64_t m_next = 0;
  bool m_bad = false;  // Gilbert-Elliott state
  double m_p_good_to_bad = 0;
  // The zone's UTC offset, valid for [m_offset_begin, m_offset_end).
  util::SysMicros m_offset_begin = util::SysMicros::max();
  util::SysMicros m_offset_end = util::SysMicros::min();
  std::chrono::seconds m_offset{};
};

}  // namespace pk::maintain
