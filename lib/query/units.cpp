#include "query/units.hpp"

#include <cmath>

namespace pk::query {

core::Json ms_json(std::optional<double> us) {
  if (!us) return nullptr;
  return std::round(*us) / 1000.0;
}

core::Json pct_json(std::optional<double> pct) {
  if (!pct) return nullptr;
  return std::round(*pct * 10000.0) / 10000.0;
}

std::int64_t round_ms(util::Micros d) { return std::chrono::round<std::chrono::milliseconds>(d).count(); }

}  // namespace pk::query
