#include "report/report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::report {

std::string describe_resolution(analyze::Tier resolution) {
  if (resolution == analyze::Tier::raw) return "raw samples";
  return fmt::format("{} buckets", analyze::to_string(resolution));
}

double progress_fraction(const ExportRequest& request, const query::ExportPosition& position) {
  const auto targets = request.scope.targets.size();
  if (targets == 0 || request.periods.empty()) return 1.0;
  // Within a target: the share of the periods' total length before `at`.
  util::Micros total{};
  util::Micros done{};
  for (const auto& p : request.periods) {
    total += p.end - p.begin;
    done += std::clamp(position.at, p.begin, p.end) - p.begin;
  }
  const double within =
      total.count() > 0 ? static_cast<double>(done.count()) / static_cast<double>(total.count()) : 1.0;
  const double fraction = (static_cast<double>(position.target_index) + within) / static_cast<double>(targets);
  return std::clamp(fraction, 0.0, 1.0);
}

}  // namespace pk::report
