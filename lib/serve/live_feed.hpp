#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/hub.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <mutex>
#include <vector>

namespace pk::serve {

// Where every new result goes: the collector of this process (its sample
// observer) or, with --no-collect, the DbTailer hands results to add(); the
// feed keeps state.live and state.targets current, tells the hub (one
// ping_result message per result, built once; host_status_change when
// state.targets judges that a target went down or came up). Results handed over
// together go out as one batch.
class LiveFeed {
 public:
  LiveFeed(ServeState& state, Hub& hub, boost::asio::io_context& io);

  // From any thread; returns at once.
  void add(const core::Target& target, const core::Sample& sample);

  // Fills state.live with every live target's latest stored sample (before
  // the server accepts: initial_data and /live are complete from the start).
  Expected<void> prime(const store::Database& db);

 private:
  void flush();

  ServeState& m_state;
  Hub& m_hub;
  boost::asio::strand<boost::asio::io_context::executor_type> m_strand;
  std::mutex m_mutex;
  std::vector<LiveResult> m_pending;
  bool m_posted = false;
};

}  // namespace pk::serve
