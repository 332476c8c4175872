#pragma once

#include <chrono>
#include <string_view>

namespace pk::cli {

// A one-line progress display on stderr, redrawn in place at most five times
// a second; does nothing unless enabled (commands enable it when stderr is a
// terminal and -q is not given). Cleared when destroyed.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : m_enabled(enabled) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return m_enabled; }
  // Shows `text` unless the last redraw was under 200 ms ago.
  void show(std::string_view text);
  void clear();

 private:
  bool m_enabled;
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_last{};
};

// Is stderr a terminal (where progress lines go)?
bool stderr_is_terminal();

}  // namespace pk::cli
