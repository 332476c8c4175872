#pragma once

#include <atomic>

namespace pk::cli {

// Installs SIGINT and SIGTERM handlers that set the returned flag (and do
// nothing else), for commands that run until interrupted and then finish
// cleanly. A second signal while stopping restores the default action, so a
// third Ctrl-C kills a stuck process the usual way. SIGHUP and SIGUSR1 are
// counted instead of ending the process (reload_requests, flush_requests).
const std::atomic<bool>& install_stop_signals();

// Sets the stop flag as a signal would (e.g. when stdout is closed).
void request_stop();

// How many SIGHUP (reload the configuration now) and SIGUSR1 (commit what
// waits now) arrived since install_stop_signals.
const std::atomic<unsigned>& reload_requests();
const std::atomic<unsigned>& flush_requests();

// SIGPIPE ignored: a write to a closed pipe fails with EPIPE instead of
// killing the process (the collector then stops cleanly, storing everything).
void ignore_sigpipe();

}  // namespace pk::cli
