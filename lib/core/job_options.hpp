#pragma once

#include "core/job.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pk::core {

// A job's settings as a user writes them, before validation: the options of
// `job add` and `job edit`, and the body of serve's POST / PATCH
// /api/v1/jobs. Unset fields leave the job alone.
struct JobOptions {
  std::optional<std::string> targets;         // "T1,T2": the members (replaced on edit)
  std::optional<std::string> add_targets;     // edit
  std::optional<std::string> remove_targets;  // edit
  std::optional<std::string> interval;        // util::parse_duration syntax
  std::optional<int> count;
  std::optional<std::string> start;  // a time (util::parse_time_point), or "none" on edit
  std::optional<std::string> end;
  std::vector<std::string> windows;  // "mon-fri 09:00-17:00; sat 10:00-12:00", or "always"
  std::optional<std::string> tz;
  std::optional<std::string> metrics;  // "rtt,loss,jitter,ttl,path"
  std::optional<std::string> path_every;
  std::optional<std::string> description;
  std::optional<std::string> rename;  // edit
};

// Converts the given options into a patch; invalid_input for bad durations
// or metrics. Targets are split at commas (blanks trimmed, empty parts
// dropped). The patch is validated as a whole when it is applied.
Expected<JobPatch> to_patch(const JobOptions& o);

}  // namespace pk::core
