#include "query/series.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/cover.hpp"
#include "analyze/lttb.hpp"
#include "query/units.hpp"
#include "store/rollups.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>

namespace pk::query {

namespace {

constexpr std::array<std::pair<Metric, std::string_view>, 8> k_metrics{{
    {Metric::avg, "avg"},
    {Metric::min, "min"},
    {Metric::max, "max"},
    {Metric::median, "median"},
    {Metric::p95, "p95"},
    {Metric::p99, "p99"},
    {Metric::jitter, "jitter"},
    {Metric::loss, "loss"},
}};

// The metric of one bucket, in its unit.
std::optional<double> value_of(const analyze::Aggregate& a, Metric metric) {
  auto ms = [](std::optional<double> us) -> std::optional<double> {
    if (!us) return std::nullopt;
    return *us / 1000.0;
  };
  switch (metric) {
    case Metric::avg: return ms(a.summary.mean());
    case Metric::min: return ms(a.summary.min());
    case Metric::max: return ms(a.summary.max());
    case Metric::median: return ms(a.sketch.quantile(0.5));
    case Metric::p95: return ms(a.sketch.quantile(0.95));
    case Metric::p99: return ms(a.sketch.quantile(0.99));
    case Metric::jitter: return ms(a.summary.jitter());
    case Metric::loss: return a.summary.loss_pct();
  }
  return std::nullopt;
}

// Tiers that hold the range's start: raw unless pruned there, a rollup tier
// when it is rolled up past `from` and not pruned before it.
std::array<bool, 4> available_at(const Reader& reader, util::SysMicros from) {
  std::array<bool, 4> out{reader.raw_kept_from(from), false, false, false};
  for (std::size_t t = 1; t < 4; ++t) {
    const auto& watermark = reader.extent().watermark[t];
    const auto& horizon = reader.extent().horizon[t];
    out[t] = watermark && *watermark > from && (!horizon || *horizon <= from);
  }
  return out;
}

}  // namespace

Expected<Metric> parse_metric(std::string_view text) {
  for (const auto& [metric, name] : k_metrics) {
    if (name == text) return metric;
  }
  return invalid_input(
      fmt::format("invalid metric \"{}\": expected avg, min, max, median, p95, p99, jitter or loss", text));
}

std::string_view to_string(Metric metric) {
  for (const auto& [m, name] : k_metrics) {
    if (m == metric) return name;
  }
  return "avg";
}

std::string_view unit_of(Metric metric) { return metric == Metric::loss ? "%" : "ms"; }

Expected<Series> series(Reader& reader, const core::Target& target, const SeriesQuery& q) {
  if (q.from >= q.to) return invalid_input("--since must be before --until");
  if (q.points < 1 || q.points > k_max_points) {
    return invalid_input(fmt::format("--points must be between 1 and {}", k_max_points));
  }
  const auto range = q.to - q.from;
  const auto tier = analyze::choose_tier(range, q.points, target.interval, available_at(reader, q.from));
  const auto unit = tier == analyze::Tier::raw ? target.interval : analyze::tier_width(tier);
  const auto per_bucket =
      std::max<std::int64_t>(1, (range.count() + static_cast<std::int64_t>(q.points) * unit.count() - 1) /
                                    (static_cast<std::int64_t>(q.points) * unit.count()));
  Series s;
  s.target_id = target.id;
  s.target = target.name;
  s.metric = q.metric;
  s.from = q.from;
  s.to = q.to;
  s.bucket_width = unit * per_bucket;

  const auto first = analyze::floor_to(q.from, s.bucket_width);
  const auto count = static_cast<std::size_t>((analyze::ceil_to(q.to, s.bucket_width) - first) / s.bucket_width);
  std::vector<analyze::Aggregate> buckets(count);
  auto bucket_of = [&](util::SysMicros t) -> analyze::Aggregate* {
    auto i = (analyze::floor_to(t, s.bucket_width) - first) / s.bucket_width;
    return i >= 0 && static_cast<std::size_t>(i) < count ? &buckets[static_cast<std::size_t>(i)] : nullptr;
  };

  const auto plan = analyze::plan_cover(q.from, q.to, reader.extent(), tier);
  s.source = analyze::coarsest_tier(plan);
  for (const auto& segment : plan) {
    if (segment.tier == analyze::Tier::raw) {
      auto read = reader.samples().for_each(target.id, segment.from, segment.to, [&](const core::Sample& sample) {
        if (auto* b = bucket_of(sample.ts)) b->add(sample);
      });
      if (!read) return std::unexpected(read.error());
      continue;
    }
    auto rows = store::rollups::range(reader.db(), segment.tier, target.id, segment.from, segment.to);
    if (!rows) return std::unexpected(rows.error());
    for (const auto& row : *rows) {
      if (auto* b = bucket_of(row.bucket)) b->merge_after(row.aggregate);
    }
  }

  std::vector<analyze::Point> points;
  points.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto v = value_of(buckets[i], q.metric);
    points.push_back({static_cast<double>(util::to_epoch_us(first + s.bucket_width * static_cast<std::int64_t>(i))),
                      v.value_or(std::numeric_limits<double>::quiet_NaN())});
  }
  for (const auto& p : analyze::lttb(points, q.points)) {
    std::optional<double> value;
    if (!std::isnan(p.y)) value = p.y;
    s.points.push_back({util::from_epoch_us(static_cast<std::int64_t>(p.x)), value});
  }
  return s;
}

core::Json to_json(const Series& s) {
  auto points = core::Json::array();
  const bool loss = s.metric == Metric::loss;
  for (const auto& p : s.points) {
    core::Json value = nullptr;
    if (p.value) value = loss ? pct_json(p.value) : ms_json(*p.value * 1000.0);
    points.push_back({{"time", util::format_iso_utc(p.time)}, {"value", std::move(value)}});
  }
  return {
      {"target", s.target},
      {"target_id", s.target_id},
      {"metric", to_string(s.metric)},
      {"unit", unit_of(s.metric)},
      {"source", analyze::to_string(s.source)},
      {"bucket_ms", round_ms(s.bucket_width)},
      {"from", util::format_iso_utc(s.from)},
      {"to", util::format_iso_utc(s.to)},
      {"points", std::move(points)},
  };
}

}  // namespace pk::query
