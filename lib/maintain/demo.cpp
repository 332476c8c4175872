#include "maintain/demo.hpp"

#include "collect/lock.hpp"
#include "collect/writer.hpp"
#include "maintain/lock.hpp"
#include "store/db.hpp"
#include "store/targets.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <thread>

namespace pk::maintain {

namespace {

constexpr std::string_view k_description = "synthetic demo history";
// The tag a demo target carries until its history and rollups are written:
// a demo killed half-way leaves targets the next demo may replace.
constexpr std::string_view k_incomplete_key = "demo";
constexpr std::string_view k_incomplete_value = "incomplete";
constexpr std::size_t k_max_label = 63;  // a DNS label
constexpr std::size_t k_chunk = 16384;
// The writer commits once this many samples wait; the generator, far faster
// than the disk, waits while twice as many are pending, so memory stays flat.
constexpr std::size_t k_flush_samples = 100'000;
constexpr std::int64_t k_max_pending = 2 * static_cast<std::int64_t>(k_flush_samples);
constexpr auto k_pending_poll = std::chrono::milliseconds{2};
// Failed commits (each after the 10 s busy timeout, or a full disk) before
// the demo gives up.
constexpr std::int64_t k_max_retries = 3;

// Aligned to the interval (from the epoch), like a collector's rounds.
util::SysMicros history_end(const DemoOptions& o) {
  const auto since_epoch = o.now.time_since_epoch();
  return o.now - (since_epoch % o.interval + o.interval) % o.interval;
}

util::Micros history_span(const DemoOptions& o) { return std::chrono::days{o.days}; }

Expected<core::Target> demo_target(const std::string& name, const DemoOptions& o) {
  core::TargetPatch p;
  p.name = name;
  p.interval = o.interval;
  p.paused = true;
  p.description = std::string(k_description);
  p.set_tags[std::string(k_incomplete_key)] = std::string(k_incomplete_value);
  auto t = core::make_target(name + ".invalid", p);
  if (!t) {
    return invalid_input(
        fmt::format("invalid --prefix \"{}\": it names the demo targets and their hosts ({}.invalid), so it must be "
                    "letters, digits and inner hyphens, at most {} characters",
                    o.prefix, name, k_max_label - (name.size() - o.prefix.size())));
  }
  return t;
}

// Removes what a failed demo added (best effort: the first error stands).
void remove_targets(const store::Database& db, const std::vector<DemoTarget>& added, util::SysMicros now) {
  for (const auto& t : added) (void)store::targets::remove(db, t.target.name, /*keep_data=*/false, now);
}

// Writes every sample of every target through the writer.
Expected<std::int64_t> write_history(const std::string& db_path, const DemoOptions& o, std::vector<DemoTarget>& targets,
                                     util::SysMicros start, const DemoObserver& observer) {
  collect::WriterOptions wo;
  wo.flush_samples = k_flush_samples;
  auto writer = collect::Writer::start(db_path, wo);
  if (!writer) return std::unexpected(writer.error());
  DemoProgress progress;
  progress.total = demo_samples_per_target(o) * static_cast<std::int64_t>(targets.size());
  std::vector<core::Sample> chunk;
  chunk.reserve(k_chunk);
  bool stopped = false;
  bool failing = false;
  for (std::size_t k = 0; k < targets.size() && !stopped && !failing; ++k) {
    SyntheticSpec spec;
    spec.seed = o.seed;
    spec.index = static_cast<int>(k) + 1;
    spec.target_id = targets[k].target.id;
    spec.start = start;
    spec.count = demo_samples_per_target(o);
    spec.interval = o.interval;
    spec.zone = o.zone;
    SyntheticHistory history(spec);
    targets[k].profile = history.profile();
    targets[k].outages = history.outages();
    targets[k].samples = history.size();
    while (!stopped && !failing && history.next(chunk, k_chunk) > 0) {
      for (const auto& s : chunk) (*writer)->add(s);
      progress.generated += static_cast<std::int64_t>(chunk.size());
      while (true) {
        const auto stats = (*writer)->stats();
        progress.committed = stats.committed;
        failing = stats.retries >= k_max_retries;
        if (failing || progress.generated - progress.committed <= k_max_pending) break;
        std::this_thread::sleep_for(k_pending_poll);
      }
      if (observer && !observer(progress)) stopped = true;
    }
  }
  auto done = (*writer)->stop();
  if (!done) return std::unexpected(done.error());
  if (failing) {
    return make_error(ErrorKind::database,
                      "the database kept refusing the demo's samples (busy, or the disk full); the demo targets and "
                      "their samples were removed");
  }
  if (stopped) return make_error(ErrorKind::io, "interrupted; the demo targets and their samples were removed");
  progress.committed = (*writer)->stats().committed;
  if (observer) (void)observer(progress);
  return progress.committed;
}

}  // namespace

Expected<void> validate(const DemoOptions& o) {
  if (o.targets < 1 || o.targets > k_max_demo_targets) {
    return invalid_input(fmt::format("--targets must be 1 to {}, not {}", k_max_demo_targets, o.targets));
  }
  if (o.days < 1 || o.days > k_max_demo_days) {
    return invalid_input(fmt::format("--days must be 1 to {}, not {}", k_max_demo_days, o.days));
  }
  if (auto ok = core::check_duration("--interval", o.interval, k_min_demo_interval, k_max_demo_interval); !ok) {
    return ok;
  }
  const auto total = demo_samples_per_target(o) * o.targets;
  if (total > k_max_demo_samples) {
    return invalid_input(
        fmt::format("the demo would write {} samples, more than the {} allowed: use fewer --targets or --days, or a "
                    "longer --interval",
                    total, k_max_demo_samples));
  }
  for (const auto& name : demo_names(o)) {
    if (auto t = demo_target(name, o); !t) return std::unexpected(t.error());
  }
  return {};
}

std::vector<std::string> demo_names(const DemoOptions& o) {
  const auto width = std::max<std::size_t>(2, std::to_string(o.targets).size());
  std::vector<std::string> names;
  for (int k = 1; k <= o.targets; ++k) names.push_back(fmt::format("{}-{:0{}}", o.prefix, k, width));
  return names;
}

std::int64_t demo_samples_per_target(const DemoOptions& o) {
  const auto span = history_span(o).count();
  const auto step = o.interval.count();
  return step > 0 ? (span + step - 1) / step : 0;
}

Expected<DemoReport> make_demo(const std::string& db_path, const DemoOptions& o, const DemoObserver& observer) {
  if (auto ok = validate(o); !ok) return std::unexpected(ok.error());
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());

