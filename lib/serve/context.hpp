#pragma once

#include "serve/hub.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>

namespace pk::serve {

// What the sessions of one server share. Lives as long as the server.
struct ServerContext {
  ServeState& state;
  const Router& router;
  Hub& hub;
  boost::asio::io_context& io;
  // Route handlers and WebSocket questions run here, off the I/O threads:
  // they read the database.
  boost::asio::thread_pool& blocking;
  std::atomic<bool> stopping{false};
};

}  // namespace pk::serve
