#pragma once

#include "analyze/source.hpp"
#include "core/json.hpp"
#include "core/target.hpp"
#include "query/reader.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pk::query {

// What a series plots per bucket: an RTT statistic (ms) or the loss (%).
enum class Metric { avg, min, max, median, p95, p99, jitter, loss };
// "avg", "min", "max", "median", "p95", "p99", "jitter", "loss".
Expected<Metric> parse_metric(std::string_view text);
std::string_view to_string(Metric metric);
std::string_view unit_of(Metric metric);  // "ms" or "%"

inline constexpr std::size_t k_default_points = 800;
inline constexpr std::size_t k_max_points = 100'000;

struct SeriesQuery {
  util::SysMicros from{};
  util::SysMicros to{};
  std::size_t points = k_default_points;
  Metric metric = Metric::avg;
};

struct SeriesPoint {
  util::SysMicros time{};       // the bucket's start
  std::optional<double> value;  // ms or %; nullopt when the bucket had no answer (loss: nothing sent)
  friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

struct Series {
  std::int64_t target_id = 0;
  std::string target;
  Metric metric = Metric::avg;
  util::SysMicros from{};
  util::SysMicros to{};
  analyze::Tier source = analyze::Tier::raw;  // the coarsest tier read
  util::Micros bucket_width{};
  std::vector<SeriesPoint> points;
};

// The metric over [from, to) in at most `points` points. The tier comes from
// analyze::choose_tier (range, points, the target's interval, tiers holding
// the range's start); buckets are a whole number of that tier's width (of the
// target's interval for raw), epoch-aligned, as few as give at most `points`
// buckets; each bucket merges the rows and raw samples inside it (finer tiers
// and raw at the edges and after the watermarks, see analyze::plan_cover).
// Every bucket from the one holding `from` to the one holding the instant
// before `to` is a point; when that is still more than `points`,
// analyze::lttb picks `points` of them (keeping the first and the last).
// Percentiles come from the buckets' sketches (within 1 %). invalid_input
// when from >= to or points is outside 1..k_max_points.
Expected<Series> series(Reader& reader, const core::Target& target, const SeriesQuery& query);

// {"target", "target_id", "metric", "unit", "source", "bucket_ms", "from",
//  "to", "points": [{"time", "value"}]}.
core::Json to_json(const Series& s);

}  // namespace pk::query
