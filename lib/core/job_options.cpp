#include "core/job_options.hpp"

#include "util/duration.hpp"
#include "util/strings.hpp"

namespace pk::core {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (auto part : util::split(text, ',')) {
    auto t = util::trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

}  // namespace

Expected<JobPatch> to_patch(const JobOptions& o) {
  JobPatch p;
  if (o.targets) p.targets = split_list(*o.targets);
  if (o.add_targets) p.add_targets = split_list(*o.add_targets);
  if (o.remove_targets) p.remove_targets = split_list(*o.remove_targets);
  p.name = o.rename;
  auto interval = util::parse_optional_duration(o.interval);
  if (!interval) return std::unexpected(interval.error());
  p.interval = *interval;
  p.count = o.count;
  p.tz = o.tz;
  p.start_text = o.start;
  p.end_text = o.end;
  p.window_texts = o.windows;
  if (o.metrics) {
    auto m = parse_metrics(*o.metrics);
    if (!m) return std::unexpected(m.error());
    p.metrics = *m;
  }
  auto path_every = util::parse_optional_duration(o.path_every);
  if (!path_every) return std::unexpected(path_every.error());
  p.path_every = *path_every;
  p.description = o.description;
  return p;
}

}  // namespace pk::core
