#include "core/json.hpp"
#include "probe/resolver.hpp"
#include "probe/trace_plan.hpp"
#include "probe/traceroute.hpp"
#include "serve/v1_body.hpp"
#include "serve/v1_params.hpp"
#include "serve/v1_routes.hpp"
#include "store/targets.hpp"
#include "store/traces.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>

// POST /traceroute runs a trace now, as `pingkeeper traceroute` does, and
// stores it when it is of a known target; GET /targets/{t}/traces lists the
// stored ones (`traceroute T --history`).
namespace pk::serve::v1 {

namespace {

using namespace std::chrono_literals;

constexpr auto k_dns_grace = 1s;
constexpr std::int64_t k_default_traces = 100;
constexpr std::int64_t k_max_traces = 10'000;

std::unexpected<Response> bad_field(std::string_view name, std::string_view why) {
  return fail(422, fmt::format("field '{}' {}", name, why));
}

// The body's fields: host or target, probe, port, max_hops, queries, wait,
// first_ttl, family, dns (reverse names, default true), save (default true).
struct TraceBody {
  probe::TraceSettings settings;
  bool by_target = false;  // "target": it must name a known target
  bool dns = true;
  bool save = true;
};

Reply<int> bounded(const core::Json& body, std::string_view name, int fallback, int lo, int hi) {
  auto it = body.find(name);
  if (it == body.end()) return fallback;
  if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi) {
    return bad_field(name, fmt::format("must be an integer from {} to {}", lo, hi));
  }
  return static_cast<int>(it->get<std::int64_t>());
}

Reply<TraceBody> trace_body(const core::Json& body) {
  static const std::vector<std::string> known{"host", "target",    "probe",  "port", "max_hops", "queries",
                                              "wait", "first_ttl", "family", "dns",  "save"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) return bad_field(key, "is not a traceroute setting");
  }
  TraceBody out;
  const bool has_host = body.contains("host");
  if (has_host == body.contains("target")) return fail(422, "give either field 'host' or field 'target'");
  const auto& host = body.at(has_host ? "host" : "target");
  if (!host.is_string() || host.get<std::string>().empty()) {
    return bad_field(has_host ? "host" : "target", "must be a non-empty string");
  }
  out.settings.host = host.get<std::string>();
  out.by_target = !has_host;
  if (auto it = body.find("probe"); it != body.end()) {
    if (!it->is_string()) return bad_field("probe", "must be icmp, udp or tcp");
    out.settings.probe = it->get<std::string>();
  }
  auto max_hops = bounded(body, "max_hops", 30, 1, core::k_max_trace_hops);
  if (!max_hops) return std::unexpected(max_hops.error());
  out.settings.max_hops = *max_hops;
  auto queries = bounded(body, "queries", 3, 1, core::k_max_trace_queries);
  if (!queries) return std::unexpected(queries.error());
  out.settings.queries = *queries;
  auto first_ttl = bounded(body, "first_ttl", 1, 1, *max_hops);
  if (!first_ttl) return std::unexpected(first_ttl.error());
  out.settings.first_ttl = *first_ttl;
  if (body.contains("port")) {
    auto port = bounded(body, "port", 0, 1, 65535);
    if (!port) return std::unexpected(port.error());
    out.settings.port = *port;
  }
  if (auto it = body.find("wait"); it != body.end()) {
    if (it->is_number_integer()) {
      out.settings.wait = fmt::format("{}ms", it->get<std::int64_t>());
    } else if (it->is_string()) {
      out.settings.wait = it->get<std::string>();
    } else {
      return bad_field("wait", "must be a duration such as \"500ms\" or a number of milliseconds");
    }
  }
  if (auto it = body.find("family"); it != body.end()) {
    const auto f = it->is_string() ? it->get<std::string>() : it->is_number_integer() ? it->dump() : "";
    if (f != "4" && f != "6" && f != "ipv4" && f != "ipv6" && f != "any") {
      return bad_field("family", "must be any, ipv4 or ipv6");
    }
    out.settings.v4 = f == "4" || f == "ipv4";
    out.settings.v6 = f == "6" || f == "ipv6";
  }
  for (auto [name, flag] : {std::pair{"dns", &out.dns}, std::pair{"save", &out.save}}) {
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_boolean()) return bad_field(name, "must be true or false");
      *flag = it->get<bool>();
    }
  }
  return out;
}