  // Held from before the names are checked to after the rollups: no rollup
  // pass or prune (the collector's, or a cron `maintain`) may run between
  // these samples and their rollups, since history older than the raw
  // retention must reach the rollups before any prune deletes it; and a
  // demo still writing is never taken for one that was killed.
  auto lock = MaintenanceLock::acquire(db_path, /*wait=*/true);
  if (!lock) return std::unexpected(lock.error());

  const auto names = demo_names(o);
  auto live = store::targets::list(*db);
  if (!live) return std::unexpected(live.error());
  std::set<std::string, std::less<>> taken;
  for (const auto& t : *live) {
    // A demo target of a demo that was killed before it finished: replaced.
    auto tag = t.tags.find(std::string(k_incomplete_key));
    if (t.host == t.name + ".invalid" && tag != t.tags.end() && tag->second == k_incomplete_value &&
        std::find(names.begin(), names.end(), t.name) != names.end()) {
      if (auto removed = store::targets::remove(*db, t.name, /*keep_data=*/false, o.now); !removed) {
        return std::unexpected(removed.error());
      }
      continue;
    }
    taken.insert(t.name);
  }
  std::vector<std::string> clashes;
  std::copy_if(names.begin(), names.end(), std::back_inserter(clashes),
               [&](const std::string& n) { return taken.contains(n); });
  if (!clashes.empty()) {
    return invalid_input(fmt::format(
        "target \"{}\" already exists ({} of the {} demo names are taken): choose another --prefix, or remove "
        "the old demo targets first (`pingkeeper target rm {}`, ...)",
        clashes.front(), clashes.size(), names.size(), clashes.front()));
  }

  std::vector<core::Target> fresh;
  for (const auto& name : names) fresh.push_back(*demo_target(name, o));
  auto added = store::targets::add(*db, std::move(fresh), o.now);
  if (!added) return std::unexpected(added.error());

  DemoReport report;
  report.end = history_end(o);
  report.start = report.end - history_span(o);
  for (auto& t : *added) report.targets.push_back({std::move(t), {}, 0, {}});

  auto written = write_history(db_path, o, report.targets, report.start, observer);
  if (!written) {
    remove_targets(*db, report.targets, o.now);
    return std::unexpected(written.error());
  }
  report.samples = *written;

  RollupOptions ro;
  ro.paced = collect::CollectorLock::held(*db);  // no collector: nothing to make way for
  if (observer) {
    ro.progress = [&](std::string_view stage, double fraction) {
      (void)observer({*written, *written, *written, stage, fraction});
    };
  }
  auto rolled = run_rollup(*db, o.now, ro);
  if (!rolled) {
    return make_error(rolled.error().kind,
                      fmt::format("the demo history was written, but building its rollups failed: {} (run "
                                  "`pingkeeper maintain --rollup` to retry)",
                                  rolled.error().message));
  }
  report.rollups = *rolled;
  // Complete: no longer a target the next demo may replace.
  core::TargetPatch done;
  done.remove_tags.push_back(std::string(k_incomplete_key));
  for (auto& t : report.targets) {
    auto edited = store::targets::edit(*db, t.target.name, done, o.now);
    if (!edited) return std::unexpected(edited.error());
    t.target = std::move(*edited);
  }
  return report;
}

}  // namespace pk::maintain
