#include "serve/live_feed.hpp"

#include "serve/ws_frame.hpp"
#include "serve/ws_protocol.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <boost/asio/post.hpp>

namespace pk::serve {

namespace net = boost::asio;

LiveFeed::LiveFeed(ServeState& state, Hub& hub, net::io_context& io)
    : m_state(state), m_hub(hub), m_strand(net::make_strand(io)), m_timer(m_strand) {}

void LiveFeed::add(const core::Target& target, const core::Sample& sample) {
  std::lock_guard lock(m_mutex);
  m_pending.push_back(LiveResult{target, sample});
  if (m_scheduled) return;
  m_scheduled = true;
  net::post(m_strand, [this] { schedule(); });
}

void LiveFeed::schedule() {
  const auto due = m_last_flush + m_state.options.ws_batch;
  if (std::chrono::steady_clock::now() >= due) {
    flush();
    return;
  }
  m_timer.expires_at(due);
  m_timer.async_wait([this](boost::system::error_code ec) {
    if (!ec) flush();
  });
}

void LiveFeed::flush() {
  m_last_flush = std::chrono::steady_clock::now();
  std::vector<LiveResult> results;
  {
    std::lock_guard lock(m_mutex);
    results.swap(m_pending);
    m_scheduled = false;
  }
  LiveBatch batch;
  batch.reserve(results.size());
  for (const auto& r : results) {
    m_state.live.record(r.target, r.sample);
    auto status = m_state.targets.record(r.target, r.sample);
    if (status.change != analyze::StatusTracker::Change::none) {
      bool down = status.change == analyze::StatusTracker::Change::went_down;
      m_hub.broadcast(ws::host_status_change(r.target, down, r.sample.ts, status.loss_since));
    }
    batch.push_back(
        LiveMessage{r.target.id, std::make_shared<const std::string>(ws::text_frame(ws::ping_result(r.target, r.sample)))});
  }
  if (!batch.empty()) m_hub.publish(batch);
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
