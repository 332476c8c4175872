#include "serve/seed_api.hpp"
#include "serve/seed_cleanup.hpp"
#include "serve/seed_hosts.hpp"
#include "serve/seed_routes.hpp"

// The seed 000 root, health, host management, monitoring control and
// cleanup routes under /api.
namespace pk::serve::seed {

namespace {

Response root(const Request& /*r*/, ServeState& state) {
  return json_response({
      {"message", "WiFi Performance Tracker API"},
      {"version", PK_VERSION},
      {"status", "running"},
      {"monitoring_active", monitoring_active(state)},
      {"endpoints",
       {{"ping_metrics", "/api/ping-metrics"},
        {"websocket", "/api/ws/ping-status"},
        {"docs", "/api/openapi.json"},
        {"redoc", "/api/openapi.json"},
        {"native_api", "/api/v1"}}},
      {"server", "pingkeeper"},
  });
}

// 503 with status "unhealthy" when the database cannot be read.
Response health(const Request& /*r*/, ServeState& state) {
  Expected<std::vector<core::Target>> targets = make_error(ErrorKind::database, "");
  if (auto db = state.db.acquire()) targets = monitored_targets(**db);
  const auto ws_clients = state.counters.ws_clients.load();
  const char* monitoring = monitoring_active(state) ? "active" : "inactive";
  if (!targets) {
    return json_response({{"status", "unhealthy"},
                          {"database", "error"},
                          {"ping_monitoring", monitoring},
                          {"target_hosts_count", nullptr},
                          {"websocket_clients", ws_clients},
                          {"ping_interval_seconds", nullptr},
                          {"version", PK_VERSION}},
                         503);
  }
  return json_response({{"status", "healthy"},
                        {"database", "connected"},
                        {"ping_monitoring", monitoring},
                        {"target_hosts_count", targets->size()},
                        {"websocket_clients", ws_clients},
                        {"ping_interval_seconds", ping_interval_seconds(*targets)},
                        {"version", PK_VERSION}});
}

Response monitoring_status(const Request& /*r*/, ServeState& state) {
  auto db = state.db.acquire();
  if (!db) return error_response(db.error());
  auto targets = monitored_targets(**db);
  if (!targets) return error_response(targets.error());
  std::vector<std::string> hosts;
  for (const auto& t : *targets) hosts.push_back(t.name);
  return json_response({{"monitoring_active", monitoring_active(state)},
                        {"ping_interval_seconds", ping_interval_seconds(*targets)},
                        {"target_hosts", std::move(hosts)},
                        {"websocket_clients", state.counters.ws_clients.load()},
                        {"latest_results_count", state.live.size()}});
}

Response no_monitor() { return error_response(503, "this server cannot start or stop a collector"); }

Response start(const Request& /*r*/, ServeState& state) {
  if (state.monitor == nullptr) return no_monitor();
  if (auto started = state.monitor->start(); !started) return error_response(started.error());
  return json_response({{"message", "Ping monitoring started"}, {"status", "active"}});
}

Response stop(const Request& /*r*/, ServeState& state) {
  if (state.monitor == nullptr) return no_monitor();
  if (auto stopped = state.monitor->stop(); !stopped) return error_response(stopped.error());
  return json_response({{"message", "Ping monitoring stopped"}, {"status", "inactive"}});
}

Response cleanup_route(const Request& r, ServeState& state) {
  auto days = int_param(r, "days", 1, 365);
  if (!days) return error_response(days.error());
  const auto cutoff = days->value_or(30);
  auto deleted = cleanup(state, cutoff);
  if (!deleted) return error_response(deleted.error());
  return json_response({{"message", "Cleanup completed"}, {"deleted_records", *deleted}, {"cutoff_days", cutoff}});
}

}  // namespace

void add_control_routes(Router& router) {
  router.add(Method::get, "/api", root);
  router.add(Method::get, "/api/health", health);
  router.add(Method::post, "/api/ping-metrics/hosts/{host}/add",
             [](const Request& r, ServeState& state) { return answer(add_host(state, r.param("host"))); });
  router.add(Method::del, "/api/ping-metrics/hosts/{host}",
             [](const Request& r, ServeState& state) { return answer(remove_host(state, r.param("host"))); });
  router.add(Method::get, "/api/ping-metrics/monitoring/status", monitoring_status);
  router.add(Method::post, "/api/ping-metrics/monitoring/start", start);
  router.add(Method::post, "/api/ping-metrics/monitoring/stop", stop);
  router.add(Method::del, "/api/ping-metrics/cleanup", cleanup_route);
}

}  // namespace pk::serve::seed
