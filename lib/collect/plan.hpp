#pragma once

#include "core/job.hpp"
#include "core/target.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

// What the collector should do at an instant: pure, from targets and jobs.
namespace pk::collect {

// A target's schedule now.
struct TargetPlan {
  std::int64_t target_id = 0;
  // The effective interval: the shortest among the target's own interval
  // (unless job-only) and the interval / count of every job whose window is
  // open now and that contains it. nullopt: not probed now (a paused target
  // never is, not even by its jobs).
  std::optional<util::Micros> interval;
  // Traceroute every path_every: the shortest path_every among the open
  // jobs with the path metric that contain the target, and that job's id
  // (the lowest id on a tie). nullopt when no such job is open, and for a
  // paused target.
  std::optional<util::Micros> path_every;
  std::optional<std::int64_t> path_job_id;
};

// A job's state now, for opening and closing job_runs.
struct JobPlan {
  std::int64_t job_id = 0;
  bool collecting = false;  // in_window
};

struct Plan {
  std::vector<TargetPlan> targets;  // one per live target, in input order
  std::vector<JobPlan> jobs;        // one per job, in input order
  // The first instant after `now` at which some job's state changes by
  // itself (a window opens or closes, a job starts or ends): re-plan then.
  std::optional<util::SysMicros> next_change;
};

// Builds the plan at `now`. A job whose zone is unknown (a hand-edited
// database) is treated as not collecting.
Plan make_plan(const std::vector<core::Target>& targets, const std::vector<core::Job>& jobs, util::SysMicros now);

// The period between two probes of a job's target: interval / count, at
// least 100 ms (`count` pings per round, spread over the round).
util::Micros job_period(const core::Job& job);

}  // namespace pk::collect
