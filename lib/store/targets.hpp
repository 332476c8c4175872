#pragma once

#include "core/target.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pk::store {
class Database;
}

// Repository of targets. A reference `ref` is a live target's name, or its id
// when the text is all digits. Every function is atomic: on error nothing
// changed.
namespace pk::store::targets {

// Stores new targets in one transaction and returns them with ids and times
// set. Fails with invalid_input, adding nothing, when a name is taken or
// repeated; `labels` (parallel to `targets`, e.g. "line 12") prefix that
// message when given.
Expected<std::vector<core::Target>> add(const Database& db, std::vector<core::Target> targets, util::SysMicros now,
                                        std::span<const std::string> labels = {});

// A live target by name or id; not_found names the reference.
Expected<core::Target> find(const Database& db, std::string_view ref);

// Resolves several references; not_found on the first unknown one.
Expected<std::vector<core::Target>> find_all(const Database& db, std::span<const std::string> refs);

// Live targets (and removed ones kept for their data with include_removed), by name.
Expected<std::vector<core::Target>> list(const Database& db, bool include_removed = false);

// Applies `patch` to the target `ref` and stores it; the new name must be free.
Expected<core::Target> edit(const Database& db, std::string_view ref, const core::TargetPatch& patch,
                            util::SysMicros now);

// Pauses or resumes every target in `refs`, all or none.
Expected<std::vector<core::Target>> set_paused(const Database& db, std::span<const std::string> refs, bool paused,
                                               util::SysMicros now);

// What `remove` did.
struct Removal {
  core::Target target;
  std::vector<std::string> jobs;  // the jobs it was taken out of
  std::int64_t samples_deleted = 0;
};

// Removes a target from its jobs. With keep_data it is retired (kept with its
// samples and traces, hidden from lists, name free for reuse); otherwise it is
// deleted with its samples, rollups and traces (in this one transaction).
// Refused (invalid_input, naming the jobs) when it is the last target of a
// job: a job never loses its last target behind the user's back.
Expected<Removal> remove(const Database& db, std::string_view ref, bool keep_data, util::SysMicros now);

}  // namespace pk::store::targets