// POST /traceroute: 200 with the trace (core::to_json: id set when stored).
Response traceroute(const Request& r, ServeState& state) {
  auto body = json_object_body(r);
  if (!body) return body.error();
  auto asked = trace_body(*body);
  if (!asked) return asked.error();
  if (auto ok = probe::check_trace_settings(asked->settings); !ok) return error_response(ok.error());
  auto db = open_db(state);
  if (!db) return db.error();
  std::optional<core::Target> target;
  if (auto found = store::targets::find(**db, asked->settings.host)) {
    target = std::move(*found);
  } else if (found.error().kind != ErrorKind::not_found || asked->by_target) {
    return error_response(found.error());
  }
  auto plan = probe::plan_trace(asked->settings, std::move(target));
  if (!plan) return error_response(plan.error());
  auto address = probe::Resolver::resolve_now(plan->host, plan->family);
  if (!address) return error_response(address.error());
  plan->request.destination = *address;
  auto tracer = probe::Tracer::open(plan->request.method, address->is_v6());
  if (!tracer && tracer.error().kind == ErrorKind::permission) {
    // The library's message names the binary's path: not for clients.
    return error_response(403, fmt::format("the server may not open the sockets that {} traces need (root or "
                                           "CAP_NET_RAW; for icmp also net.ipv4.ping_group_range); "
                                           "\"probe\": \"udp\" needs no privilege",
                                           core::to_string(plan->request.method)));
  }
  if (!tracer) return error_response(tracer.error());
  const std::atomic<bool> never{false};
  auto trace = (*tracer)->run(plan->request, never);
  if (!trace) return error_response(trace.error());
  trace->target = plan->target ? plan->target->name : asked->settings.host;
  trace->target_id = plan->target ? std::optional<std::int64_t>(plan->target->id) : std::nullopt;
  trace->host = plan->host;
  if (asked->dns) probe::add_hostnames(*trace, k_dns_grace);
  if (plan->target && asked->save) {
    if (auto saved = store::traces::save(**db, *trace); !saved) return error_response(saved.error());
  }
  return json_response(core::to_json(*trace));
}

// GET /targets/{t}/traces?since&until&limit: the newest `limit` stored
// traces in the range, oldest first.
Response traces(const Request& r, ServeState& state) {
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  store::traces::HistoryQuery q;
  const auto now = state.clock();
  for (auto [name, field] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    if (auto text = r.query_param(name)) {
      auto t = util::parse_time_point(*text, now, *zone);
      if (!t) return error_response(422, fmt::format("query parameter '{}': {}", name, t.error().message));
      *field = *t;
    }
  }
  auto limit = integer_param(r, "limit", 1, k_max_traces);
  if (!limit) return limit.error();
  q.limit = limit->value_or(k_default_traces);
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  q.target_id = target->id;
  auto found = store::traces::list(**db, q);
  if (!found) return error_response(found.error());
  auto list = core::Json::array();
  for (const auto& t : *found) list.push_back(core::to_json(t));
  return json_response({{"target", target->name}, {"target_id", target->id}, {"traces", list}});
}

}  // namespace

void add_trace_routes(Router& router) {
  router.add(Method::post, std::string(k_v1) + "/traceroute", slow(takes({}, traceroute)));
  router.add(Method::get, std::string(k_v1) + "/targets/{t}/traces", cached(takes({"tz", "since", "until", "limit"}, traces)));
}

}  // namespace pk::serve::v1
