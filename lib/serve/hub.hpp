#pragma once

#include "serve/state.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <atomic>
#include <map>
#include <vector>

namespace pk::serve {

class WsSession;

// One ping_result (or host_status_change) ready to send: its WebSocket
// frame, built once, shared by every session that receives it.
struct LiveMessage {
  std::int64_t target_id = 0;
  std::shared_ptr<const std::string> frame;
  bool everyone = false;  // to every session, whatever it subscribed to
};

// The WebSocket sessions of the server (Beast's chat-multi "shared state"):
// sessions join and leave, the live feed sweeps them with its results
// (LiveFeed), the server broadcasts its own messages to all of them.
// Sessions are held by weak pointers: the hub never keeps a closed session
// alive. It also holds the live feed's head: the sequence number of the next
// result, where a joining session starts. Thread-safe.
class Hub {
 public:
  explicit Hub(ServeState& state) : m_state(state) {}

  // Adds a session; false when the server is at its connection cap
  // (ServeOptions::max_ws_clients), counted as rejected.
  bool join(const std::shared_ptr<WsSession>& session);
  void leave(const WsSession* session);

  // The open sessions, in a stable order (the live feed's sweep).
  std::vector<std::shared_ptr<WsSession>> sessions();
  std::uint64_t head() const { return m_head.load(std::memory_order_acquire); }
  void set_head(std::uint64_t head) { m_head.store(head, std::memory_order_release); }
  // Hands every session one message (status_update, heartbeat), framed once.
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
  std::atomic<std::uint64_t> m_head{0};
  mutable std::mutex m_mutex;
  std::map<const WsSession*, std::weak_ptr<WsSession>> m_sessions;
};

}  // namespace pk::serve
