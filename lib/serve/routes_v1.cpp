#include "collect/collector.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"
#include "serve/v1_routes.hpp"
#include "store/targets.hpp"

#include <chrono>

// The native API: every group of /api/v1, GET /api/v1/health and the OpenAPI
// document that describes them.
namespace pk::serve {

namespace {

// GET /api/v1/health: 200 when the database answers, else 503.
Response health(const Request& /*r*/, ServeState& state) {
  core::Json targets = nullptr;
  if (auto db = state.db.acquire()) {
    if (auto list = store::targets::list(**db)) {
      int paused = 0;
      for (const auto& t : *list) paused += t.paused ? 1 : 0;
      targets = {{"total", list->size()}, {"active", static_cast<int>(list->size()) - paused}, {"paused", paused}};
    }
  }
  const bool db_ok = !targets.is_null();
  const char* collector = state.monitor == nullptr ? "unknown" : state.monitor->active() ? "running" : "stopped";
  const auto now = state.clock();
  // This process's collector's commits (null when another process collects).
  core::Json storage = nullptr;
  bool storing = true;
  if (const auto* h = state.monitor != nullptr ? state.monitor->health() : nullptr) {
    const auto w = h->writer();
    // Only a running collector can be failing now (a stopped one keeps its last figures).
    storing = !w.failing_since || !state.monitor->active();
    storage = {{"status", storing ? "ok" : "failing"},
               {"failing_since", w.failing_since ? core::Json(util::format_iso_utc(*w.failing_since)) : nullptr},
               {"backlog", w.backlog},
               {"spooled", w.spooled},
               {"dropped", w.dropped},
               {"committed", w.committed}};
    if (auto jump = h->clock_jump()) {
      storage["last_clock_jump"] = {{"at", util::format_iso_utc(jump->at)},
                                    {"by_s", static_cast<double>(jump->by.count()) / 1e6}};
    }
  }
  return json_response({{"status", db_ok && storing ? "ok" : "degraded"},
                        {"version", PK_VERSION},
                        {"database", db_ok ? "ok" : "unavailable"},
                        {"collector", collector},
                        {"storage", storage},
                        {"targets", targets},
                        {"websocket_clients", state.counters.ws_clients.load()},
                        {"started_at", util::format_iso_utc(state.started)},
                        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(now - state.started).count()},
                        {"time", util::format_iso_utc(now)}},
                       db_ok && storing ? 200 : 503);
}

Response openapi(const Request& /*r*/, ServeState& /*state*/) { return json_response(v1::openapi_document()); }

}  // namespace

void add_v1_routes(Router& router) {
  v1::add_target_routes(router);
  v1::add_job_routes(router);
  v1::add_data_routes(router);
  v1::add_trace_routes(router);
  v1::add_export_routes(router);
  router.add(Method::get, std::string(v1::k_v1) + "/health", takes({}, health));
  router.add(Method::get, "/api/openapi.json", takes({}, openapi));
}

}  // namespace pk::serve
