#pragma once

#include "core/job.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace pk::store {
class Database;
}

// Repository of jobs, their member targets and their runs. A job reference is
// its name, or its id when all digits. Every function is atomic.
namespace pk::store::jobs {

// Creates a job from `patch` (name and targets required; targets are
// references to live targets, at least one). invalid_input when the name is
// taken or the job is invalid; not_found for an unknown target.
Expected<core::Job> add(const Database& db, const core::JobPatch& patch, util::SysMicros now);

Expected<core::Job> find(const Database& db, std::string_view ref);

// Every job, by name.
Expected<std::vector<core::Job>> list(const Database& db);

// Applies `patch`: scalar fields, then `targets` (replace), `add_targets`,
// `remove_targets`. The job must keep at least one target.
Expected<core::Job> edit(const Database& db, std::string_view ref, const core::JobPatch& patch, util::SysMicros now);

// Deletes the job and its runs; its targets and their samples stay.
Expected<core::Job> remove(const Database& db, std::string_view ref);

// `job stop` / `job start`.
Expected<core::Job> set_stopped(const Database& db, std::string_view ref, bool stopped, util::SysMicros now);

// Opens a run of the job at `at` and returns its id.
Expected<std::int64_t> open_run(const Database& db, std::int64_t job_id, util::SysMicros at);

// Closes a run at `at`, saying why ("window closed", "stopped", ...).
Expected<void> close_run(const Database& db, std::int64_t run_id, util::SysMicros at, std::string_view reason);

// Closes every run still open (left by a collector that died) at `at`;
// returns how many.
Expected<int> close_open_runs(const Database& db, util::SysMicros at, std::string_view reason);

// The job's most recent run, if it ever ran.
Expected<std::optional<core::JobRun>> latest_run(const Database& db, std::int64_t job_id);

// The job's runs, newest first, at most `limit`.
Expected<std::vector<core::JobRun>> runs(const Database& db, std::int64_t job_id, std::int64_t limit);

}  // namespace pk::store::jobs
