#pragma once

#include "serve/metrics_text.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

// The process_* figures every Prometheus client library exports, read from
// /proc as client_golang and client_python read them.
namespace pk::serve::prom {

// The fields of /proc/<pid>/stat the figures need, in the kernel's units.
struct ProcStat {
  std::int64_t utime_ticks = 0;
  std::int64_t stime_ticks = 0;
  std::int64_t start_ticks = 0;  // after boot
  std::int64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};

// Parses the text of /proc/<pid>/stat (the command name in parentheses may
// hold spaces and parentheses); nullopt when it is malformed.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The boot time (seconds since the Unix epoch) from the "btime" line of
// /proc/stat; nullopt when absent.
std::optional<std::int64_t> parse_boot_time(std::string_view text);

// Writes the process_* families of this process: CPU seconds, resident and
// virtual memory, open and maximum file descriptors, start time. A figure
// that cannot be read (no /proc) is left out with its family.
void write_process_metrics(Writer& out);

}  // namespace pk::serve::prom
