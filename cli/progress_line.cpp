#include "progress_line.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace pk::cli {

namespace {
constexpr auto k_redraw_every = std::chrono::milliseconds{200};
}

void ProgressLine::show(std::string_view text) {
  if (!m_enabled) return;
  const auto now = std::chrono::steady_clock::now();
  if (m_shown && now - m_last < k_redraw_every) return;
  m_last = now;
  fmt::print(stderr, "\r\033[K{}", text);
  std::fflush(stderr);
  m_shown = true;
}

void ProgressLine::clear() {
  if (!m_shown) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  m_shown = false;
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace pk::cli
