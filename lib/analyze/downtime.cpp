#include "analyze/downtime.hpp"

#include <algorithm>
#include <utility>

namespace pk::analyze {

DowntimeDetector::DowntimeDetector(util::Micros min_duration)
    : m_min_duration(std::max(min_duration, util::Micros::zero())) {}

void DowntimeDetector::add(const core::Sample& sample) {
  if (core::answered(sample.status)) {
    if (m_run) close_run(sample.ts, false);
    return;
  }
  if (!m_run) {
    m_run = DowntimePeriod{.start = sample.ts, .end = sample.ts, .probes = 0, .ongoing = false};
  }
  m_run->end = sample.ts;
  ++m_run->probes;
}

void DowntimeDetector::close_run(util::SysMicros end, bool ongoing) {
  DowntimePeriod period = *m_run;
  m_run.reset();
  period.end = std::max(end, period.end);
  period.ongoing = ongoing;
  if (period.duration() >= m_min_duration) m_periods.push_back(period);
}

std::vector<DowntimePeriod> DowntimeDetector::finish(std::optional<util::SysMicros> range_end) {
  if (m_run) close_run(range_end.value_or(m_run->end), true);
  return std::exchange(m_periods, {});
}

std::vector<DowntimePeriod> detect_downtime(const std::vector<core::Sample>& samples, util::Micros min_duration,
                                            std::optional<util::SysMicros> range_end) {
  DowntimeDetector detector(min_duration);
  for (const auto& sample : samples) detector.add(sample);
  return detector.finish(range_end);
}

double availability_pct(const std::vector<DowntimePeriod>& periods, util::SysMicros from, util::SysMicros to) {
  if (to <= from) return 100.0;
  std::vector<std::pair<util::SysMicros, util::SysMicros>> clipped;
  clipped.reserve(periods.size());
  for (const auto& p : periods) {
    auto start = std::max(p.start, from);
    auto end = std::min(p.end, to);
    if (start < end) clipped.emplace_back(start, end);
  }
  std::sort(clipped.begin(), clipped.end());
  util::Micros down{0};
  std::optional<std::pair<util::SysMicros, util::SysMicros>> current;
  for (const auto& interval : clipped) {
    if (current && interval.first <= current->second) {
      current->second = std::max(current->second, interval.second);
      continue;
    }
    if (current) down += current->second - current->first;
    current = interval;
  }
  if (current) down += current->second - current->first;
  const double window = static_cast<double>((to - from).count());
  const double pct = 100.0 * (1.0 - static_cast<double>(down.count()) / window);
  return std::clamp(pct, 0.0, 100.0);
}

}  // namespace pk::analyze
