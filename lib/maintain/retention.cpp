#include "maintain/retention.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/source.hpp"
#include "maintain/pacer.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/space.hpp"
#include "store/traces.hpp"

#include <climits>
#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace pk::maintain {

namespace {

using analyze::Tier;
using namespace std::chrono_literals;

constexpr std::array<Tier, 4> k_all_tiers{Tier::raw, Tier::m1, Tier::h1, Tier::d1};
// Rows deleted per statement (one short transaction each).
constexpr std::int64_t k_samples_per_delete = 2000;
constexpr std::int64_t k_rows_per_delete = 500;
constexpr std::int64_t k_traces_per_delete = 200;  // with ~90 hop rows each
// Pages returned to the OS per vacuum step.
constexpr std::int64_t k_pages_per_vacuum = 256;

std::size_t at(Tier t) { return static_cast<std::size_t>(t); }

// Buckets are aligned to this (raw to 1 minute, so a 1m bucket is either
// fully kept or fully pruned).
util::Micros alignment(Tier t) { return t == Tier::raw ? util::Micros{1min} : analyze::tier_width(t); }

std::string_view name(std::size_t tier) { return analyze::to_string(static_cast<Tier>(tier)); }

std::optional<Tier> parse_tier(std::string_view text) {
  for (auto t : k_all_tiers) {
    if (analyze::to_string(t) == text) return t;
  }
  return std::nullopt;
}

template <typename T>
std::unexpected<Error> fail(const Expected<T>& e) {
  return std::unexpected(e.error());
}

// Deletes a tier's rows before `cut`, target by target, in small statements.
// Never stopped half-way: see prune().
Expected<std::int64_t> delete_before(const store::Database& db, Tier tier, util::SysMicros cut,
                                     const Progress& progress) {
  auto ids = tier == Tier::raw ? store::samples::target_ids(db) : store::rollups::target_ids(db, tier);
  if (!ids) return fail(ids);
  std::int64_t deleted = 0;
  Pacer pacer;
  const auto stage = fmt::format("prune {}", analyze::to_string(tier));
  for (std::size_t i = 0; i < ids->size(); ++i) {
    while (true) {
      auto n = pacer.run([&] {
        return tier == Tier::raw ? store::samples::erase_before(db, (*ids)[i], cut, k_samples_per_delete)
                                 : store::rollups::erase_before(db, tier, (*ids)[i], cut, k_rows_per_delete);
      });
      if (!n) return fail(n);
      deleted += *n;
      if (*n < (tier == Tier::raw ? k_samples_per_delete : k_rows_per_delete)) break;
    }
    if (progress) progress(stage, static_cast<double>(i + 1) / static_cast<double>(ids->size()));
  }
  return deleted;
}

// Deletes traces (and their hops) that started before `cut`, in small transactions.
Expected<std::int64_t> delete_traces_before(const store::Database& db, util::SysMicros cut) {
  std::int64_t deleted = 0;
  Pacer pacer;
  while (true) {
    auto n = pacer.run([&] { return store::traces::erase_before(db, cut, k_traces_per_delete); });
    if (!n) return fail(n);
    deleted += *n;
    if (*n < k_traces_per_delete) return deleted;
  }
}

}  // namespace

util::Micros min_keep(std::size_t tier) {
  constexpr std::array<util::Micros, 4> k_min{1h, 1h, 24h, 24h};
  return k_min.at(tier);
}

Expected<store::settings::Retention> apply_retention_args(const store::settings::Retention& current,
                                                          std::span<const std::string> args) {
  auto keep = current;
  std::array<bool, 4> seen{};
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return invalid_input(
          fmt::format("invalid retention \"{}\": expected TIER=KEEP, e.g. raw=7d (tiers raw, 1m, 1h, 1d; KEEP a "
                      "duration such as 90d or 5y, or forever)",
                      arg));
    }
    auto tier_text = std::string_view(arg).substr(0, eq);
    auto value = std::string_view(arg).substr(eq + 1);
    auto tier = parse_tier(tier_text);
    if (!tier) {
      return invalid_input(fmt::format("unknown tier \"{}\" in \"{}\": use raw, 1m, 1h or 1d", tier_text, arg));
    }
    auto i = at(*tier);
    if (seen[i]) return invalid_input(fmt::format("tier {} given twice", tier_text));
    seen[i] = true;
    if (value == "forever") {
      keep[i].reset();
      continue;
    }
    auto d = util::parse_duration(value);
    if (!d) return invalid_input(fmt::format("{}: {}", arg, d.error().message));
    if (*d < min_keep(i)) {
      return invalid_input(
          fmt::format("{}: {} must be kept at least {}", arg, tier_text, store::settings::keep_text(min_keep(i))));
    }
    keep[i] = *d;
  }
  for (std::size_t i = 1; i < keep.size(); ++i) {
    if (keep[i] && (!keep[i - 1] || *keep[i] < *keep[i - 1])) {
      return invalid_input(fmt::format(
          "{} would be kept shorter than {} ({} < {}): a rollup tier must be kept at "
          "least as long as the finer one it is built from",
          name(i), name(i - 1), store::settings::keep_text(keep[i]), store::settings::keep_text(keep[i - 1])));
    }
  }
  return keep;
}

