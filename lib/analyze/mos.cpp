#include "analyze/mos.hpp"

#include <algorithm>
#include <cmath>

namespace pk::analyze {

namespace {

// NaN and negative values count as 0.
double non_negative(double v) { return std::isnan(v) ? 0.0 : std::max(0.0, v); }

}  // namespace

double r_factor(double avg_rtt_ms, double jitter_ms, double loss_pct) {
  double effective_latency = non_negative(avg_rtt_ms) + 2.0 * non_negative(jitter_ms) + 10.0;
  double loss = std::min(100.0, non_negative(loss_pct));
  double delay_impairment = effective_latency < 160.0 ? effective_latency / 40.0 : (effective_latency - 120.0) / 10.0;
  double r = 93.2 - delay_impairment - 2.5 * loss;
  if (std::isnan(r)) return 0.0;  // not reachable with sanitised inputs; kept as a guard
  return std::clamp(r, 0.0, 100.0);
}

double mos_from_r(double r) {
  r = std::isnan(r) ? 0.0 : std::clamp(r, 0.0, 100.0);
  double m = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
  return std::clamp(m, 1.0, 4.5);
}

double mos(double avg_rtt_ms, double jitter_ms, double loss_pct) {
  return mos_from_r(r_factor(avg_rtt_ms, jitter_ms, loss_pct));
}

}  // namespace pk::analyze
