#include "util/local_clock.hpp"

#include <date/tz.h>

#include <algorithm>

namespace pk::util {

namespace {

// 1899-12-30 to 1970-01-01: 25,569 days.
constexpr std::int64_t k_excel_epoch_days = 25'569;
constexpr double k_us_per_day = 86'400'000'000.0;

}  // namespace

std::chrono::seconds LocalClock::offset(SysMicros t) {
  if (t < m_begin || t >= m_end) {
    const auto info = m_zone->get_info(std::chrono::floor<std::chrono::seconds>(t));
    // A period without a transition before or after runs to sys_seconds'
    // extremes, which microseconds cannot hold: clamp to what they can.
    const auto clamp = [](date::sys_seconds s) {
      constexpr date::sys_seconds k_lo =
          std::chrono::floor<std::chrono::seconds>(SysMicros::min()) + std::chrono::seconds{1};
      constexpr date::sys_seconds k_hi = std::chrono::floor<std::chrono::seconds>(SysMicros::max());
      return SysMicros{std::clamp(s, k_lo, k_hi)};
    };
    m_begin = clamp(info.begin);
    m_end = info.end >= std::chrono::floor<std::chrono::seconds>(SysMicros::max()) ? SysMicros::max() : clamp(info.end);
    m_offset = info.offset;
  }
  return m_offset;
}

double LocalClock::excel_serial(SysMicros t) {
  const std::int64_t local_us = to_epoch_us(t) + std::chrono::microseconds{offset(t)}.count();
  // Whole days and the rest separately, so the sum keeps µs resolution.
  const std::int64_t day_us = 86'400'000'000;
  std::int64_t days = local_us / day_us;
  std::int64_t rest = local_us % day_us;
  if (rest < 0) {
    rest += day_us;
    --days;
  }
  return static_cast<double>(days + k_excel_epoch_days) + static_cast<double>(rest) / k_us_per_day;
}

}  // namespace pk::util
