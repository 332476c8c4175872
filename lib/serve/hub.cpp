#include "serve/hub.hpp"

#include "serve/ws_frame.hpp"
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

std::vector<std::shared_ptr<WsSession>> Hub::sessions() {
  std::vector<std::shared_ptr<WsSession>> out;
  std::lock_guard lock(m_mutex);
  out.reserve(m_sessions.size());
  for (auto& [ptr, weak] : m_sessions) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

template <typename Fn>
void Hub::for_each(Fn&& fn) {
  // The sessions are called outside the lock: a session whose last owner is
  // this loop ends here, and its destructor leaves the hub (taking the lock).
  for (auto& session : sessions()) fn(*session);
}

void Hub::broadcast(const std::string& message) {
  auto frame = std::make_shared<const std::string>(ws::text_frame(message));
  for_each([&](WsSession& s) { s.send(frame); });
}

void Hub::check_idle() {
  const auto now = WsSession::Clock::now();
  for_each([&](WsSession& s) { s.check_idle(now); });
}

void Hub::close_all() {
  for_each([](WsSession& s) { s.going_away(); });
}

std::size_t Hub::size() const {
  std::lock_guard lock(m_mutex);
  return m_sessions.size();
}

}  // namespace pk::serve
