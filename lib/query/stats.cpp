#include "query/stats.hpp"

#include "analyze/cover.hpp"
#include "analyze/mos.hpp"
#include "query/downtime.hpp"
#include "query/fold.hpp"
#include "query/units.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::query {

namespace {

// The parts of `periods` inside [from, to).
std::vector<core::Interval> clip(std::span<const core::Interval> periods, util::SysMicros from, util::SysMicros to) {
  std::vector<core::Interval> out;
  for (const auto& p : periods) {
    core::Interval part{std::max(p.begin, from), std::min(p.end, to)};
    if (part.begin < part.end) out.push_back(part);
  }
  return out;
}

Expected<void> set_downtime(Reader& reader, const core::Target& target, Stats& s,
                            std::span<const core::Interval> periods, util::Micros min_duration) {
  util::Micros down{};
  for (const auto& p : periods) {
    auto found = downtime_periods(reader, target, p.begin, p.end, min_duration);
    if (!found) return std::unexpected(found.error());
    for (const auto& d : *found) down += std::min(d.end, p.end) - std::max(d.start, p.begin);
  }
  s.downtime = down;
  if (!s.aggregate.empty() && s.counted > util::Micros{}) {
    const double pct = 100.0 * (1.0 - static_cast<double>(down.count()) / static_cast<double>(s.counted.count()));
    s.availability_pct = std::clamp(pct, 0.0, 100.0);
  }
  return {};
}

}  // namespace

Expected<Source> parse_source(std::string_view text) {
  if (text == "auto") return Source::automatic;
  if (text == "raw") return Source::raw;
  if (text == "rollup") return Source::rollup;
  return invalid_input(fmt::format("invalid source \"{}\": expected auto, raw or rollup", text));
}

std::optional<double> Stats::uptime_pct() const {
  const auto& summary = aggregate.summary;
  if (summary.sent() == 0) return std::nullopt;
  return 100.0 * static_cast<double>(summary.received()) / static_cast<double>(summary.sent());
}

std::optional<double> Stats::mos() const {
  const auto& summary = aggregate.summary;
  if (summary.sent() == 0) return std::nullopt;
  return analyze::mos(summary.mean().value_or(0.0) / 1000.0, summary.jitter().value_or(0.0) / 1000.0,
                      summary.loss_pct().value_or(0.0));
}

Expected<Stats> target_stats(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                             std::span<const core::Interval> periods, const StatsOptions& options) {
  Stats s;
  s.target_id = target.id;
  s.target = target.name;
  s.host = target.host;
  s.from = from;
  s.to = to;
  for (const auto& p : periods) s.counted += p.end - p.begin;

  const bool raw_kept = periods.empty() || reader.raw_kept_from(periods.front().begin);
  if (options.source == Source::raw && !raw_kept) {
    return invalid_input(fmt::format(
        "--source raw: the raw samples of {} before {} were pruned (retention); use --source auto or a later --since",
        target.name, util::format_iso_utc(*reader.extent().horizon[0])));
  }
  const auto interval = options.probe_interval > util::Micros{} ? options.probe_interval : target.interval;
  const bool few = interval > util::Micros{} && s.counted / interval <= k_raw_sample_limit;
  const bool raw_only = options.source == Source::raw || (options.source == Source::automatic && raw_kept && few);

  std::vector<analyze::Segment> plan;
  for (const auto& p : periods) {
    analyze::append_plan(
        plan, analyze::plan_cover(p.begin, p.end, reader.extent(), raw_only ? analyze::Tier::raw : analyze::Tier::d1));
  }
  s.source = analyze::coarsest_tier(plan);
  s.exact_percentiles = s.source == analyze::Tier::raw;

  std::vector<double> rtts;
  auto aggregate = fold(reader, target.id, plan, s.exact_percentiles ? &rtts : nullptr);
  if (!aggregate) return std::unexpected(aggregate.error());
  s.aggregate = std::move(*aggregate);

  auto quantile = [&](double q) {
    return s.exact_percentiles ? exact_quantile(rtts, q) : s.aggregate.sketch.quantile(q);
  };
  s.median = quantile(0.5);
  s.p90 = quantile(0.9);
  s.p95 = quantile(0.95);
  s.p99 = quantile(0.99);

  if (options.availability) {
    if (auto done = set_downtime(reader, target, s, periods, options.min_downtime); !done) {
      return std::unexpected(done.error());
    }
  }
  return s;
}

Expected<std::vector<Stats>> stats(Reader& reader, const StatsQuery& query) {
  if (query.from >= query.to) return invalid_input("--since must be before --until");
  std::vector<core::Interval> lens{{query.from, query.to}};
  if (query.job) {
    auto active = core::active_intervals(*query.job, query.from, query.to);
    if (!active) return std::unexpected(active.error());
    lens = std::move(*active);
  }
  std::vector<core::Interval> buckets{{query.from, query.to}};
  if (query.by) buckets = analyze::calendar_buckets(query.from, query.to, *query.by, query.zone);

  std::vector<Stats> out;
  for (const auto& target : query.targets) {
    auto options = query.options;
    if (query.job) options.probe_interval = std::min(target.interval, query.job->interval);
    for (const auto& bucket : buckets) {
      auto periods = clip(lens, bucket.begin, bucket.end);
      auto s = target_stats(reader, target, bucket.begin, bucket.end, periods, options);
      if (!s) return std::unexpected(s.error());
      if (query.job) s->job = query.job->name;
      out.push_back(std::move(*s));
    }
  }
  return out;
}

core::Json to_json(const Stats& s) {
  const auto& sum = s.aggregate.summary;
  return {
      {"target", s.target},
      {"target_id", s.target_id},
      {"host", s.host},
      {"job", s.job ? core::Json(*s.job) : core::Json(nullptr)},
      {"from", util::format_iso_utc(s.from)},
      {"to", util::format_iso_utc(s.to)},
      {"source", analyze::to_string(s.source)},
      {"exact_percentiles", s.exact_percentiles},
      {"sent", sum.sent()},
      {"received", sum.received()},
      {"lost", sum.lost()},
      {"loss_pct", pct_json(sum.loss_pct())},
      {"min_ms", ms_json(sum.min())},
      {"avg_ms", ms_json(sum.mean())},
      {"max_ms", ms_json(sum.max())},
      {"stddev_ms", ms_json(sum.stddev())},
      {"median_ms", ms_json(s.median)},
      {"p90_ms", ms_json(s.p90)},
      {"p95_ms", ms_json(s.p95)},
      {"p99_ms", ms_json(s.p99)},
      {"jitter_ms", ms_json(sum.jitter())},
      {"uptime_pct", pct_json(s.uptime_pct())},
      {"availability_pct", pct_json(s.availability_pct)},
      {"downtime_ms", s.downtime ? core::Json(round_ms(*s.downtime)) : core::Json(nullptr)},
      {"mos", s.mos() ? core::Json(std::round(*s.mos() * 100.0) / 100.0) : core::Json(nullptr)},
  };
}

}  // namespace pk::query
