#include "analyze/calendar.hpp"
#include "core/json.hpp"
#include "query/downtime.hpp"
#include "query/reader.hpp"
#include "query/scope.hpp"
#include "query/series.hpp"
#include "query/stats.hpp"
#include "serve/v1_params.hpp"
#include "serve/v1_routes.hpp"
#include "store/jobs.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"
#include "util/csv.hpp"

#include <fmt/format.h>

#include <chrono>

// A target's samples and latest sample, and what `stats`, `downtime` and
// `series` answer, through the same query:: functions and JSON shapes.
namespace pk::serve::v1 {

namespace {

using namespace std::chrono_literals;

constexpr std::int64_t k_default_samples = 1000;
constexpr std::int64_t k_max_samples = 100'000;

// Opens the database, finds target {t} and a query::Reader, then answers
// fn(reader, target).
template <typename Fn>
Response with_target(const Request& r, ServeState& state, Fn&& fn) {
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  auto reader = query::Reader::open(**db);
  if (!reader) return error_response(reader.error());
  return std::forward<Fn>(fn)(*reader, *target);
}

bool wants_csv(const Request& r) { return r.header("accept").find("text/csv") != std::string::npos; }

// The samples as CSV (RFC 4180, CRLF): target,time,rtt_ms,status,ttl with
// times as in JSON and RTTs with 3 decimals as exports write them; empty for
// a lost probe or an unknown TTL.
std::string samples_csv(const std::vector<core::Sample>& samples, const std::string& target) {
  std::string out = "target,time,rtt_ms,status,ttl\r\n";
  for (const auto& s : samples) {
    out += util::csv_record({target, util::format_iso_utc(s.ts),
                             s.rtt ? fmt::format("{:.3f}", static_cast<double>(s.rtt->count()) / 1000.0) : "",
                             std::string(core::to_string(s.status)), s.ttl ? std::to_string(*s.ttl) : ""});
    out += "\r\n";
  }
  return out;
}

// GET /targets/{t}/samples?since&until&last&limit&cursor: oldest first; the
// cursor of a page continues after its last sample.
Response samples(const Request& r, ServeState& state) {
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  auto range = range_param(r, state.clock(), *zone, 24h);
  if (!range) return range.error();
  auto limit = integer_param(r, "limit", 1, k_max_samples);
  if (!limit) return limit.error();
  store::samples::Query q;
  std::tie(q.since, q.until) = *range;
  if (auto cursor = r.query_param("cursor")) {
    auto after = decode_cursor(*cursor);
    if (!after) return error_response(422, "query parameter 'cursor' is not a cursor this server gave");
    q.since = *after + 1us;
  }
  const std::int64_t page = limit->value_or(k_default_samples);
  q.limit = page + 1;  // one more tells whether there is a next page
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  q.target_id = target->id;
  auto found = store::samples::select(**db, q);
  if (!found) return error_response(found.error());
  std::optional<std::string> next;
  if (static_cast<std::int64_t>(found->size()) > page) {
    found->resize(static_cast<std::size_t>(page));
    next = encode_cursor(found->back().ts);
  }
  if (wants_csv(r)) {
    Response csv;
    csv.content_type = "text/csv; charset=utf-8";
    csv.body = samples_csv(*found, target->name);
    if (next) csv.headers.emplace_back("X-Next-Cursor", *next);
    return csv;
  }
  auto list = core::Json::array();
  for (const auto& s : *found) list.push_back(core::to_json(s, target->name));
  return json_response({{"target", target->name},
                        {"target_id", target->id},
                        {"from", util::format_iso_utc(*q.since)},
                        {"to", util::format_iso_utc(*q.until)},
                        {"samples", list},
                        {"next_cursor", next ? core::Json(*next) : core::Json(nullptr)}});
}

// GET /targets/{t}/latest: the newest sample (null when there is none).
Response latest(const Request& r, ServeState& state) {
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  store::samples::Query q;
  q.target_id = target->id;
  q.limit = 1;
  q.newest_first = true;
  auto found = store::samples::select(**db, q);
  if (!found) return error_response(found.error());
  return json_response(
      {{"target", target->name},
       {"target_id", target->id},
       {"sample", found->empty() ? core::Json(nullptr) : core::to_json(found->front(), target->name)}});
}

// GET /stats?target&job&since&until&last&by&source&min_duration&tz: the
// array `stats --json` prints for the same options.
Response stats(const Request& r, ServeState& state) {
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  query::StatsQuery q;
  auto range = range_param(r, state.clock(), *zone, 24h);
  if (!range) return range.error();
  std::tie(q.from, q.to) = *range;
  q.zone = *zone;
  if (auto by = r.query_param("by")) {
    auto period = analyze::parse_period(*by);
    if (!period) return error_response(422, fmt::format("query parameter 'by': {}", period.error().message));
    q.by = *period;
  }
  auto source = query::parse_source(r.query_param("source").value_or("auto"));
  if (!source) return error_response(422, fmt::format("query parameter 'source': {}", source.error().message));
  q.options.source = *source;
  auto min_duration = duration_param(r, "min_duration");
  if (!min_duration) return min_duration.error();
  q.options.min_downtime = min_duration->value_or(query::k_default_min_downtime);

  auto db = open_db(state);
  if (!db) return db.error();
  if (auto job = r.query_param("job")) {
    auto found = store::jobs::find(**db, *job);
    if (!found) return error_response(found.error());
    q.job = std::move(*found);
  }
  auto targets = query::resolve_targets(**db, list_param(r, "target"), q.job);
  if (!targets) return error_response(targets.error());
  q.targets = std::move(*targets);
  auto reader = query::Reader::open(**db);
  if (!reader) return error_response(reader.error());
  auto rows = query::stats(*reader, q);
  if (!rows) return error_response(rows.error());
  auto doc = core::Json::array();
  for (const auto& s : *rows) doc.push_back(query::to_json(s));
  return json_response(doc);
}

// GET /targets/{t}/downtime?since&until&last&min_duration: `downtime --json`.
Response downtime(const Request& r, ServeState& state) {
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  auto range = range_param(r, state.clock(), *zone, 24h);
  if (!range) return range.error();
  auto min_duration = duration_param(r, "min_duration");
  if (!min_duration) return min_duration.error();
  return with_target(r, state, [&](query::Reader& reader, const core::Target& target) {
    auto report = query::downtime(reader, target, range->first, range->second,
                                  min_duration->value_or(query::k_default_min_downtime));
    if (!report) return error_response(report.error());
    return json_response(query::to_json(*report));
  });
}

// GET /targets/{t}/series?since&until&last&points&metric: `series --json`
// in the shape of seed 004: points_requested, points_returned, data_source,
// data [{time, value}].
Response series(const Request& r, ServeState& state) {
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  auto range = range_param(r, state.clock(), *zone, 24h);
  if (!range) return range.error();
  auto points = integer_param(r, "points", 1, static_cast<std::int64_t>(query::k_max_points));
  if (!points) return points.error();
  auto metric = query::parse_metric(r.query_param("metric").value_or("avg"));
  if (!metric) return error_response(422, fmt::format("query parameter 'metric': {}", metric.error().message));
  const auto requested = static_cast<std::size_t>(points->value_or(query::k_default_points));
  return with_target(r, state, [&](query::Reader& reader, const core::Target& target) {
    auto s = query::series(reader, target, {range->first, range->second, requested, *metric});
    if (!s) return error_response(s.error());
    auto j = query::to_json(*s);
    return json_response({{"target", j["target"]},
                          {"target_id", j["target_id"]},
                          {"metric", j["metric"]},
                          {"unit", j["unit"]},
                          {"from", j["from"]},
                          {"to", j["to"]},
                          {"points_requested", requested},
                          {"points_returned", s->points.size()},
                          {"data_source", j["source"]},
                          {"bucket_ms", j["bucket_ms"]},
                          {"data", j["points"]}});
  });
}

}  // namespace

void add_data_routes(Router& router) {
  const std::string base = std::string(k_v1);
  router.add(Method::get, base + "/targets/{t}/samples", cached(takes({"tz", "since", "until", "last", "limit", "cursor"}, samples)));
  router.add(Method::get, base + "/targets/{t}/latest", cached(takes({}, latest)));
  router.add(Method::get, base + "/stats", cached(takes({"tz", "since", "until", "last", "by", "source", "min_duration", "job", "target"}, stats)));
  router.add(Method::get, base + "/targets/{t}/downtime", cached(takes({"tz", "since", "until", "last", "min_duration"}, downtime)));
  router.add(Method::get, base + "/targets/{t}/series", cached(takes({"tz", "since", "until", "last", "points", "metric"}, series)));
}

}  // namespace pk::serve::v1