namespace {

// prune() with the keep of each tier given (nullopt: kept forever); traces go
// with the raw keep when `with_traces`.
Expected<PruneReport> prune_with(const store::Database& db, util::SysMicros now,
                                 const Expected<store::settings::Retention>& keep, bool with_traces,
                                 const Progress& progress, const std::atomic<bool>* stop) {
  if (!keep) return fail(keep);
  auto cov = store::rollups::coverage(db);
  if (!cov) return fail(cov);
  // The oldest bucket a pending dirty mark will recompute (marks whose source
  // is already pruned do not count: they are dropped below).
  std::optional<util::SysMicros> pending;
  for (auto tier : {Tier::m1, Tier::h1, Tier::d1}) {
    const auto& source_horizon = cov->horizon[at(tier) - 1];
    auto oldest = store::rollups::oldest_mark(db, tier, source_horizon.value_or(util::from_epoch_us(INT64_MIN)));
    if (!oldest) return fail(oldest);
    if (*oldest && (!pending || **oldest < *pending)) pending = *oldest;
  }
  PruneReport report;
  for (auto tier : k_all_tiers) {
    if (stop != nullptr && stop->load()) break;
    const auto i = at(tier);
    const auto old = cov->horizon[i];
    if (!(*keep)[i]) continue;
    auto cut = analyze::floor_to(now - *(*keep)[i], alignment(tier));
    // What the next tier is built from, and rebuilt from while a mark is pending, stays.
    const auto next = tier == Tier::d1 ? Tier::d1 : static_cast<Tier>(i + 1);
    if (tier != Tier::d1) {
      const auto& rolled = cov->watermark[at(next)];
      if (!rolled) continue;
      cut = std::min(cut, *rolled);
    }
    if (pending) cut = std::min(cut, analyze::floor_to(*pending, analyze::tier_width(next)));
    const auto horizon = old ? std::max(*old, cut) : cut;
    if (horizon != old) {
      if (auto ok = store::rollups::set_horizon(db, tier, horizon); !ok) return fail(ok);
      cov->horizon[i] = horizon;
    }
    // No stop once the horizon is recorded: rows left below it would be
    // taken for late samples by the next rollup pass and counted twice.
    auto deleted = delete_before(db, tier, horizon, progress);
    if (!deleted) return fail(deleted);
    report.rows_deleted[i] = *deleted;
    // Marks of this tier, and of the next one built from it, below the horizon cannot be served.
    std::vector<Tier> unservable;
    if (tier != Tier::raw) unservable.push_back(tier);
    if (tier != Tier::d1) unservable.push_back(next);
    for (auto marked : unservable) {
      auto dropped = store::rollups::drop_marks_before(db, marked, horizon);
      if (!dropped) return fail(dropped);
      report.marks_dropped += *dropped;
    }
  }
  report.horizon = cov->horizon;
  if (with_traces && (stop == nullptr || !stop->load()) && (*keep)[0]) {
    auto traces = delete_traces_before(db, now - *(*keep)[0]);
    if (!traces) return fail(traces);
    report.traces_deleted = *traces;
  }
  return report;
}

}  // namespace

Expected<PruneReport> prune(const store::Database& db, util::SysMicros now, const Progress& progress,
                            const std::atomic<bool>* stop) {
  return prune_with(db, now, store::settings::retention(db), true, progress, stop);
}

Expected<std::int64_t> prune_raw(const store::Database& db, util::SysMicros now, util::Micros keep) {
  store::settings::Retention only_raw{};
  only_raw[0] = keep;
  auto report = prune_with(db, now, only_raw, false, {}, nullptr);
  if (!report) return fail(report);
  return report->rows_deleted[0];
}

Expected<VacuumReport> vacuum(const store::Database& db, const Progress& progress) {
  auto before = store::space(db);
  if (!before) return fail(before);
  VacuumReport report;
  Pacer pacer;
  while (report.pages_freed < before->free_pages) {
    auto freed = pacer.run([&] { return store::incremental_vacuum(db, k_pages_per_vacuum); });
    if (!freed) return fail(freed);
    if (*freed <= 0) break;
    report.pages_freed += *freed;
    if (progress) {
      progress("vacuum", static_cast<double>(report.pages_freed) / static_cast<double>(before->free_pages));
    }
  }
  report.bytes_freed = report.pages_freed * before->page_size;
  return report;
}

}  // namespace pk::maintain
