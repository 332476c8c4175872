#pragma once

#include "core/target.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pk::core {

// A target's settings as a user writes them, before validation: the options
// of `target add`, `target edit` and `target import`, and the body of serve's
// POST / PATCH /api/v1/targets. Unset fields leave the target alone.
struct TargetOptions {
  std::optional<std::string> name;
  std::optional<std::string> host;      // edit only
  std::optional<std::string> interval;  // util::parse_duration syntax
  std::optional<std::string> timeout;
  std::optional<std::string> probe;  // icmp or tcp
  std::optional<int> port;
  std::optional<int> size;
  std::optional<std::string> description;
  std::vector<std::string> tags;    // "key=value"
  std::vector<std::string> untags;  // keys to remove (edit only)
  bool ipv4 = false;
  bool ipv6 = false;
  bool any_family = false;  // edit only
  int paused = 0;           // count of --paused / --no-paused (edit)
  int unpaused = 0;
  int job_only = 0;
  int continuous = 0;
};

// Converts the given options into a patch; invalid_input for bad values
// (durations, probe kind, tags). The patch is validated as a whole when it is
// applied (core::apply_patch).
Expected<TargetPatch> to_patch(const TargetOptions& o);

}  // namespace pk::core
