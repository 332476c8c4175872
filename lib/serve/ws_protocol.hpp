#pragma once

#include "core/json.hpp"
#include "serve/state.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The WebSocket protocol of /api/ws/ping-status (API.md, seed 000 "WebSocket
// API"): the messages the server sends and the client messages it answers,
// as values, without sockets.
namespace pk::serve::ws {

// Server messages.
std::string connection_established(std::string_view connection_id);
// initial_data: the latest result of every target.
std::string initial_data(const std::vector<LiveResult>& latest);
// ping_result for one sample (backfill marks results sent for `since`).
std::string ping_result(const core::Target& target, const core::Sample& sample, bool backfill = false);
// host_status_change: the target went down (a run of losses reached the
// downtime rule) or came up; `since` is when the losses began.
std::string host_status_change(const core::Target& target, bool down, util::SysMicros at,
                               std::optional<util::SysMicros> since);
// The heartbeat (every 30 s) and the periodic status_update (every 10 s).
std::string heartbeat(util::SysMicros now);
// The answer to a client's ping.
std::string pong(util::SysMicros now);
std::string status_update(ServeState& state, util::SysMicros now);
std::string error(std::string_view message);

// A client message, parsed.
struct ClientMessage {
  enum class Type { ping, pong, get_status, get_latest_metrics, subscribe_host, unsubscribe_host, get_host_summary };
  Type type = Type::ping;
  std::string host;                      // subscribe_host, unsubscribe_host, get_host_summary
  std::int64_t hours = 24;               // get_host_summary
  std::optional<util::SysMicros> since;  // subscribe_host: backfill from this time
};
// The message, or the text of the error reply for it (not JSON, not an
// object, no or an unknown "type", a missing or malformed field).
std::variant<ClientMessage, std::string> parse(std::string_view text);

// The reply to a question that reads the database (get_status,
// get_latest_metrics, get_host_summary); an error message for a failure.
std::string answer(ServeState& state, const ClientMessage& message);

}  // namespace pk::serve::ws
