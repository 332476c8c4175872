#include "maintain/synthetic.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace pk::maintain {

namespace {

using std::chrono::seconds;

constexpr double k_day_s = 86400.0;
constexpr double k_week_s = 7 * k_day_s;
constexpr std::int64_t k_send_jitter_us = 400;
constexpr double k_min_outage_s = 120;
constexpr double k_max_outage_s = 480;
// Gilbert-Elliott: the bad state lasts 1 / k_bad_to_good probes on average
// and loses k_bad_loss of them; the good state loses k_good_loss.
constexpr double k_bad_to_good = 0.25;
constexpr double k_bad_loss = 0.5;
constexpr double k_good_loss = 0.0002;
constexpr double k_bad_slowdown = 1.5;
constexpr double k_jitter_sigma = 0.6;

// The daily shape at each local hour 00..23 (0 = quietest, 1 = busiest),
// interpolated linearly in between: quiet before dawn, a plateau through
// the working day, the peak in the evening.
constexpr std::array<double, 24> k_shape = {0.55, 0.40, 0.25, 0.12, 0.05, 0.00, 0.05, 0.15, 0.30, 0.40, 0.45, 0.48,
                                            0.50, 0.50, 0.50, 0.52, 0.58, 0.66, 0.78, 0.90, 0.98, 1.00, 0.92, 0.75};

// SplitMix64's finaliser: a bijective mix of 64 bits.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t key_of(std::uint64_t seed, int index, std::uint64_t stream) {
  return mix(mix(mix(seed) ^ static_cast<std::uint64_t>(index)) ^ stream);
}

// Uniform in [0, 1) from the top 53 bits.
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double uniform(std::mt19937_64& rng, double lo, double hi) { return lo + (hi - lo) * uniform(rng); }
// Standard normal by Box-Muller (one of the pair).
double normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform(rng);  // (0, 1]
  const double u2 = uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}
// Exponential with the given mean.
double exponential(std::mt19937_64& rng, double mean) { return -mean * std::log(1.0 - uniform(rng)); }

}  // namespace

SyntheticProfile synthetic_profile(std::uint64_t seed, int index) {
  std::mt19937_64 rng(key_of(seed, index, 1));
  SyntheticProfile p;
  p.base_rtt_us = std::exp(uniform(rng, std::log(5000.0), std::log(80000.0)));
  p.evening_boost = uniform(rng, 0.20, 0.40);
  p.jitter_fraction = uniform(rng, 0.02, 0.08);
  p.loss_rate = uniform(rng, 0.001, 0.0035);
  p.spike_probability = uniform(rng, 0.0003, 0.001);
  p.outages_per_week = uniform(rng, 1.0, 3.0);
  p.ttl = 50 + static_cast<int>(uniform(rng) * 11);
  return p;
}

SyntheticHistory::SyntheticHistory(const SyntheticSpec& spec)
    : m_spec(spec),
      m_profile(synthetic_profile(spec.seed, spec.index)),
      m_key(key_of(spec.seed, spec.index, 2)),
      m_rng(key_of(spec.seed, spec.index, 3)) {
  if (m_spec.zone == nullptr) m_spec.zone = date::locate_zone("UTC");
  // The bad state's share that gives the profile's long-run loss rate.
  const double bad_share = (m_profile.loss_rate - k_good_loss) / (k_bad_loss - k_good_loss);
  m_p_good_to_bad = bad_share * k_bad_to_good / (1.0 - bad_share);
  plan_outages();
}

util::SysMicros SyntheticHistory::ts_of(std::int64_t i) const {
  const auto jitter = static_cast<std::int64_t>(mix(m_key ^ static_cast<std::uint64_t>(i)) %
                                                static_cast<std::uint64_t>(k_send_jitter_us));
  return m_spec.start + m_spec.interval * i + util::Micros{jitter};
}

void SyntheticHistory::plan_outages() {
  std::mt19937_64 rng(key_of(m_spec.seed, m_spec.index, 4));
  const double interval_s = std::chrono::duration<double>(m_spec.interval).count();
  const double mean_gap = k_week_s / m_profile.outages_per_week / interval_s;  // in probes
  // Each outage starts at least one answered probe after the previous one
  // (or the start), and one answered probe must follow it.
  std::int64_t pos = 0;
  while (true) {
    const double gap = exponential(rng, mean_gap);
    const double length_s = uniform(rng, k_min_outage_s, k_max_outage_s);
    if (gap >= static_cast<double>(m_spec.count)) break;
    const std::int64_t first = pos + std::max<std::int64_t>(1, std::llround(gap));
    const auto probes = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(length_s / interval_s)));
    const std::int64_t last = first + probes;
    if (last >= m_spec.count) break;
    m_spans.push_back({first, last});
    m_outages.push_back({ts_of(first), ts_of(last), probes});
    pos = last;
  }
}

double SyntheticHistory::daily_shape(util::SysMicros ts) {
  if (ts < m_offset_begin || ts >= m_offset_end) {
    const auto info = m_spec.zone->get_info(date::floor<seconds>(ts));
    m_offset = info.offset;
    m_offset_begin = info.begin;
    m_offset_end = info.end;
  }
  const auto local_us = util::to_epoch_us(ts + m_offset);
  const double s = static_cast<double>(((local_us % 86'400'000'000) + 86'400'000'000) % 86'400'000'000) / 1e6;
  const double hour = s / 3600.0;
  const auto h = static_cast<std::size_t>(hour) % 24;
  const double frac = hour - std::floor(hour);
  return k_shape[h] + (k_shape[(h + 1) % 24] - k_shape[h]) * frac;
}

core::Sample SyntheticHistory::make_sample(std::int64_t i) {
  // Every sample takes the same draws, whatever happens to it.
  const double u_state = uniform(m_rng);
  const double u_loss = uniform(m_rng);
  const double z = normal(m_rng);
  const double u_spike = uniform(m_rng);
  const double u_spike_size = uniform(m_rng);
  m_bad = m_bad ? u_state >= k_bad_to_good : u_state < m_p_good_to_bad;

  core::Sample s;
  s.target_id = m_spec.target_id;
  s.ts = ts_of(i);

  while (m_span < m_spans.size() && m_spans[m_span].last < i) ++m_span;
  const bool in_outage = m_span < m_spans.size() && m_spans[m_span].first <= i && i < m_spans[m_span].last;
  // The probes that frame an outage are answered (see SyntheticOutage).
  const bool frames_outage = m_span < m_spans.size() && (i + 1 == m_spans[m_span].first || i == m_spans[m_span].last);
  const bool lost = in_outage || (!frames_outage && u_loss < (m_bad ? k_bad_loss : k_good_loss));
  if (lost) {
    s.status = core::SampleStatus::timeout;
    return s;
  }
  const auto& p = m_profile;
  double rtt = p.base_rtt_us * (1.0 + p.evening_boost * daily_shape(s.ts));
  rtt += p.base_rtt_us * p.jitter_fraction * std::exp(k_jitter_sigma * z);
  if (m_bad) rtt *= k_bad_slowdown;
  if (u_spike < p.spike_probability) rtt += p.base_rtt_us * (2.0 + 5.0 * u_spike_size);
  s.rtt = util::Micros{std::max<std::int64_t>(1, std::llround(rtt))};
  s.status = core::SampleStatus::ok;
  s.ttl = p.ttl;
  return s;
}

std::size_t SyntheticHistory::next(std::vector<core::Sample>& out, std::size_t max) {
  out.clear();
  while (out.size() < max && m_next < m_spec.count) out.push_back(make_sample(m_next++));
  return out.size();
}

}  // namespace pk::maintain
