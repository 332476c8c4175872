#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/hub.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>

#include <cstdint>
#include <mutex>
#include <vector>

namespace pk::serve {

// Where every new result goes: the collector of this process (its sample
// observer) or, with --no-collect, the DbTailer hands results to add(); the
// feed keeps state.live and state.targets current, tells the hub (one
// ping_result message per result, framed once; host_status_change when
// state.targets judges that a target went down or came up). Results go out in
// batches, at most one every ServeOptions::ws_batch: the first result after a
// quiet spell at once, the ones that follow it within the window together
// (one write per client for the lot). The fan-out runs on the feed's strand.
class LiveFeed {
 public:
  LiveFeed(ServeState& state, Hub& hub, boost::asio::io_context& io);

  // From any thread; returns at once.
  void add(const core::Target& target, const core::Sample& sample);

  // Fills state.live with every live target's latest stored sample (before
  // the server accepts: initial_data and /live are complete from the start).
  Expected<void> prime(const store::Database& db);

 private:
  void schedule();
  void flush();

  ServeState& m_state;
  Hub& m_hub;
  boost::asio::strand<boost::asio::io_context::executor_type> m_strand;
  boost::asio::steady_timer m_timer;
  std::chrono::steady_clock::time_point m_last_flush{};
  std::mutex m_mutex;
  std::vector<LiveResult> m_pending;
  bool m_scheduled = false;
};

}  // namespace pk::serve
