#include "serve/v1_routes.hpp"
#include "util/strings.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

// The OpenAPI 3.0 document of the native API, built once. Every route that
// add_v1_routes registers under /api/v1 has an operation here, and nothing
// else (test_serve_v1_openapi.cpp checks both ways).
namespace pk::serve::v1 {

namespace {

using core::Json;

Json ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

Json param(const std::string& name, const std::string& in, const std::string& description,
           Json schema = {{"type", "string"}}) {
  Json p = {{"name", name}, {"in", in}, {"description", description}, {"schema", std::move(schema)}};
  if (in == "path") p["required"] = true;
  return p;
}

Json path_target() { return param("t", "path", "Target name or id"); }
Json path_job() { return param("j", "path", "Job name or id"); }
Json integer() { return {{"type", "integer"}}; }

std::vector<Json> range_params() {
  return {param("since", "query",
                "From this time: ISO 8601, now, today, or a duration before now (24h, -7d); default 24h ago"),
          param("until", "query", "Before this time (default now)"),
          param("last", "query", "The last D up to now (excludes since and until)"),
          param("tz", "query", "IANA zone of times without an offset, and of local hours and days (default UTC)")};
}

Json json_content(Json schema) { return {{"application/json", {{"schema", std::move(schema)}}}}; }

Json responses(const std::string& ok, Json schema, const std::vector<int>& errors) {
  Json out = {{ok, {{"description", "Success"}, {"content", json_content(std::move(schema))}}}};
  for (int status : errors) {
    static const std::map<int, std::string> k_text = {{400, "Malformed JSON body"},
                                                      {403, "Forbidden (permission, or --read-only)"},
                                                      {404, "Unknown target or job"},
                                                      {409, "Name taken"},
                                                      {422, "Invalid value (the detail names the field)"},
                                                      {500, "Internal error"}};
    out[std::to_string(status)] = {{"description", k_text.at(status)}, {"content", json_content(ref("Error"))}};
  }
  return out;
}

Json op(const std::string& summary, std::vector<Json> params, Json resp, std::optional<Json> body = std::nullopt) {
  Json o = {{"summary", summary}, {"parameters", std::move(params)}, {"responses", std::move(resp)}};
  if (body) o["requestBody"] = {{"required", true}, {"content", json_content(std::move(*body))}};
  return o;
}

Json array_of(const std::string& schema) { return {{"type", "array"}, {"items", ref(schema)}}; }

Json object(Json properties) { return {{"type", "object"}, {"properties", std::move(properties)}}; }

// An object schema from "name:t" words: t is s(tring), i(nteger),
// n(umber), b(oolean), o(bject) or a(rray), with "?" when it may be null.
Json fields(std::string_view spec) {
  static const std::map<char, std::string> k_types = {{'s', "string"},  {'i', "integer"}, {'n', "number"},
                                                      {'b', "boolean"}, {'o', "object"},  {'a', "array"}};
  Json properties = Json::object();
  for (auto word : util::split(spec, ' ')) {
    if (word.empty()) continue;
    const auto colon = word.find(':');
    Json type = {{"type", k_types.at(word[colon + 1])}};
    if (word[colon + 1] == 'a') type["items"] = Json::object();
    if (word.back() == '?') type["nullable"] = true;
    properties[std::string(word.substr(0, colon))] = type;
  }
  return object(properties);
}

Json schemas() {
  const Json str = {{"type", "string"}};
  const Json boolean = {{"type", "boolean"}};
  const Json duration = {{"oneOf", Json::array({{{"type", "string"}, {"example", "1s"}}, integer()})},
                         {"description", "A duration (250ms, 1s, 1h30m) or a number of milliseconds"}};
  const Json strings = {{"oneOf", Json::array({str, {{"type", "array"}, {"items", str}}})}};
  Json target_body = object({{"host", str},
                             {"name", str},
                             {"interval", duration},
                             {"timeout", duration},
                             {"probe", {{"type", "string"}, {"enum", {"icmp", "tcp"}}}},
                             {"port", integer()},
                             {"size", integer()},
                             {"description", str},
                             {"tags",
                              {{"oneOf", Json::array({{{"type", "object"}, {"additionalProperties", str}},
                                                      {{"type", "array"}, {"items", str}}})}}},
                             {"untag", {{"type", "array"}, {"items", str}}},
                             {"family", {{"type", "string"}, {"enum", {"any", "ipv4", "ipv6"}}}},
                             {"paused", boolean},
                             {"job_only", boolean}});
  target_body["additionalProperties"] = false;
  Json job_body = object({{"name", str},
                          {"targets", strings},
                          {"add_targets", strings},
                          {"remove_targets", strings},
                          {"interval", duration},
                          {"count", integer()},
                          {"start", {{"type", "string"}, {"nullable", true}}},
                          {"end", {{"type", "string"}, {"nullable", true}}},
                          {"windows", strings},
                          {"tz", str},
                          {"metrics", strings},
                          {"path_every", duration},
                          {"description", str}});
  job_body["additionalProperties"] = false;
  Json trace_body = object({{"host", str},
                            {"target", str},
                            {"probe", {{"type", "string"}, {"enum", {"icmp", "udp", "tcp"}}}},
                            {"port", integer()},
                            {"max_hops", integer()},
                            {"queries", integer()},
                            {"first_ttl", integer()},
                            {"wait", duration},
                            {"family", str},
                            {"dns", boolean},
                            {"save", boolean}});
  trace_body["additionalProperties"] = false;
  return {
      {"Error", fields("detail:s")},
      {"Target", fields("id:i name:s host:s family:s probe:s port:i? interval_ms:i timeout_ms:i size:i paused:b "
                        "job_only:b description:s tags:o created_at:s updated_at:s removed_at:s?")},
      {"TargetBody", target_body},
      {"TargetRemoval", object({{"target", ref("Target")},
                                {"data_kept", boolean},
                                {"samples_deleted", integer()},
                                {"removed_from_jobs", {{"type", "array"}, {"items", str}}}})},
      {"Job", fields("id:i name:s targets:a interval_ms:i count:i start:s? end:s? windows:s tz:s metrics:a "
                     "path_every_ms:i state:s status:s next_change:s? latest_run:o? description:s created_at:s "
                     "updated_at:s")},
      {"JobBody", job_body},
      {"JobRuns",
       object({{"job", str},
               {"job_id", integer()},
               {"runs",
                {{"type", "array"}, {"items", fields("id:i started_at:s ended_at:s? sent:i received:i errors:i")}}}})},
      {"Sample", fields("target:s target_id:i time:s rtt_ms:n? status:s ttl:i? detail:s?")},
      {"SamplePage", object({{"target", str},
                             {"target_id", integer()},
                             {"from", str},
                             {"to", str},
                             {"samples", array_of("Sample")},
                             {"next_cursor", {{"type", "string"}, {"nullable", true}}}})},
      {"Latest", object({{"target", str}, {"target_id", integer()}, {"sample", ref("Sample")}})},
      {"Stats", fields("target:s target_id:i host:s job:s? from:s to:s source:s exact_percentiles:b sent:i "
                       "received:i lost:i loss_pct:n? min_ms:n? avg_ms:n? max_ms:n? stddev_ms:n? median_ms:n? "
                       "p90_ms:n? p95_ms:n? p99_ms:n? jitter_ms:n? uptime_pct:n? availability_pct:n? "
                       "downtime_ms:i? mos:n?")},
      {"Downtime", fields("target:s target_id:i from:s to:s min_duration_ms:i downtime_ms:i availability_pct:n "
                          "periods:a")},
      {"Series", fields("target:s target_id:i metric:s unit:s from:s to:s points_requested:i points_returned:i "
                        "data_source:s bucket_ms:i data:a")},
      {"Trace", fields("id:i? target:s target_id:i? job_id:i? host:s address:s probe:s port:i? started_at:s "
                       "duration_ms:n first_ttl:i max_hops:i queries:i reached:b hop_count:i path_hash:s? "
                       "path_changed:b? hops:a")},
      {"TraceBody", trace_body},
      {"Traces", object({{"target", str}, {"target_id", integer()}, {"traces", array_of("Trace")}})},
      {"Health", fields("status:s version:s database:s collector:s storage:o? targets:o? websocket_clients:i started_at:s "
                        "uptime_s:i time:s")},
  };
}

std::vector<Json> with(std::vector<Json> a, const std::vector<Json>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Json paths() {
  const std::string v1(k_v1);
  const std::vector<int> crud = {400, 404, 409, 422};
  Json p;
  p[v1 + "/targets"] = {{"get", op("List targets (target list)",
                                   {param("all", "query", "true: include removed targets kept for their data")},
                                   responses("200", array_of("Target"), {422}))},
                        {"post", op("Add a target (target add)", {}, responses("201", ref("Target"), {400, 409, 422}),
                                    ref("TargetBody"))}};
  p[v1 + "/targets/{t}"] = {
      {"get", op("Show a target", {path_target()}, responses("200", ref("Target"), {404}))},
      {"patch",
       op("Change a target (target edit)", {path_target()}, responses("200", ref("Target"), crud), ref("TargetBody"))},
      {"delete", op("Remove a target and its data (target rm)",
                    {path_target(), param("keep_data", "query", "true: retire it and keep its samples and traces")},
                    responses("200", ref("TargetRemoval"), {404, 422}))}};
  p[v1 + "/targets/{t}/pause"] = {
      {"post", op("Stop probing a target", {path_target()}, responses("200", ref("Target"), {404}))}};
  p[v1 + "/targets/{t}/resume"] = {
      {"post", op("Probe a target again", {path_target()}, responses("200", ref("Target"), {404}))}};
  p[v1 + "/jobs"] = {{"get", op("List jobs with their live status", {}, responses("200", array_of("Job"), {}))},
                     {"post", op("Create a job (job add)", {}, responses("201", ref("Job"), crud), ref("JobBody"))}};
  p[v1 + "/jobs/{j}"] = {
      {"get", op("Show a job", {path_job()}, responses("200", ref("Job"), {404}))},
      {"patch", op("Change a job (job edit)", {path_job()}, responses("200", ref("Job"), crud), ref("JobBody"))},
      {"delete", op("Delete a job and its runs", {path_job()}, responses("200", ref("Job"), {404}))}};
  p[v1 + "/jobs/{j}/start"] = {{"post", op("Start a stopped job", {path_job()}, responses("200", ref("Job"), {404}))}};
  p[v1 + "/jobs/{j}/stop"] = {
      {"post", op("Stop a job until started", {path_job()}, responses("200", ref("Job"), {404}))}};
  p[v1 + "/jobs/{j}/runs"] = {{"get", op("A job's runs, newest first",
                                         {path_job(), param("limit", "query", "At most N (default 100)", integer())},
                                         responses("200", ref("JobRuns"), {404, 422}))}};
  Json samples =
      op("Raw samples, oldest first, a page at a time (text/csv with Accept: text/csv)",
         with({path_target(), param("limit", "query", "Samples per page, 1..100000 (default 1000)", integer()),
               param("cursor", "query", "next_cursor of the previous page")},
              range_params()),
         responses("200", ref("SamplePage"), {404, 422}));
  samples["responses"]["200"]["content"]["text/csv"] = {{"schema", {{"type", "string"}}}};
  p[v1 + "/targets/{t}/samples"] = {{"get", samples}};
  p[v1 + "/targets/{t}/latest"] = {
      {"get", op("The latest sample (null when none)", {path_target()}, responses("200", ref("Latest"), {404}))}};
  p[v1 + "/stats"] = {
      {"get",
       op("Summary statistics, as stats --json",
          with({param("target", "query", "Target names or ids (repeat or comma-separate; default all, or the job's)"),
                param("job", "query", "Count only the job's windows"),
                param("by", "query", "One row per local hour or day", {{"type", "string"}, {"enum", {"1h", "1d"}}}),
                param("source", "query", "auto, raw or rollup"),
                param("min_duration", "query", "Shortest run of losses counted as downtime (default 30s)")},
               range_params()),
          responses("200", array_of("Stats"), {404, 422}))}};
  p[v1 + "/targets/{t}/downtime"] = {
      {"get",
       op("Downtime periods, as downtime --json",
          with({path_target(), param("min_duration", "query", "Shortest run counted (default 30s)")}, range_params()),
          responses("200", ref("Downtime"), {404, 422}))}};
  p[v1 + "/targets/{t}/series"] = {
      {"get", op("A metric over time, LTTB-downsampled",
                 with({path_target(), param("points", "query", "At most N points (default 800)", integer()),
                       param("metric", "query", "avg, min, max, median, p95, p99, jitter or loss")},
                      range_params()),
                 responses("200", ref("Series"), {404, 422}))}};
  p[v1 + "/targets/{t}/traces"] = {
      {"get", op("Stored traces, oldest first",
                 {path_target(), param("since", "query", "From this time"), param("until", "query", "Before this time"),
                  param("limit", "query", "The newest N (default 100)", integer())},
                 responses("200", ref("Traces"), {404, 422}))}};
  p[v1 + "/traceroute"] = {{"post", op("Trace the path now (stored for a known target)", {},
                                       responses("200", ref("Trace"), {400, 403, 404, 422}), ref("TraceBody"))}};
  Json download =
      op("A CSV or Excel export, as a download",
         with({param("format", "query", "csv (default) or xlsx", {{"type", "string"}, {"enum", {"csv", "xlsx"}}}),
               param("target", "query", "Target names or ids (default all, or the job's)"),
               param("job", "query", "Only the samples inside the job's windows"),
               param("resolution", "query", "raw, 1m, 1h, 1d or auto (default)"),
               param("min_duration", "query", "xlsx: shortest run of losses counted as downtime"),
               param("bom", "query", "csv: start with a UTF-8 byte order mark")},
              range_params()),
         responses("200", {{"type", "string"}, {"format", "binary"}}, {404, 422}));
  download["responses"]["200"]["content"] = {{"text/csv", {{"schema", {{"type", "string"}}}}},
                                             {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                              {{"schema", {{"type", "string"}, {"format", "binary"}}}}}};
  p[v1 + "/export"] = {{"get", download}};
  p[v1 + "/health"] = {{"get", op("Server health", {}, responses("200", ref("Health"), {}))}};
  return p;
}

}  // namespace

const core::Json& openapi_document() {
  static const core::Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "pingkeeper native API"},
        {"version", PK_VERSION},
        {"description",
         "Every capability of the pingkeeper CLI over HTTP. Errors are {\"detail\": message}. Times are ISO 8601 "
         "UTC with Z; RTTs are milliseconds. Mutating requests need a bearer token when the server has "
         "--token-file."}}},
      {"paths", paths()},
      {"components",
       {{"schemas", schemas()}, {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
  };
  return doc;
}

}  // namespace pk::serve::v1
