#include "serve/response_cache.hpp"

#include <algorithm>

namespace pk::serve {

void ResponseCache::changed() {
  std::lock_guard lock(m_mutex);
  ++m_generation;
}

void ResponseCache::cleared() {
  std::lock_guard lock(m_mutex);
  m_floor = ++m_generation;
  m_entries.clear();
  m_bytes = 0;
}

std::uint64_t ResponseCache::generation() const {
  std::lock_guard lock(m_mutex);
  return m_generation;
}

std::optional<ResponseCache::Found> ResponseCache::find(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(key);
  if (it == m_entries.end()) return std::nullopt;
  Entry& e = it->second;
  const auto age = now - e.computed;
  if (e.generation == m_generation && age < m_limits.max_age) return Found{e.response, false};
  if (age >= m_limits.max_stale) {
    // Too old to stand in for the new answer: the caller computes it.
    m_bytes -= e.response->body.size();
    m_entries.erase(it);
    return std::nullopt;
  }
  bool refresh = !e.refreshing;
  e.refreshing = true;
  return Found{e.response, refresh};
}

void ResponseCache::store(const std::string& key, std::uint64_t generation, Clock::time_point started,
                          const Response& response) {
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(key);
  if (response.status != 200 || response.file || response.body.size() > m_limits.max_body || generation < m_floor) {
    if (it != m_entries.end()) it->second.refreshing = false;
    return;
  }
  auto kept = std::make_shared<const Response>(response);
  if (it != m_entries.end()) {
    // A slower computation must not replace a newer answer.
    if (it->second.computed <= started) {
      m_bytes += kept->body.size();
      m_bytes -= it->second.response->body.size();
      it->second = Entry{std::move(kept), generation, started, false};
    } else {
      it->second.refreshing = false;
    }
  } else {
    m_bytes += kept->body.size();
    m_entries.emplace(key, Entry{std::move(kept), generation, started, false});
  }
  while (m_entries.size() > m_limits.max_entries || (m_bytes > m_limits.max_bytes && m_entries.size() > 1)) {
    evict_oldest();
  }
}

void ResponseCache::evict_oldest() {
  auto oldest = std::min_element(m_entries.begin(), m_entries.end(),
                                 [](const auto& a, const auto& b) { return a.second.computed < b.second.computed; });
  m_bytes -= oldest->second.response->body.size();
  m_entries.erase(oldest);
}

void ResponseCache::abandon(const std::string& key) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_entries.find(key); it != m_entries.end()) it->second.refreshing = false;
}

std::size_t ResponseCache::size() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

std::size_t ResponseCache::bytes() const {
  std::lock_guard lock(m_mutex);
  return m_bytes;
}

std::string cache_key(const Request& request) {
  std::string key = request.target;
  key += '\n';
  key += request.header("accept");
  return key;
}

}  // namespace pk::serve
