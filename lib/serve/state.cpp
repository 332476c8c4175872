#include "serve/state.hpp"

#include <algorithm>

namespace pk::serve {

namespace {
constexpr std::size_t k_max_idle_connections = 16;
}

DbPool::Lease::~Lease() {
  if (!m_db) return;
  std::lock_guard lock(m_pool->m_mutex);
  if (m_pool->m_idle.size() < k_max_idle_connections) m_pool->m_idle.push_back(std::move(m_db));
}

Expected<DbPool::Lease> DbPool::acquire() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
      auto db = std::move(m_idle.back());
      m_idle.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  auto db = store::Database::open(m_path);
  if (!db) return std::unexpected(db.error());
  return Lease(*this, std::make_unique<store::Database>(std::move(*db)));
}

void LiveState::record(const core::Target& target, const core::Sample& sample) {
  std::lock_guard lock(m_mutex);
  auto [it, inserted] = m_latest.try_emplace(target.id, LiveResult{target, sample});
  if (!inserted && it->second.sample.ts <= sample.ts) it->second = LiveResult{target, sample};
}

std::vector<LiveResult> LiveState::snapshot() const {
  std::vector<LiveResult> out;
  {
    std::lock_guard lock(m_mutex);
    out.reserve(m_latest.size());
    for (const auto& [id, r] : m_latest) out.push_back(r);
  }
  std::sort(out.begin(), out.end(),
            [](const LiveResult& a, const LiveResult& b) { return a.target.name < b.target.name; });
  return out;
}

std::size_t LiveState::size() const {
  std::lock_guard lock(m_mutex);
  return m_latest.size();
}

}  // namespace pk::serve
