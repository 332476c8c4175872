#include "serve/router.hpp"
#include "serve/seed_api.hpp"
#include "serve/seed_routes.hpp"
#include "serve/seed_stats.hpp"
#include "serve/seed_write.hpp"
#include "store/samples.hpp"
#include "store/seed_samples.hpp"
#include "store/targets.hpp"

#include <climits>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

// The seed 000 surface under /api (seed "API Documentation"): the ping
// metric routes here, the rest in routes_seed_control.cpp.
namespace pk::serve {

namespace {

// Bounds the seed does not give: the longest `hours` of /count (a century)
// and `min_duration` of /downtime (a year, in seconds).
constexpr std::int64_t k_max_count_hours = std::int64_t{24} * 366 * 100;
constexpr std::int64_t k_max_min_duration_s = std::int64_t{366} * 24 * 3600;

// A query parameter in [min, max], `fallback` when absent.
Expected<std::int64_t> int_or(const Request& r, std::string_view name, std::int64_t min, std::int64_t max,
                              std::int64_t fallback) {
  auto v = int_param(r, name, min, max);
  if (!v) return std::unexpected(v.error());
  return v->value_or(fallback);
}

Response list_metrics(const Request& r, ServeState& state) {
  auto hours = int_or(r, "hours", 1, 168, 24);
  if (!hours) return error_response(hours.error());
  auto limit = int_or(r, "limit", 1, 10'000, 1000);
  if (!limit) return error_response(limit.error());
  auto offset = int_or(r, "offset", 0, INT64_MAX, 0);
  if (!offset) return error_response(offset.error());
  auto db = state.db.acquire();
  if (!db) return error_response(db.error());
  auto targets = seed::filter_targets(**db, r.query_param("host"));
  if (!targets) return error_response(targets.error());
  std::map<std::int64_t, const core::Target*> by_id;
  std::vector<std::int64_t> ids;
  for (const auto& t : *targets) {
    by_id[t.id] = &t;
    ids.push_back(t.id);
  }
  auto rows = store::seed_samples::newest(**db, ids, state.clock() - std::chrono::hours{*hours}, *limit, *offset);
  if (!rows) return error_response(rows.error());
  auto out = core::Json::array();
  for (const auto& s : *rows) out.push_back(seed::metric_json(*by_id.at(s.target_id), s));
  return json_response(out);
}

Response live(const Request& /*r*/, ServeState& state) {
  core::Json results = core::Json::object();
  for (const auto& [target, sample] : state.live.snapshot()) results[target.name] = seed::result_json(target, sample);
  return json_response({{"timestamp", util::format_iso_utc(state.clock())},
                        {"results", std::move(results)},
                        {"monitoring_active", seed::monitoring_active(state)}});
}

Response statistics(const Request& r, ServeState& state) {
  auto hours = int_or(r, "hours", 1, 168, 24);
  if (!hours) return error_response(hours.error());
  auto minutes = int_param(r, "minutes", 1, 10'080);
  if (!minutes) return error_response(minutes.error());
  return seed::answer(
      seed::statistics(state, r.query_param("host"), minutes->value_or(*hours * 60), minutes->has_value()));
}

Response hosts(const Request& /*r*/, ServeState& state) {
  auto db = state.db.acquire();
  if (!db) return error_response(db.error());
  auto with_data = store::samples::target_ids(**db);
  if (!with_data) return error_response(with_data.error());
  auto all = store::targets::list(**db, /*include_removed=*/true);
  if (!all) return error_response(all.error());
  std::vector<std::string> names;
  for (const auto& t : *all) {
    if (std::binary_search(with_data->begin(), with_data->end(), t.id)) names.push_back(t.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto monitored = seed::monitored_hosts(**db);
  if (!monitored) return error_response(monitored.error());
  return json_response({{"database_hosts", std::move(names)},
                        {"active_monitoring_hosts", std::move(*monitored)},
                        {"monitoring_active", seed::monitoring_active(state)}});
}

Response summary(const Request& r, ServeState& state) {
  auto hours = int_or(r, "hours", 1, 168, 24);
  if (!hours) return error_response(hours.error());
  return seed::answer(seed::host_summary(state, r.param("host"), *hours));
}

Response downtime(const Request& r, ServeState& state) {
  auto hours = int_or(r, "hours", 1, 168, 24);
  if (!hours) return error_response(hours.error());
  auto min_duration = int_or(r, "min_duration", 1, k_max_min_duration_s, 30);
  if (!min_duration) return error_response(min_duration.error());
  return seed::answer(seed::host_downtime(state, r.param("host"), *hours, *min_duration));
}

Response count(const Request& r, ServeState& state) {
  auto hours = int_param(r, "hours", 1, k_max_count_hours);
  if (!hours) return error_response(hours.error());
  auto host = r.query_param("host");
  auto db = state.db.acquire();
  if (!db) return error_response(db.error());
  std::optional<util::SysMicros> since;
  if (*hours) since = state.clock() - std::chrono::hours{**hours};
  Expected<std::int64_t> n = 0;
  if (host) {
    auto targets = seed::filter_targets(**db, host);
    if (!targets) return error_response(targets.error());
    std::vector<std::int64_t> ids;
    for (const auto& t : *targets) ids.push_back(t.id);
    n = store::seed_samples::count(**db, ids, since);
  } else {
    n = store::seed_samples::count(**db, std::nullopt, since);
  }
  if (!n) return error_response(n.error());
  return json_response({{"count", *n}});
}

Response get_metric(const Request& r, ServeState& state) {
  const auto& text = r.param("metric_id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return error_response(422, fmt::format("path parameter 'metric_id' must be an integer, got '{}'", text));
  }
  const auto missing = error_response(404, fmt::format("ping metric {} not found", id));
  auto key = seed::sample_key(id);
  if (!key) return missing;
  auto db = state.db.acquire();
  if (!db) return error_response(db.error());
  auto all = store::targets::list(**db, /*include_removed=*/true);
  if (!all) return error_response(all.error());
  auto target = std::find_if(all->begin(), all->end(), [&](const auto& t) { return t.id == key->target_id; });
  if (target == all->end()) return missing;
  auto rows = store::samples::select(**db, {.target_id = key->target_id,
                                            .since = key->from,
                                            .until = key->from + seed::k_id_resolution,
                                            .limit = 1,
                                            .newest_first = false});
  if (!rows) return error_response(rows.error());
  if (rows->empty()) return missing;
  return json_response(seed::metric_json(*target, rows->front()));
}

}  // namespace

namespace seed {

Response answer(const Expected<core::Json>& body) { return body ? json_response(*body) : error_response(body.error()); }

bool monitoring_active(const ServeState& state) { return state.monitor != nullptr && state.monitor->active(); }

}  // namespace seed

void add_seed_routes(Router& router) {
  seed::add_control_routes(router);
  // Reads of stored data answer from the cache when repeated (response_cache.hpp).
  router.add(Method::get, "/api/ping-metrics", cached(list_metrics));
  router.add(Method::post, "/api/ping-metrics",
             [](const Request& r, ServeState& state) { return seed::answer(seed::create_metric(state, r.body)); });
  router.add(Method::get, "/api/ping-metrics/latest", cached([](const Request&, ServeState& state) {
               return seed::answer(seed::latest_metrics(state));
             }));
  router.add(Method::get, "/api/ping-metrics/live", live);
  router.add(Method::get, "/api/ping-metrics/statistics", cached(statistics));
  router.add(Method::get, "/api/ping-metrics/hosts", hosts);  // monitoring_active: not in the database
  router.add(Method::get, "/api/ping-metrics/hosts/{host}/summary", cached(summary));
  router.add(Method::get, "/api/ping-metrics/hosts/{host}/downtime", cached(downtime));
  router.add(Method::get, "/api/ping-metrics/count", cached(count));
  router.add(Method::get, "/api/ping-metrics/{metric_id}", cached(get_metric));
}

}  // namespace pk::serve
