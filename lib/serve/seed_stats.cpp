#include "serve/seed_stats.hpp"

#include "analyze/sketch.hpp"
#include "query/downtime.hpp"
#include "query/stats.hpp"
#include "query/units.hpp"
#include "serve/seed_api.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace pk::serve::seed {

namespace {

// Seconds with millisecond precision.
double seconds(util::Micros d) { return static_cast<double>(query::round_ms(d)) / 1000.0; }

}  // namespace

Expected<WindowStats> window_stats(const store::Database& db, std::span<const core::Target> targets,
                                   util::SysMicros from, util::SysMicros to) {
  WindowStats out;
  if (targets.empty() || from >= to) return out;
  auto reader = query::Reader::open(db);
  if (!reader) return std::unexpected(reader.error());
  query::StatsQuery q;
  q.targets.assign(targets.begin(), targets.end());
  q.from = from;
  q.to = to;
  q.options.availability = false;
  auto rows = query::stats(*reader, q);
  if (!rows) return std::unexpected(rows.error());
  analyze::Sketch sketch;
  const query::Stats* only = nullptr;
  int with_data = 0;
  for (const auto& s : *rows) {
    if (s.aggregate.empty()) continue;
    ++with_data;
    only = &s;
    out.summary.merge_after(s.aggregate.summary);
    sketch.merge(s.aggregate.sketch);
  }
  if (with_data == 1) {
    out.median = only->median;
    out.p95 = only->p95;
  } else {
    out.median = sketch.quantile(0.5);
    out.p95 = sketch.quantile(0.95);
  }
  return out;
}

void add_stats_fields(core::Json& out, const WindowStats& stats, bool with_losses) {
  const auto& sum = stats.summary;
  out["total_pings"] = sum.sent();
  out["avg_response_time"] = query::ms_json(sum.mean());
  out["min_response_time"] = query::ms_json(sum.min());
  out["max_response_time"] = query::ms_json(sum.max());
  out["median_response_time"] = query::ms_json(stats.median);
  out["p95_response_time"] = query::ms_json(stats.p95);
  if (with_losses) out["packet_losses"] = sum.lost();
  out["packet_loss_rate"] = query::pct_json(sum.loss_pct());
  std::optional<double> uptime;
  if (sum.sent() > 0) uptime = 100.0 * static_cast<double>(sum.received()) / static_cast<double>(sum.sent());
  out["uptime_percentage"] = query::pct_json(uptime);
}

Expected<core::Json> statistics(ServeState& state, const std::optional<std::string>& host, std::int64_t minutes,
                                bool by_minutes) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto targets = filter_targets(**db, host);
  if (!targets) return std::unexpected(targets.error());
  const auto now = state.clock();
  auto stats = window_stats(**db, *targets, now - std::chrono::minutes{minutes}, now);
  if (!stats) return std::unexpected(stats.error());
  core::Json out = core::Json::object();
  add_stats_fields(out, *stats, /*with_losses=*/false);
  if (minutes % 60 == 0) {
    out["hours_analyzed"] = minutes / 60;
  } else {
    out["hours_analyzed"] = static_cast<double>(minutes) / 60.0;
  }
  if (by_minutes) out["minutes_analyzed"] = minutes;
  return out;
}

Expected<core::Json> host_downtime(ServeState& state, std::string_view host, std::int64_t hours,
                                   std::int64_t min_duration_s) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto targets = data_targets(**db, host);
  if (!targets) return std::unexpected(targets.error());
  const auto now = state.clock();
  const auto from = now - std::chrono::hours{hours};
  struct Period {
    analyze::DowntimePeriod period;
    const core::Target* target;
  };
  std::vector<Period> periods;
  {
    auto reader = query::Reader::open(**db);
    if (!reader) return std::unexpected(reader.error());
    for (const auto& t : *targets) {
      auto report = query::downtime(*reader, t, from, now, std::chrono::seconds{min_duration_s});
      if (!report) return std::unexpected(report.error());
      for (const auto& p : report->periods) periods.push_back({p, &t});
    }
  }
  std::stable_sort(periods.begin(), periods.end(),
                   [](const Period& a, const Period& b) { return a.period.start < b.period.start; });
  auto list = core::Json::array();
  for (const auto& [p, target] : periods) {
    list.push_back({
        {"start_time", util::format_iso_utc(p.start)},
        {"end_time", util::format_iso_utc(p.end)},
        {"duration_seconds", seconds(p.duration())},
        {"affected_pings", p.probes},
        {"ongoing", p.ongoing},
        {"target_host", target->name},
    });
  }
  return core::Json{
      {"host", host},
      {"hours_analyzed", hours},
      {"min_duration_seconds", min_duration_s},
      {"downtime_periods", std::move(list)},
      {"total_downtime_events", periods.size()},
  };
}

}  // namespace pk::serve::seed
