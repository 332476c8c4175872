#pragma once

#include "core/target.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pk::cli {

// The option text of `target add`, `target edit` and `target import`, before
// validation.
struct TargetOptions {
  std::optional<std::string> name;
  std::optional<std::string> host;  // edit only
  std::optional<std::string> interval;
  std::optional<std::string> timeout;
  std::optional<std::string> probe;
  std::optional<int> port;
  std::optional<int> size;
  std::optional<std::string> description;
  std::vector<std::string> tags;
  std::vector<std::string> untags;  // edit only
  bool ipv4 = false;
  bool ipv6 = false;
  bool any_family = false;  // edit only
  int paused = 0;           // count of --paused / --no-paused (edit)
  int unpaused = 0;
  int job_only = 0;
  int continuous = 0;
};

enum class TargetCommand { add, edit, import };

// Adds the options that `which` accepts to `cmd`.
void add_target_options(CLI::App& cmd, TargetOptions& o, TargetCommand which);

// Converts the given options into a patch; invalid_input for bad values.
Expected<core::TargetPatch> to_patch(const TargetOptions& o);

}  // namespace pk::cli
