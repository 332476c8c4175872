#pragma once

#include "analyze/summary.hpp"
#include "core/json.hpp"
#include "core/target.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

// The seed 000 statistics (GET /api/ping-metrics/statistics, the host
// summary) and downtime report over lib/query, the functions `stats` and
// `downtime` use.
namespace pk::serve::seed {

// The statistics of several targets over [from, to) taken as one series:
// query::stats per target, merged (counts, mean and spread merge exactly;
// RTTs in µs). The percentiles are the target's own (exact over raw
// samples) when one target has data, else the merged quantile sketch's
// (within 1 %).
struct WindowStats {
  analyze::Summary summary;
  std::optional<double> median;
  std::optional<double> p95;
};
Expected<WindowStats> window_stats(const store::Database& db, std::span<const core::Target> targets,
                                   util::SysMicros from, util::SysMicros to);

// Adds the seed's statistics fields to `out`: total_pings,
// avg/min/max/median/p95_response_time (ms; null without answers), with
// `packet_losses` when `with_losses`, packet_loss_rate (lost / sent x 100)
// and uptime_percentage (received / sent x 100), both null when nothing was
// sent.
void add_stats_fields(core::Json& out, const WindowStats& stats, bool with_losses);

// GET /ping-metrics/statistics's body over the last `minutes`: every
// target's data, or `host`'s (no data: total_pings 0). hours_analyzed is
// minutes / 60; minutes_analyzed is added when `by_minutes`.
Expected<core::Json> statistics(ServeState& state, const std::optional<std::string>& host, std::int64_t minutes,
                                bool by_minutes);

// GET /ping-metrics/hosts/{host}/downtime's body: the outages (runs of
// losses of at least `min_duration_s` seconds, query::downtime) of the
// host's targets in the last `hours`, by start time. not_found for an
// unknown host.
Expected<core::Json> host_downtime(ServeState& state, std::string_view host, std::int64_t hours,
                                   std::int64_t min_duration_s);

}  // namespace pk::serve::seed
