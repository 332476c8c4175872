#pragma once

#include <atomic>

namespace pk::cli {

// Installs SIGINT and SIGTERM handlers that set the returned flag (and do
// nothing else), for commands that run until interrupted and then finish
// cleanly. A second signal while stopping restores the default action, so a
// third Ctrl-C kills a stuck process the usual way.
const std::atomic<bool>& install_stop_signals();

}  // namespace pk::cli
