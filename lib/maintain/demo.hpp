#pragma once

#include "maintain/rollup_pass.hpp"
#include "maintain/synthetic.hpp"

#include "core/target.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

// `pingkeeper demo`: synthetic history for a few new targets, written through
// the collector's own writer, then rolled up, so every command has realistic
// data to show without probing anything.
namespace pk::maintain {

inline constexpr int k_max_demo_targets = 10000;
inline constexpr int k_max_demo_days = 3650;
inline constexpr util::Micros k_min_demo_interval = std::chrono::seconds{1};
inline constexpr util::Micros k_max_demo_interval = std::chrono::hours{24};
// About 2.2 GB of raw samples at ~22 bytes each.
inline constexpr std::int64_t k_max_demo_samples = 100'000'000;

struct DemoOptions {
  int targets = 12;
  int days = 30;
  util::Micros interval = std::chrono::seconds{1};
  std::uint64_t seed = 1;
  std::string prefix = "demo";
  const date::time_zone* zone = nullptr;  // the daily cycle's zone; null means UTC
  util::SysMicros now{};                  // the history ends here
};

// Checks the options without touching any database: targets 1..10,000, days
// 1..3,650, interval 1 s..1 d in whole milliseconds, at most
// k_max_demo_samples samples in all, a prefix that makes valid target names.
// invalid_input says which and what is accepted.
Expected<void> validate(const DemoOptions& options);

// The names of the demo targets: "<prefix>-01", "<prefix>-02", ...; numbers
// have at least two digits, and as many as the largest needs.
std::vector<std::string> demo_names(const DemoOptions& options);

// The number of samples each demo target gets: days x 1 d / interval, rounded up.
std::int64_t demo_samples_per_target(const DemoOptions& options);

struct DemoTarget {
  core::Target target;
  SyntheticProfile profile;
  std::int64_t samples = 0;
  std::vector<SyntheticOutage> outages;
};

struct DemoReport {
  std::vector<DemoTarget> targets;
  std::int64_t samples = 0;  // written in all
  util::SysMicros start{};   // the first sample's slot
  util::SysMicros end{};     // the history ends before this: now, rounded down to the interval
  RollupReport rollups;      // the rollup pass that followed
};

// Progress: samples handed to the writer and committed so far, of `total`;
// then, while the rollups are built, the rollup pass's stage ("rollup 1m",
// ...) and how far it is within it (0-1).
struct DemoProgress {
  std::int64_t generated = 0;
  std::int64_t committed = 0;
  std::int64_t total = 0;
  std::string_view rollup_stage;  // empty while samples are written
  double rollup_fraction = 0;
};
// Called now and then; returning false while samples are written stops the
// demo (which then removes what it added). The rollup pass runs to its end.
using DemoObserver = std::function<bool(const DemoProgress&)>;

// Creates the demo targets in the database at db_path (paused, so no
// collector ever probes them; hosts "<name>.invalid", which never resolve;
// interval = options.interval; description "synthetic demo history"), writes
// `days` of history ending at `now` (rounded down to a multiple of the
// interval since the epoch) for each through collect::Writer, then
// builds the rollups (maintain::run_rollup at `now`, under the
// MaintenanceLock, waiting for a pass in progress). Fails with invalid_input and changes nothing when
// validate() fails or a demo name is taken. When writing fails or the
// observer stops it, the targets added are removed again (with their
// samples) and the error is returned (io "interrupted" for a stop).
Expected<DemoReport> make_demo(const std::string& db_path, const DemoOptions& options,
                               const DemoObserver& observer = {});

}  // namespace pk::maintain
