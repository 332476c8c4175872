#include "analyze/source.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace pk::analyze {

using namespace std::chrono_literals;

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::raw: return "raw";
    case Tier::m1: return "1m";
    case Tier::h1: return "1h";
    case Tier::d1: return "1d";
  }
  return "raw";
}

util::Micros tier_width(Tier tier) {
  switch (tier) {
    case Tier::raw: return util::Micros::zero();
    case Tier::m1: return 60s;
    case Tier::h1: return 3600s;
    case Tier::d1: return 86400s;
  }
  return util::Micros::zero();
}

std::int64_t tier_points(Tier tier, util::Micros range, util::Micros raw_interval) {
  if (range <= util::Micros::zero()) return 0;
  const util::Micros interval = std::max(tier_width(tier), raw_interval);
  if (interval <= util::Micros::zero()) return std::numeric_limits<std::int64_t>::max();
  return range / interval;
}

Tier choose_tier(util::Micros range, std::size_t points_wanted, util::Micros raw_interval,
                 const std::array<bool, 4>& available) {
  constexpr std::array<Tier, 4> k_coarsest_first{Tier::d1, Tier::h1, Tier::m1, Tier::raw};
  for (Tier tier : k_coarsest_first) {
    if (!available[static_cast<std::size_t>(tier)]) continue;
    const auto points = tier_points(tier, range, raw_interval);
    if (points >= 0 && static_cast<std::uint64_t>(points) >= points_wanted) return tier;
  }
  for (Tier tier : {Tier::raw, Tier::m1, Tier::h1, Tier::d1}) {
    if (available[static_cast<std::size_t>(tier)]) return tier;
  }
  return Tier::raw;
}

}  // namespace pk::analyze
