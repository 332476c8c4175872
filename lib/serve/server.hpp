#pragma once

#include "serve/state.hpp"
#include "util/expected.hpp"

#include <atomic>
#include <functional>
#include <string>

namespace pk::serve {

// Parses a --listen value: "host:port" or "[v6]:port" with a numeric address
// (or "localhost"); invalid_input otherwise.
struct ListenAddress {
  std::string address;
  unsigned short port = 0;
};
Expected<ListenAddress> parse_listen(std::string_view text);

// Checks the options before anything opens: the listen address, a
// non-loopback listen without tokens (refused unless insecure).
Expected<void> validate(const ServeOptions& options);

// What the server tells its caller once it listens.
struct ServeReady {
  std::string url;  // http://127.0.0.1:8080
  bool collecting = false;
};

// Runs `pingkeeper serve` until `stop` becomes true: opens the database and
// (unless --no-collect) the probing sockets, calls `drop_privileges` once they
// are open, listens, calls `ready`, serves, and on stop: stops accepting,
// closes every WebSocket with 1001, stops and flushes the collector.
Expected<void> run(ServeOptions options, const std::atomic<bool>& stop,
                   const std::function<Expected<void>()>& drop_privileges,
                   const std::function<void(const ServeReady&)>& ready);

}  // namespace pk::serve
