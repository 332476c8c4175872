#include "serve/hub.hpp"

#include "serve/ws_session.hpp"

namespace pk::serve {

bool Hub::join(const std::shared_ptr<WsSession>& session) {
  std::lock_guard lock(m_mutex);
  if (m_sessions.size() >= m_state.options.max_ws_clients) {
    ++m_state.counters.ws_rejected;
    return false;
  }
  m_sessions.emplace(session.get(), session);
  m_state.counters.ws_clients = static_cast<std::int64_t>(m_sessions.size());
  ++m_state.counters.ws_accepted;
  return true;
}

void Hub::leave(const WsSession* session) {
  std::lock_guard lock(m_mutex);
  m_sessions.erase(session);
  m_state.counters.ws_clients = static_cast<std::int64_t>(m_sessions.size());
}

template <typename Fn>
void Hub::for_each(Fn&& fn) {
  // The sessions are collected under the lock and called outside it: a
  // session whose last owner is this loop ends here, and its destructor
  // leaves the hub (taking the lock).
  std::vector<std::shared_ptr<WsSession>> sessions;
  {
    std::lock_guard lock(m_mutex);
    sessions.reserve(m_sessions.size());
    for (auto& [ptr, weak] : m_sessions) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (auto& session : sessions) fn(*session);
}

void Hub::publish(const std::shared_ptr<const LiveBatch>& batch) {
  for_each([&](WsSession& s) { s.deliver(batch); });
}

void Hub::broadcast(const std::shared_ptr<const std::string>& message) {
  for_each([&](WsSession& s) { s.send(message); });
}

void Hub::close_all() {
  for_each([](WsSession& s) { s.going_away(); });
}

std::size_t Hub::size() const {
  std::lock_guard lock(m_mutex);
  return m_sessions.size();
}

}  // namespace pk::serve
