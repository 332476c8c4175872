#include "probe/ping_stats.hpp"

#include <algorithm>
#include <cmath>

namespace pk::probe {

void PingStats::add_result(core::SampleStatus status, std::optional<util::Micros> rtt) {
  if (core::answered(status)) {
    ++m_received;
    if (rtt) {
      const std::int64_t us = rtt->count();
      ++m_rtt_count;
      m_min_us = m_rtt_count == 1 ? us : std::min(m_min_us, us);
      m_max_us = m_rtt_count == 1 ? us : std::max(m_max_us, us);
      const double x = static_cast<double>(us);
      const double delta = x - m_mean_us;
      m_mean_us += delta / static_cast<double>(m_rtt_count);
      m_m2 += delta * (x - m_mean_us);
    }
    return;
  }
  if (status != core::SampleStatus::timeout) ++m_errors;
}

double PingStats::loss_percent() const {
  if (m_transmitted <= 0 || m_received >= m_transmitted) return 0;
  return static_cast<double>(m_transmitted - m_received) * 100.0 / static_cast<double>(m_transmitted);
}

std::optional<double> PingStats::min_ms() const {
  if (m_rtt_count == 0) return std::nullopt;
  return static_cast<double>(m_min_us) / 1000.0;
}

std::optional<double> PingStats::avg_ms() const {
  if (m_rtt_count == 0) return std::nullopt;
  return m_mean_us / 1000.0;
}

std::optional<double> PingStats::max_ms() const {
  if (m_rtt_count == 0) return std::nullopt;
  return static_cast<double>(m_max_us) / 1000.0;
}

std::optional<double> PingStats::mdev_ms() const {
  if (m_rtt_count == 0) return std::nullopt;
  return std::sqrt(std::max(0.0, m_m2 / static_cast<double>(m_rtt_count))) / 1000.0;
}

}  // namespace pk::probe
