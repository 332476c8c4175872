#pragma once

#include "serve/state.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace pk::serve {

class WsSession;

// One ping_result ready to send: its WebSocket frame, built once, shared by
// every session that receives it.
struct LiveMessage {
  std::int64_t target_id = 0;
  std::shared_ptr<const std::string> frame;
};
using LiveBatch = std::vector<LiveMessage>;

// The WebSocket sessions of the server (Beast's chat-multi "shared state"):
// sessions join and leave, the live feed publishes batches of results and
// server-wide messages to all of them. Sessions are held by weak pointers:
// the hub never keeps a closed session alive. Thread-safe.
class Hub {
 public:
  explicit Hub(ServeState& state) : m_state(state) {}

  // Adds a session; false when the server is at its connection cap
  // (ServeOptions::max_ws_clients), counted as rejected.
  bool join(const std::shared_ptr<WsSession>& session);
  void leave(const WsSession* session);

  // Hands every session the batch (each keeps what it subscribed to), on
  // this thread: each session sends at once what its socket takes.
  void publish(const LiveBatch& batch);
  // Hands every session one message (status_update, heartbeat,
  // host_status_change), framed once.
  void broadcast(const std::string& message);
  // Closes every session with 1001 (going away): the server is stopping.
  void close_all();
  // Pings quiet sessions, ends silent ones (WsSession::check_idle).
  void check_idle();

  std::size_t size() const;

 private:
  template <typename Fn>
  void for_each(Fn&& fn);

  ServeState& m_state;
  mutable std::mutex m_mutex;
  std::unordered_map<const WsSession*, std::weak_ptr<WsSession>> m_sessions;
};

}  // namespace pk::serve
