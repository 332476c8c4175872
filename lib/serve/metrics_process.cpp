#include "serve/metrics_process.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace pk::serve::prom {

namespace {

std::optional<std::string> read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> count_open_fds() {
  std::error_code ec;
  std::int64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  if (ec) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::int64_t> parse_boot_time(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    if (line.starts_with("btime ")) return to_int(line.substr(6));
    pos = end + 1;
  }
  return std::nullopt;
}

void write_process_metrics(Writer& out) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto page = static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
  auto stat_text = read_text("/proc/self/stat");
  auto stat = stat_text ? util::parse_proc_stat(*stat_text) : std::nullopt;
  if (stat && ticks > 0) {
    out.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    out.sample("process_cpu_seconds_total", "", static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks);
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", "", stat->rss_pages * page);
    out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.sample("process_virtual_memory_bytes", "", stat->vsize_bytes);
    static const auto boot = [] {  // constant while the machine runs; /proc/stat is long
      auto text = read_text("/proc/stat");
      return text ? parse_boot_time(*text) : std::nullopt;
    }();
    if (boot) {
      out.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
      out.sample("process_start_time_seconds", "",
                 static_cast<double>(*boot) + static_cast<double>(stat->start_ticks) / ticks);
    }
  }
  if (auto fds = count_open_fds()) {
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", "", *fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.sample("process_max_fds", "", static_cast<std::int64_t>(limit.rlim_cur));
  }
}

}  // namespace pk::serve::prom
