#include "collect/plan.hpp"

#include <algorithm>
#include <unordered_map>

namespace pk::collect {

util::Micros job_period(const core::Job& job) {
  auto period = job.interval / std::max(job.count, 1);
  return std::max(period, util::Micros{core::k_min_interval});
}

Plan make_plan(const std::vector<core::Target>& targets, const std::vector<core::Job>& jobs, util::SysMicros now) {
  Plan plan;
  std::unordered_map<std::int64_t, util::Micros> from_jobs;  // target id -> shortest open job period
  struct PathJob {
    util::Micros every;
    std::int64_t job_id;
  };
  std::unordered_map<std::int64_t, PathJob> path_jobs;  // target id -> shortest open path_every
  for (const auto& job : jobs) {
    auto state = core::job_state(job, now);
    bool collecting = state && state->status == core::JobStatus::in_window;
    plan.jobs.push_back({job.id, collecting});
    if (state && state->next_change && (!plan.next_change || *state->next_change < *plan.next_change)) {
      plan.next_change = state->next_change;
    }
    if (!collecting) continue;
    auto period = job_period(job);
    for (const auto& m : job.targets) {
      auto [it, inserted] = from_jobs.try_emplace(m.id, period);
      if (!inserted) it->second = std::min(it->second, period);
    }
    if ((job.metrics & static_cast<unsigned>(core::Metric::path)) == 0) continue;
    for (const auto& m : job.targets) {
      auto [it, inserted] = path_jobs.try_emplace(m.id, PathJob{job.path_every, job.id});
      const bool better =
          job.path_every < it->second.every || (job.path_every == it->second.every && job.id < it->second.job_id);
      if (!inserted && better) it->second = PathJob{job.path_every, job.id};
    }
  }
  for (const auto& t : targets) {
    TargetPlan tp{t.id, std::nullopt, std::nullopt, std::nullopt};
    if (t.removed_at) continue;
    if (t.paused) {  // paused silences the target everywhere, jobs included
      plan.targets.push_back(tp);
      continue;
    }
    if (!t.job_only) tp.interval = t.interval;
    if (auto it = from_jobs.find(t.id); it != from_jobs.end()) {
      tp.interval = tp.interval ? std::min(*tp.interval, it->second) : it->second;
    }
    if (auto it = path_jobs.find(t.id); it != path_jobs.end()) {
      tp.path_every = it->second.every;
      tp.path_job_id = it->second.job_id;
    }
    plan.targets.push_back(tp);
  }
  return plan;
}

}  // namespace pk::collect
