#include "probe/reverse_dns.hpp"

#include "probe/address.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <netdb.h>
#include <set>
#include <system_error>
#include <thread>

namespace pk::probe {

namespace {

constexpr std::size_t k_max_lookups = 8;  // lookups running at once

}  // namespace

// Shared by the ReverseDns and its worker threads, which may outlive it.
struct ReverseDns::State {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::string> requested;
  std::deque<std::string> queued;
  std::size_t running = 0;
  std::size_t done = 0;
  std::map<std::string, std::string> names;
};

namespace {

std::optional<std::string> lookup(const std::string& address) {
  auto parsed = Address::parse_literal(address);
  if (!parsed) return std::nullopt;
  char host[NI_MAXHOST] = {};
  if (getnameinfo(parsed->sockaddr_ptr(), parsed->length(), host, sizeof(host), nullptr, 0, NI_NAMEREQD) != 0) {
    return std::nullopt;
  }
  return std::string(host);
}

}  // namespace

ReverseDns::ReverseDns() : m_state(std::make_shared<State>()) {}

ReverseDns::~ReverseDns() {
  std::lock_guard lock(m_state->mutex);
  m_state->queued.clear();  // running lookups finish on their own; nothing new starts
}

void ReverseDns::request(const std::string& address) {
  std::lock_guard lock(m_state->mutex);
  if (!m_state->requested.insert(address).second) return;
  if (m_state->running >= k_max_lookups) {
    m_state->queued.push_back(address);
    return;
  }
  // A worker: looks up queued addresses until the queue is empty.
  auto work = [](const std::shared_ptr<State>& state, std::string next) {
    for (;;) {
      auto name = lookup(next);
      std::lock_guard worker_lock(state->mutex);
      if (name) state->names.emplace(next, std::move(*name));
      ++state->done;
      state->changed.notify_all();
      if (state->queued.empty()) {
        --state->running;
        return;
      }
      next = std::move(state->queued.front());
      state->queued.pop_front();
    }
  };
  ++m_state->running;
  try {
    std::thread(work, m_state, address).detach();
  } catch (const std::system_error&) {
    --m_state->running;  // no thread: the name stays unknown
    ++m_state->done;
  }
}

std::map<std::string, std::string> ReverseDns::names(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(m_state->mutex);
  m_state->changed.wait_until(lock, deadline, [this] { return m_state->done == m_state->requested.size(); });
  return m_state->names;
}

}  // namespace pk::probe
