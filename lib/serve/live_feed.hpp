#pragma once

#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/hub.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace pk::serve {

// Where every new result goes: the collector of this process (its sample
// observer) or, with --no-collect, the DbTailer hands results to add(); the
// feed keeps state.live and state.targets current and sends the WebSocket
// clients one ping_result per result (framed once; host_status_change when
// state.targets judges that a target went down or came up).
//
// Fan-out: the feed's own thread appends the frames to a log (consecutive
// sequence numbers) and sweeps the hub's sessions in turn, each taking every
// frame after its cursor in one send (WsSession::catch_up). Results that come
// during a sweep are taken into the log as it goes, so a client waits at
// most one sweep for a result, however many clients there are; sweeps follow
// each other while results keep coming, and after a quiet spell the next one
// starts at most every ServeOptions::ws_batch (the results of that window
// together: one write per client for the lot).
class LiveFeed {
 public:
  LiveFeed(ServeState& state, Hub& hub);
  ~LiveFeed();  // stops the thread
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // From any thread; returns at once.
  void add(const core::Target& target, const core::Sample& sample);

  // Fills state.live with every live target's latest stored sample (before
  // the server accepts: initial_data and /live are complete from the start).
  Expected<void> prime(const store::Database& db);

 private:
  void run();
  // Moves the results handed over into the log.
  void absorb();
  void sweep();

  ServeState& m_state;
  Hub& m_hub;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<LiveResult> m_pending;
  bool m_stop = false;
  // The feed thread's alone.
  std::vector<LiveMessage> m_log;
  std::uint64_t m_log_base = 0;  // the sequence number of m_log.front()
  std::thread m_thread;
};

}  // namespace pk::serve
