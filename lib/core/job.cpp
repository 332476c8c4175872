#include "core/job.hpp"

#include "core/target.hpp"
#include "util/strings.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>

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

bool JobPatch::empty() const {
  return !name && !targets && add_targets.empty() && remove_targets.empty() && !interval && !count && !starts_at &&
         !ends_at && !windows && !tz && !metrics && !path_every && !description && !start_text && !end_text &&
         window_texts.empty();
}

namespace {

// Reads a --start / --end text in the job's zone; "none" clears.
Expected<std::optional<util::SysMicros>> parse_bound(std::string_view text, const date::time_zone* zone,
                                                     util::SysMicros now) {
  if (util::trim(text) == "none") return std::optional<util::SysMicros>{};
  auto t = util::parse_time_point(text, now, zone);
  if (!t) return std::unexpected(t.error());
  return std::optional<util::SysMicros>{*t};
}

// Joins window texts into one schedule; "always" alone means no rules, and
// mixed with rules it is refused (which of the two was meant?).
Expected<WeeklySchedule> parse_windows(const std::vector<std::string>& texts) {
  std::vector<std::string> rules;
  bool always = false;
  for (const auto& w : texts) {
    if (util::to_lower(util::trim(w)) == "always") {
      always = true;
    } else {
      rules.push_back(w);
    }
  }
  if (always && !rules.empty()) {
    return invalid_input(fmt::format("window \"always\" cannot be combined with other windows (\"{}\")",
                                     util::join(rules, "; ")));
  }
  return WeeklySchedule::parse(util::join(rules, ";"));
}

}  // namespace

Expected<void> apply_patch(Job& job, const JobPatch& patch, util::SysMicros now) {
  Job j = job;
  if (patch.name) j.name = *patch.name;
  if (patch.interval) j.interval = *patch.interval;
  if (patch.count) j.count = *patch.count;
  if (patch.tz) j.tz = *patch.tz;
  auto zone = util::locate_zone(j.tz);
  if (!zone) return std::unexpected(zone.error());
  if (patch.starts_at) j.starts_at = *patch.starts_at;
  if (patch.ends_at) j.ends_at = *patch.ends_at;
  if (patch.start_text) {
    auto t = parse_bound(*patch.start_text, *zone, now);
    if (!t) return std::unexpected(t.error());
    j.starts_at = *t;
  }
  if (patch.end_text) {
    auto t = parse_bound(*patch.end_text, *zone, now);
    if (!t) return std::unexpected(t.error());
    j.ends_at = *t;
  }
  if (patch.windows) j.windows = *patch.windows;
  if (!patch.window_texts.empty()) {
    auto w = parse_windows(patch.window_texts);
    if (!w) return std::unexpected(w.error());
    j.windows = *w;
  }
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
  if (auto ok = check_description(j.description); !ok) return ok;
  job = std::move(j);
  return {};
}

Expected<Job> make_job(const JobPatch& patch, util::SysMicros now) {
  Job job;
  job.tz = util::local_zone()->name();
  if (auto ok = apply_patch(job, patch, now); !ok) return std::unexpected(ok.error());
  if (job.ends_at && *job.ends_at <= now) {
    return invalid_input(
        fmt::format("job end {} is already past (a relative time like 24h means ago; use +24h "
                    "for a time ahead)",
                    util::format_iso_utc(*job.ends_at)));
  }
  return job;
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

Expected<std::vector<Interval>> active_intervals(const Job& job, util::SysMicros from, util::SysMicros to) {
  auto zone = util::locate_zone(job.tz);
  if (!zone) return std::unexpected(zone.error());
  if (job.starts_at) from = std::max(from, *job.starts_at);
  if (job.ends_at) to = std::min(to, *job.ends_at);
  return job.windows.intervals(from, to, *zone);
}

}  // namespace pk::core
