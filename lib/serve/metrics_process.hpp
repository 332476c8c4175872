#pragma once

#include "serve/metrics_text.hpp"
#include "util/proc_stat.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

// The process_* figures every Prometheus client library exports, read from
// /proc as client_golang and client_python read them.
namespace pk::serve::prom {

// The boot time (seconds since the Unix epoch) from the "btime" line of
// /proc/stat; nullopt when absent.
std::optional<std::int64_t> parse_boot_time(std::string_view text);

// Writes the process_* families of this process: CPU seconds, resident and
// virtual memory, open and maximum file descriptors, start time. A figure
// that cannot be read (no /proc) is left out with its family.
void write_process_metrics(Writer& out);

}  // namespace pk::serve::prom
