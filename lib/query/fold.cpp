#include "query/fold.hpp"

#include "store/rollups.hpp"

#include <algorithm>
#include <cmath>

namespace pk::query {

Expected<analyze::Aggregate> fold(Reader& reader, std::int64_t target_id, const std::vector<analyze::Segment>& segments,
                                  std::vector<double>* rtts) {
  analyze::Aggregate total;
  for (const auto& segment : segments) {
    if (segment.tier == analyze::Tier::raw) {
      analyze::Aggregate part;
      auto read = reader.samples().for_each(target_id, segment.from, segment.to, [&](const core::Sample& sample) {
        part.add(sample);
        if (rtts != nullptr && sample.rtt) rtts->push_back(static_cast<double>(sample.rtt->count()));
      });
      if (!read) return std::unexpected(read.error());
      total.merge_after(part);
      continue;
    }
    auto rows = store::rollups::range(reader.db(), segment.tier, target_id, segment.from, segment.to);
    if (!rows) return std::unexpected(rows.error());
    for (const auto& row : *rows) total.merge_after(row.aggregate);
  }
  return total;
}

std::optional<double> exact_quantile(std::vector<double>& values, double q) {
  if (values.empty() || !(q >= 0.0 && q <= 1.0)) return std::nullopt;
  auto rank = static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1)));
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

}  // namespace pk::query
