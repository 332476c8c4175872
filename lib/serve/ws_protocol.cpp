#include "serve/ws_protocol.hpp"

#include "serve/seed_api.hpp"

#include <fmt/format.h>

namespace pk::serve::ws {

namespace {

std::string dump(const core::Json& j) { return j.dump(-1, ' ', false, core::Json::error_handler_t::replace); }

}  // namespace

std::string connection_established(std::string_view connection_id) {
  return dump({{"type", "connection_established"},
               {"connection_id", connection_id},
               {"message", "WebSocket connection established"}});
}

std::string initial_data(const std::vector<LiveResult>& latest) {
  core::Json results = core::Json::object();
  for (const auto& r : latest) results[r.target.name] = seed::result_json(r.target, r.sample);
  return dump({{"type", "initial_data"}, {"results", std::move(results)}});
}

std::string ping_result(const core::Target& target, const core::Sample& sample, bool backfill) {
  core::Json j{{"type", "ping_result"}, {"result", seed::result_json(target, sample)}};
  if (backfill) j["backfill"] = true;
  return dump(j);
}

std::string host_status_change(const core::Target& target, bool down, util::SysMicros at,
                               std::optional<util::SysMicros> since) {
  core::Json j{{"type", "host_status_change"},
               {"host", target.name},
               {"address", target.host},
               {"status", down ? "down" : "up"},
               {"timestamp", util::format_iso_utc(at)}};
  j["down_since"] = since ? core::Json(util::format_iso_utc(*since)) : core::Json(nullptr);
  return dump(j);
}

std::string heartbeat(util::SysMicros now) {
  return dump({{"type", "ping"}, {"timestamp", util::format_iso_utc(now)}});
}

std::string pong(util::SysMicros now) { return dump({{"type", "pong"}, {"timestamp", util::format_iso_utc(now)}}); }

namespace {

core::Json status_fields(ServeState& state, std::string_view type) {
  core::Json j{{"type", type}};
  j["monitoring_active"] = state.monitor != nullptr && state.monitor->active();
  core::Json hosts = core::Json::array();
  if (auto db = state.db.acquire()) {
    if (auto names = seed::monitored_hosts(**db)) hosts = *names;
  }
  j["target_hosts"] = std::move(hosts);
  j["websocket_clients"] = state.counters.ws_clients.load();
  return j;
}

}  // namespace

std::string status_update(ServeState& state, util::SysMicros now) {
  auto j = status_fields(state, "status_update");
  j["latest_results_count"] = state.live.size();
  j["timestamp"] = util::format_iso_utc(now);
  return dump(j);
}

std::string error(std::string_view message) { return dump({{"type", "error"}, {"message", message}}); }

std::variant<ClientMessage, std::string> parse(std::string_view text) {
  auto j = core::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error("Invalid message format");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return error("Invalid message format: no \"type\"");
  const auto& name = type->get_ref<const std::string&>();
  ClientMessage m;
  using T = ClientMessage::Type;
  if (name == "ping") {
    m.type = T::ping;
  } else if (name == "pong") {
    m.type = T::pong;
  } else if (name == "get_status") {
    m.type = T::get_status;
  } else if (name == "get_latest_metrics") {
    m.type = T::get_latest_metrics;
  } else if (name == "subscribe_host" || name == "unsubscribe_host" || name == "get_host_summary") {
    m.type = name == "subscribe_host"     ? T::subscribe_host
             : name == "unsubscribe_host" ? T::unsubscribe_host
                                          : T::get_host_summary;
    auto host = j.find("host");
    if (host == j.end() || !host->is_string() || host->get_ref<const std::string&>().empty()) {
      return error(fmt::format("{} needs a \"host\" string", name));
    }
    m.host = host->get<std::string>();
  } else {
    return error(fmt::format("Unknown message type: {}", name.substr(0, 64)));
  }
  if (m.type == T::get_host_summary) {
    if (auto hours = j.find("hours"); hours != j.end()) {
      if (!hours->is_number_integer() || hours->get<std::int64_t>() < 1 || hours->get<std::int64_t>() > 168) {
        return error("\"hours\" must be an integer between 1 and 168");
      }
      m.hours = hours->get<std::int64_t>();
    }
  }
  if (m.type == T::subscribe_host) {
    if (auto since = j.find("since"); since != j.end() && !since->is_null()) {
      auto utc = util::locate_zone("UTC");
      auto t = since->is_string() && utc
                   ? util::parse_time_point(since->get_ref<const std::string&>(), util::now_utc(), *utc)
                   : Expected<util::SysMicros>(invalid_input("since"));
      if (!t) return error("\"since\" must be an ISO 8601 time, e.g. 2026-11-22T10:00:00Z");
      m.since = *t;
    }
  }
  return m;
}

std::string answer(ServeState& state, const ClientMessage& message) {
  using T = ClientMessage::Type;
  switch (message.type) {
    case T::get_status: return dump(status_fields(state, "status_response"));
    case T::get_latest_metrics: {
      auto latest = seed::latest_metrics(state);
      if (!latest) return error("the latest metrics could not be read");
      return dump({{"type", "latest_metrics"}, {"data", std::move(*latest)}});
    }
    case T::get_host_summary: {
      auto summary = seed::host_summary(state, message.host, message.hours);
      if (!summary) {
        return error(summary.error().kind == ErrorKind::database || summary.error().kind == ErrorKind::io
                         ? "the host summary could not be read"
                         : summary.error().message);
      }
      return dump({{"type", "host_summary"}, {"host", message.host}, {"data", std::move(*summary)}});
    }
    default: break;
  }
  return error("Invalid message format");
}

}  // namespace pk::serve::ws
