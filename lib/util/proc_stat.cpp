#include "util/proc_stat.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pk::util {

namespace {

std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  // "pid (comm) state ppid ...": fields after the last ')' start at field 3.
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> fields;
  std::size_t pos = close + 1;
  while (pos < text.size()) {
    auto start = text.find_first_not_of(" \n", pos);
    if (start == std::string_view::npos) break;
    auto end = text.find_first_of(" \n", start);
    if (end == std::string_view::npos) end = text.size();
    fields.push_back(text.substr(start, end - start));
    pos = end;
  }
  // fields[0] is field 3 (state); field N is fields[N - 3] (proc(5)).
  auto field = [&](std::size_t n) { return n - 3 < fields.size() ? to_int(fields[n - 3]) : std::nullopt; };
  auto utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  const char state = fields.empty() || fields[0].empty() ? '?' : fields[0].front();
  return ProcStat{state, *utime, *stime, *start, *vsize, *rss};
}

std::optional<ProcStat> read_proc_stat(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  return parse_proc_stat(std::string(std::istreambuf_iterator<char>(in), {}));
}

}  // namespace pk::util
