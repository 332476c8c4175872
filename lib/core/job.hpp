#pragma once

#include "core/window.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pk::core {

// What a job collects. rtt and loss come with every probe; jitter and ttl are
// reported from the same samples; path adds a traceroute every path_every.
enum class Metric : unsigned { rtt = 1, loss = 2, jitter = 4, ttl = 8, path = 16 };
inline constexpr unsigned k_all_metrics = 31;
inline constexpr unsigned k_default_metrics = 15;  // rtt,loss,jitter,ttl

// Parses "rtt,loss,jitter,ttl,path" (any non-empty subset, any order).
Expected<unsigned> parse_metrics(std::string_view text);
// Canonical form in the order rtt,loss,jitter,ttl,path.
std::string format_metrics(unsigned metrics);
std::vector<std::string> metric_names(unsigned metrics);

inline constexpr int k_max_job_count = 100;
inline constexpr util::Micros k_min_path_every = std::chrono::seconds{10};

// A job's member target, by id with its name for display.
struct JobMember {
  std::int64_t id = 0;
  std::string name;
  friend bool operator==(const JobMember&, const JobMember&) = default;
};

// One active period of a job: opened when a window opens, closed when it closes.
struct JobRun {
  std::int64_t id = 0;
  std::int64_t job_id = 0;
  util::SysMicros started_at{};
  std::optional<util::SysMicros> ended_at;
  std::int64_t sent = 0;
  std::int64_t received = 0;
  std::int64_t errors = 0;
};

// A schedule and a lens over targets: probe them every `interval` (`count`
// pings a round) between starts_at and ends_at, inside the weekly windows,
// evaluated in time zone `tz`.
struct Job {
  std::int64_t id = 0;
  std::string name;
  util::Micros interval = std::chrono::seconds{5};
  int count = 1;
  std::optional<util::SysMicros> starts_at;
  std::optional<util::SysMicros> ends_at;
  WeeklySchedule windows;
  std::string tz = "UTC";
  unsigned metrics = k_default_metrics;
  util::Micros path_every = std::chrono::minutes{10};
  bool stopped = false;  // `job stop` (until `job start`)
  std::string description;
  std::vector<JobMember> targets;  // by name
  util::SysMicros created_at{};
  util::SysMicros updated_at{};
};

// Changes to a job; unset fields are left alone. Targets are given by
// reference (name or id) and resolved by the store.
struct JobPatch {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> targets;  // replaces the member list
  std::vector<std::string> add_targets;
  std::vector<std::string> remove_targets;
  std::optional<util::Micros> interval;
  std::optional<int> count;
  std::optional<std::optional<util::SysMicros>> starts_at;  // inner nullopt clears
  std::optional<std::optional<util::SysMicros>> ends_at;
  std::optional<WeeklySchedule> windows;
  std::optional<std::string> tz;
  std::optional<unsigned> metrics;
  std::optional<util::Micros> path_every;
  std::optional<std::string> description;
  // As typed by a user; they override the typed fields above. Times without
  // an offset are read in the job's zone (the patch's tz, else the job's);
  // "none" clears a start or end. Windows are joined with ";"; "always" (or
  // nothing else) clears them.
  std::optional<std::string> start_text;
  std::optional<std::string> end_text;
  std::vector<std::string> window_texts;

  // Does the patch change nothing at all?
  bool empty() const;
};

// Applies the fields of `patch` (not the target lists) and validates the job:
// name, interval 100 ms..1 d, count 1..100, start before end, a known time
// zone, path_every 10 s..1 d, whole milliseconds. `now` anchors relative
// times ("-1h", "today"). On error `job` is unchanged.
Expected<void> apply_patch(Job& job, const JobPatch& patch, util::SysMicros now);

// A new job from `patch` at `now`: its zone is the patch's tz, else the
// machine's zone; an end that is already past is refused.
Expected<Job> make_job(const JobPatch& patch, util::SysMicros now);

// The live state of a job at an instant.
enum class JobStatus {
  scheduled,       // before starts_at
  in_window,       // collecting now
  outside_window,  // between windows
  finished,        // after ends_at
  stopped,         // stopped by `job stop`
};
std::string_view to_string(JobStatus s);

struct JobState {
  JobStatus status = JobStatus::in_window;
  // When the status next changes by itself (a window opens or closes, the job
  // starts or ends); nullopt when it never does.
  std::optional<util::SysMicros> next_change;
};

// Evaluates the job at `now`. Fails only when the job's zone is unknown.
Expected<JobState> job_state(const Job& job, util::SysMicros now);

// The parts of [from, to) that the job covers: inside its weekly windows (in
// its zone, DST-correct) and between starts_at and ends_at; merged, in order.
// This is the lens of a job's statistics. `job stop` keeps no history, so a
// stopped job's past windows count too. Fails only when the zone is unknown.
Expected<std::vector<Interval>> active_intervals(const Job& job, util::SysMicros from, util::SysMicros to);

}  // namespace pk::core
