#include "serve/live_feed.hpp"

#include "serve/ws_frame.hpp"
#include "serve/ws_protocol.hpp"
#include "serve/ws_session.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

namespace pk::serve {

namespace {

// Every this many sessions a sweep takes in the results that came meanwhile.
constexpr std::size_t k_absorb_every = 128;

}  // namespace

LiveFeed::LiveFeed(ServeState& state, Hub& hub) : m_state(state), m_hub(hub), m_thread([this] { run(); }) {}

LiveFeed::~LiveFeed() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void LiveFeed::add(const core::Target& target, const core::Sample& sample) {
  {
    std::lock_guard lock(m_mutex);
    m_pending.push_back(LiveResult{target, sample});
  }
  m_wake.notify_one();
}

void LiveFeed::run() {
  auto last_sweep = std::chrono::steady_clock::time_point{};
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait(lock, [this] { return m_stop || !m_pending.empty(); });
    // After a quiet spell: the results of the next window go together.
    if (m_wake.wait_until(lock, last_sweep + m_state.options.ws_batch, [this] { return m_stop; })) break;
    lock.unlock();
    absorb();
    // Sweeps while results keep coming: what is left in the log after a
    // sweep came during it and reached only the sessions visited after it.
    while (!m_log.empty()) {
      last_sweep = std::chrono::steady_clock::now();
      sweep();
      absorb();
    }
    lock.lock();
  }
}

void LiveFeed::absorb() {
  std::vector<LiveResult> results;
  {
    std::lock_guard lock(m_mutex);
    results.swap(m_pending);
  }
  if (results.empty()) return;
  for (const auto& r : results) {
    // The live state first: a session that joins reads the log's head, then
    // the live state (initial_data), and misses nothing between the two.
    m_state.live.record(r.target, r.sample);
    auto status = m_state.targets.record(r.target, r.sample);
    m_log.push_back(LiveMessage{
        r.target.id, std::make_shared<const std::string>(ws::text_frame(ws::ping_result(r.target, r.sample))), false});
    if (status.change != analyze::StatusTracker::Change::none) {
      bool down = status.change == analyze::StatusTracker::Change::went_down;
      m_log.push_back(LiveMessage{r.target.id,
                                  std::make_shared<const std::string>(ws::text_frame(
                                      ws::host_status_change(r.target, down, r.sample.ts, status.loss_since))),
                                  true});
    }
  }
  m_hub.set_head(m_log_base + m_log.size());
}

void LiveFeed::sweep() {
  const std::uint64_t start_head = m_log_base + m_log.size();
  auto sessions = m_hub.sessions();
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (i > 0 && i % k_absorb_every == 0) absorb();
    sessions[i]->catch_up(m_log, m_log_base);
  }
  sessions.clear();
  // Every session has what came before the sweep began (one that joined
  // since starts at a head no older): that part of the log is done.
  const auto done = static_cast<std::size_t>(start_head - m_log_base);
  m_log.erase(m_log.begin(), m_log.begin() + static_cast<std::ptrdiff_t>(done));
  m_log_base = start_head;
}

Expected<void> LiveFeed::prime(const store::Database& db) {
  auto targets = store::targets::list(db);
  if (!targets) return std::unexpected(targets.error());
  for (const auto& t : *targets) {
    auto latest = store::samples::select(db, store::samples::Query{t.id, std::nullopt, std::nullopt, 1, true});
    if (!latest) return std::unexpected(latest.error());
    if (!latest->empty()) m_state.live.record(t, latest->front());
  }
  return {};
}

}  // namespace pk::serve
