#pragma once

#include "serve/live_feed.hpp"
#include "util/expected.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace pk::serve {

// `serve --no-collect`: another process (`pingkeeper run`) collects; this
// thread reads what it stores and hands each new sample to the live feed,
// within `poll` of its commit. A sample is stored up to its timeout after
// newer ones, so each read looks back that far and skips what it has seen.
class DbTailer {
 public:
  static Expected<std::unique_ptr<DbTailer>> start(const std::string& db_path, LiveFeed& feed,
                                                   std::chrono::milliseconds poll);
  ~DbTailer();
  DbTailer(const DbTailer&) = delete;
  DbTailer& operator=(const DbTailer&) = delete;

 private:
  DbTailer(store::Database db, LiveFeed& feed, std::chrono::milliseconds poll);
  void loop();

  store::Database m_db;
  LiveFeed& m_feed;
  std::chrono::milliseconds m_poll;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

}  // namespace pk::serve
