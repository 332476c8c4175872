#pragma once

#include "analyze/aggregate.hpp"
#include "analyze/cover.hpp"
#include "query/reader.hpp"
#include "util/expected.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pk::query {

// The aggregate of one target's data over a plan's segments, in time order:
// raw samples are folded one by one, rollup rows merged. With `rtts`, the RTT
// (µs) of every answered raw sample read is appended to it.
Expected<analyze::Aggregate> fold(Reader& reader, std::int64_t target_id, const std::vector<analyze::Segment>& segments,
                                  std::vector<double>* rtts = nullptr);

// The q-quantile by the sketch's rank definition: the value at 0-based
// position floor(q * (n - 1)) of the sorted values. Reorders `values`.
// nullopt when `values` is empty or q is outside [0, 1].
std::optional<double> exact_quantile(std::vector<double>& values, double q);

}  // namespace pk::query
