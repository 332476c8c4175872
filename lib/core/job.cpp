#include "core/job.hpp"

#include <fmt/format.h>

#include <array>

#include "core/target.hpp"
#include "util/strings.hpp"

namespace pk::core {

namespace {

constexpr std::array<std::pair<std::string_view, Metric>, 5> k_metric_names{{
    {"rtt", Metric::rtt},
    {"loss", Metric::loss},
    {"jitter", Metric::jitter},
    {"ttl", Metric::ttl},
    {"path", Metric::path},
}};

}  // namespace

Expected<unsigned> parse_metrics(std::string_view text) {
  unsigned metrics = 0;
  for (auto part : util::split(text, ',')) {
    auto word = util::to_lower(util::trim(part));
    bool known = false;
    for (const auto& [name, bit] : k_metric_names) {
      if (word == name) {
        metrics |= static_cast<unsigned>(bit);
        known = true;
      }
    }
    if (!known) {
      return invalid_input(fmt::format("invalid metric \"{}\": use rtt, loss, jitter, ttl, path", word));
    }
  }
  return metrics;
}

std::vector<std::string> metric_names(unsigned metrics) {
  std::vector<std::string> names;
  for (const auto& [name, bit] : k_metric_names) {
    if (metrics & static_cast<unsigned>(bit)) names.emplace_back(name);
  }
  return names;
}

std::string format_metrics(unsigned metrics) { return util::join(metric_names(metrics), ","); }

Expected<void> apply_patch(Job& job, const JobPatch& patch) {
  Job j = job;
  if (patch.name) j.name = *patch.name;
  if (patch.interval) j.interval = *patch.interval;
  if (patch.count) j.count = *patch.count;
  if (patch.starts_at) j.starts_at = *patch.starts_at;
  if (patch.ends_at) j.ends_at = *patch.ends_at;
  if (patch.windows) j.windows = *patch.windows;
  if (patch.tz) j.tz = *patch.tz;
  if (patch.metrics) j.metrics = *patch.metrics;
  if (patch.path_every) j.path_every = *patch.path_every;
  if (patch.description) j.description = *patch.description;

  if (auto ok = validate_name(j.name); !ok) return ok;
  if (auto ok = check_duration("job interval", j.interval, k_min_interval, k_max_interval); !ok) return ok;
  if (j.count < 1 || j.count > k_max_job_count) {
    return invalid_input(fmt::format("count {} is out of range: use 1 to {}", j.count, k_max_job_count));
  }
  if (auto ok = check_duration("path interval", j.path_every, k_min_path_every, k_max_interval); !ok) return ok;
  if (j.starts_at && j.ends_at && *j.starts_at >= *j.ends_at) {
    return invalid_input(fmt::format("job end {} is not after its start {}", util::format_iso_utc(*j.ends_at),
                                     util::format_iso_utc(*j.starts_at)));
  }
  if (j.metrics == 0 || (j.metrics & ~k_all_metrics) != 0) return invalid_input("a job needs at least one metric");
  if (auto zone = util::locate_zone(j.tz); !zone) return std::unexpected(zone.error());
  if (j.description.size() > 1000) return invalid_input("description is too long: at most 1000 characters");
  job = std::move(j);
  return {};
}

std::string_view to_string(JobStatus s) {
  switch (s) {
    case JobStatus::scheduled: return "scheduled";
    case JobStatus::in_window: return "in_window";
    case JobStatus::outside_window: return "outside_window";
    case JobStatus::finished: return "finished";
    case JobStatus::stopped: return "stopped";
  }
  return "stopped";
}

Expected<JobState> job_state(const Job& job, util::SysMicros now) {
  auto zone = util::locate_zone(job.tz);
  if (!zone) return std::unexpected(zone.error());
  if (job.stopped) return JobState{JobStatus::stopped, std::nullopt};
  if (job.ends_at && now >= *job.ends_at) return JobState{JobStatus::finished, std::nullopt};
  if (job.starts_at && now < *job.starts_at) return JobState{JobStatus::scheduled, job.starts_at};

  auto clip = [&](std::optional<util::SysMicros> t) -> std::optional<util::SysMicros> {
    if (job.ends_at && (!t || *t > *job.ends_at)) return job.ends_at;
    return t;
  };
  if (job.windows.contains(now, *zone)) {
    return JobState{JobStatus::in_window, clip(job.windows.next_close(now, *zone))};
  }
  return JobState{JobStatus::outside_window, clip(job.windows.next_open(now, *zone))};
}

}  // namespace pk::core
