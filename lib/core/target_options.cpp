#include "core/target_options.hpp"

#include "util/duration.hpp"

#include <fmt/format.h>

namespace pk::core {

Expected<TargetPatch> to_patch(const TargetOptions& o) {
  TargetPatch p;
  p.name = o.name;
  p.host = o.host;
  auto interval = util::parse_optional_duration(o.interval);
  if (!interval) return std::unexpected(interval.error());
  p.interval = *interval;
  auto timeout = util::parse_optional_duration(o.timeout);
  if (!timeout) return std::unexpected(timeout.error());
  p.timeout = *timeout;
  if (o.probe) {
    auto k = parse_probe_kind(*o.probe);
    if (!k) return std::unexpected(k.error());
    p.probe = *k;
  }
  p.port = o.port;
  p.payload_size = o.size;
  p.description = o.description;
  if (o.ipv4) p.family = Family::v4;
  if (o.ipv6) p.family = Family::v6;
  if (o.any_family) p.family = Family::any;
  for (const auto& text : o.tags) {
    auto tag = parse_tag(text);
    if (!tag) return std::unexpected(tag.error());
    if (p.set_tags.contains(tag->first)) {
      return invalid_input(fmt::format("tag \"{}\" is given twice: a target holds one value per key", tag->first));
    }
    p.set_tags[tag->first] = tag->second;
  }
  p.remove_tags = o.untags;
  if (o.paused > 0) p.paused = true;
  if (o.unpaused > 0) p.paused = false;
  if (o.job_only > 0) p.job_only = true;
  if (o.continuous > 0) p.job_only = false;
  return p;
}

}  // namespace pk::core
