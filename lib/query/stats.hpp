#pragma once

#include "analyze/aggregate.hpp"
#include "analyze/calendar.hpp"
#include "analyze/source.hpp"
#include "core/job.hpp"
#include "core/json.hpp"
#include "core/target.hpp"
#include "core/window.hpp"
#include "query/reader.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pk::query {

// Where `stats` reads from (--source).
//  automatic: raw samples, with exact percentiles, when the range lies in
//             kept raw data and holds at most k_raw_sample_limit samples (by
//             the probe interval); else the composite cover of rollups;
//  raw:       raw samples only; refused where they were pruned;
//  rollup:    the composite cover (rollups, finer tiers and raw at the edges).
enum class Source { automatic, raw, rollup };
Expected<Source> parse_source(std::string_view text);  // "auto", "raw", "rollup"

inline constexpr std::int64_t k_raw_sample_limit = 100'000;
inline constexpr util::Micros k_default_min_downtime = std::chrono::seconds{30};

struct StatsOptions {
  Source source = Source::automatic;
  // Runs of losses at least this long are downtime (availability_pct).
  util::Micros min_downtime = k_default_min_downtime;
  // Compute downtime and availability (`check` does not need them).
  bool availability = true;
  // The probe interval used to estimate how many raw samples a range holds;
  // zero: the target's own.
  util::Micros probe_interval{};
};

// The statistics of one target over a range, or over the parts of it a job
// covers (CLI.md "Statistics definitions"). RTTs in µs.
struct Stats {
  std::int64_t target_id = 0;
  std::string target;
  std::string host;
  std::optional<std::string> job;
  util::SysMicros from{};
  util::SysMicros to{};
  util::Micros counted{};        // the length of the periods counted (the range, or the job's windows in it)
  analyze::Aggregate aggregate;  // everything read, merged in time order
  analyze::Tier source = analyze::Tier::raw;  // raw when only raw samples were read, else the coarsest tier
  bool exact_percentiles = true;              // from raw RTTs (else from the merged sketch)
  std::optional<double> median, p90, p95, p99;
  // Total downtime and availability % over `counted`; nullopt when not
  // computed or nothing was counted.
  std::optional<util::Micros> downtime;
  std::optional<double> availability_pct;
  // received / sent x 100; nullopt when nothing was sent.
  std::optional<double> uptime_pct() const;
  // MOS from avg, jitter and loss; nullopt when nothing was sent.
  std::optional<double> mos() const;
};

// Statistics of `target` over the parts `periods` (time-ordered, disjoint,
// inside [from, to)) of the range [from, to).
Expected<Stats> target_stats(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                             std::span<const core::Interval> periods, const StatsOptions& options);

// What `stats` was asked.
struct StatsQuery {
  std::vector<core::Target> targets;  // for a job: its targets
  std::optional<core::Job> job;       // count only the job's windows, start and end
  util::SysMicros from{};
  util::SysMicros to{};
  std::optional<analyze::Period> by;      // one row per local hour / day
  const date::time_zone* zone = nullptr;  // the zone of those hours and days (required with `by`)
  StatsOptions options;
};

// One Stats per target (and per bucket with `by`, in time order within each
// target), targets in the order given. invalid_input when from >= to, or
// when --source raw meets pruned raw samples.
Expected<std::vector<Stats>> stats(Reader& reader, const StatsQuery& query);

// The JSON shape of a Stats (README "stats"): RTTs in ms (µs precision),
// percentages, times ISO 8601 UTC.
core::Json to_json(const Stats& s);

}  // namespace pk::query
