#include "analyze/summary.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace pk::analyze {

void Summary::add(std::optional<double> rtt_us) {
  Parts& p = m_parts;
  ++p.sent;
  if (!rtt_us || !std::isfinite(*rtt_us)) return;
  double x = *rtt_us;
  ++p.received;
  if (p.received == 1) {
    p.mean = x;
    p.m2 = 0;
    p.min = x;
    p.max = x;
    p.first_rtt = x;
  } else {
    double delta = x - p.mean;
    p.mean += delta / static_cast<double>(p.received);
    p.m2 += delta * (x - p.mean);
    p.min = std::min(p.min, x);
    p.max = std::max(p.max, x);
    p.jitter_sum += std::fabs(x - p.last_rtt);
    ++p.jitter_count;
  }
  p.last_rtt = x;
}

void Summary::merge_after(const Summary& later) {
  Parts& a = m_parts;
  const Parts& b = later.m_parts;
  if (b.received == 0) {
    a.sent += b.sent;
    return;
  }
  if (a.received == 0) {
    std::uint64_t sent = a.sent + b.sent;
    a = b;
    a.sent = sent;
    return;
  }
  auto na = static_cast<double>(a.received);
  auto nb = static_cast<double>(b.received);
  double n = na + nb;
  double delta = b.mean - a.mean;
  a.mean += delta * nb / n;
  a.m2 += b.m2 + delta * delta * na * nb / n;
  a.min = std::min(a.min, b.min);
  a.max = std::max(a.max, b.max);
  a.jitter_sum += b.jitter_sum + std::fabs(b.first_rtt - a.last_rtt);
  a.jitter_count += b.jitter_count + 1;
  a.last_rtt = b.last_rtt;
  a.sent += b.sent;
  a.received += b.received;
}

std::uint64_t Summary::lost() const { return m_parts.sent > m_parts.received ? m_parts.sent - m_parts.received : 0; }

std::optional<double> Summary::loss_pct() const {
  if (m_parts.sent == 0) return std::nullopt;
  return static_cast<double>(lost()) * 100.0 / static_cast<double>(m_parts.sent);
}

std::optional<double> Summary::min() const {
  if (m_parts.received == 0) return std::nullopt;
  return m_parts.min;
}

std::optional<double> Summary::max() const {
  if (m_parts.received == 0) return std::nullopt;
  return m_parts.max;
}

std::optional<double> Summary::mean() const {
  if (m_parts.received == 0) return std::nullopt;
  return m_parts.mean;
}

std::optional<double> Summary::stddev() const {
  if (m_parts.received == 0) return std::nullopt;
  return std::sqrt(std::max(0.0, m_parts.m2) / static_cast<double>(m_parts.received));
}

std::optional<double> Summary::jitter() const {
  if (m_parts.jitter_count == 0) return std::nullopt;
  return m_parts.jitter_sum / static_cast<double>(m_parts.jitter_count);
}

Expected<Summary> Summary::from_parts(const Parts& p) {
  if (p.received > p.sent) return invalid_input("invalid summary: received exceeds sent");
  if (p.received == 0 ? p.jitter_count != 0 : p.jitter_count >= p.received) {
    return invalid_input("invalid summary: jitter count inconsistent with received");
  }
  for (double v : {p.mean, p.m2, p.min, p.max, p.first_rtt, p.last_rtt, p.jitter_sum}) {
    if (!std::isfinite(v) || v < 0) return invalid_input("invalid summary: negative or non-finite value");
  }
  if (p.min > p.max) return invalid_input("invalid summary: min exceeds max");
  Summary s;
  s.m_parts = p;
  return s;
}

}  // namespace pk::analyze
