#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pk::util {

// The fields of /proc/<pid>/stat the figures need, in the kernel's units.
struct ProcStat {
  char state = '?';  // R, S, D, Z (a zombie: dead, not yet reaped), ...
  std::int64_t utime_ticks = 0;
  std::int64_t stime_ticks = 0;
  std::int64_t start_ticks = 0;  // after boot
  std::int64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};

// Parses the text of /proc/<pid>/stat (the command name in parentheses may
// hold spaces and parentheses); nullopt when it is malformed.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// This process's or another one's /proc/<pid>/stat, parsed; nullopt when
// there is no such process (or no /proc).
std::optional<ProcStat> read_proc_stat(std::int64_t pid);

}  // namespace pk::util
