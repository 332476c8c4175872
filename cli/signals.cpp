#include "signals.hpp"

#include <csignal>

namespace pk::cli {

namespace {

// Written only by the signal handlers; lock-free, so async-signal-safe.
std::atomic<bool> g_stop{false};
std::atomic<unsigned> g_hup{0};
std::atomic<unsigned> g_usr1{0};
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<unsigned>::is_always_lock_free);

void on_signal(int sig) {
  if (g_stop.exchange(true)) std::signal(sig, SIG_DFL);
}

void on_hup(int /*sig*/) { g_hup.fetch_add(1); }
void on_usr1(int /*sig*/) { g_usr1.fetch_add(1); }

// `restart`: interrupted system calls resume (a reload or flush request must
// not make a read fail); a stop request interrupts them.
void install(int sig, void (*handler)(int), bool restart) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(sig, &sa, nullptr);
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  install(SIGINT, on_signal, false);
  install(SIGTERM, on_signal, false);
  install(SIGHUP, on_hup, true);
  install(SIGUSR1, on_usr1, true);
  return g_stop;
}

void request_stop() { g_stop.store(true); }

const std::atomic<unsigned>& reload_requests() { return g_hup; }
const std::atomic<unsigned>& flush_requests() { return g_usr1; }

void ignore_sigpipe() { install(SIGPIPE, SIG_IGN, true); }

}  // namespace pk::cli
