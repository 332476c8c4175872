#include "query/export_rows.hpp"

#include "analyze/cover.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::query {

namespace {

// Rows between stop checks and position reports.
constexpr std::int64_t k_check_every = 4096;
// Rollup rows read at once (bounded memory: a row holds a sketch).
constexpr std::int64_t k_rollup_chunk_rows = 1440;

bool kept_from(const Reader& reader, analyze::Tier tier, util::SysMicros t) {
  const auto& horizon = reader.extent().horizon[static_cast<std::size_t>(tier)];
  return !horizon || t >= *horizon;
}

// Calls control.position now and then and tells whether to stop: asked to
// (control.stop), or the writer ended the stream (its callback said false).
class Pacing {
 public:
  Pacing(const StreamControl& control, std::size_t target_index) : m_control(control), m_index(target_index) {}

  // After each row, with what the writer's callback returned: false when the
  // stream must end.
  bool row(util::SysMicros at, bool wanted) {
    if (!wanted) m_ended = true;
    if (++m_rows % k_check_every == 0) {
      if (m_control.position) m_control.position({m_index, at});
      if (m_control.stop != nullptr && m_control.stop->load()) m_stopped = true;
    }
    return !done();
  }
  void end() { m_ended = true; }
  bool done() const { return m_ended || m_stopped; }
  // How the stream ended: an error when it was stopped.
  Expected<void> result() const { return m_stopped ? check_stop(m_control) : Expected<void>{}; }

 private:
  const StreamControl& m_control;
  std::size_t m_index;
  std::int64_t m_rows = 0;
  bool m_ended = false;
  bool m_stopped = false;
};

// Folds one target's data into buckets of `width`, in time order, handing
// each finished bucket to `emit`.
class BucketFold {
 public:
  BucketFold(util::Micros width, const core::Target& target, const ExportBucketFn& emit)
      : m_width(width), m_target(target), m_emit(emit) {}

  // Each returns false when the writer ended the stream.
  bool add(const core::Sample& sample) {
    const bool wanted = move_to(analyze::floor_to(sample.ts, m_width));
    m_raw.add(sample);
    return wanted;
  }
  bool merge(util::SysMicros bucket, const analyze::Aggregate& rows) {
    const bool wanted = move_to(analyze::floor_to(bucket, m_width));
    settle_raw();
    m_bucket.aggregate.merge_after(rows);
    return wanted;
  }
  // Hands the open bucket to the writer; false when the writer ended the stream.
  bool finish() {
    settle_raw();
    const bool wanted = !m_open || m_bucket.aggregate.empty() || m_emit(m_target, m_bucket);
    m_open = false;
    return wanted;
  }

 private:
  bool move_to(util::SysMicros start) {
    if (m_open && start == m_bucket.start) return true;
    const bool wanted = finish();
    m_bucket = ExportBucket{start, {}};
    m_open = true;
    return wanted;
  }
  // Raw samples are folded on their own and appended, as query::fold does.
  void settle_raw() {
    if (m_raw.empty()) return;
    m_bucket.aggregate.merge_after(m_raw);
    m_raw = {};
  }

  util::Micros m_width;
  const core::Target& m_target;
  const ExportBucketFn& m_emit;
  ExportBucket m_bucket;
  analyze::Aggregate m_raw;
  bool m_open = false;
};

}  // namespace

Expected<void> check_stop(const StreamControl& control) {
  if (control.stop != nullptr && control.stop->load()) return make_error(ErrorKind::io, "export interrupted");
  return {};
}

util::Micros probe_interval(const ExportScope& scope, const core::Target& target) {
  return scope.job ? std::min(target.interval, scope.job->interval) : target.interval;
}

Expected<std::vector<core::Interval>> export_periods(const ExportScope& scope) {
  if (scope.from >= scope.to) return invalid_input("--since must be before --until");
  if (scope.job) return core::active_intervals(*scope.job, scope.from, scope.to);
  return std::vector<core::Interval>{{scope.from, scope.to}};
}

Expected<std::optional<analyze::Tier>> parse_resolution(std::string_view text) {
  if (text == "auto") return std::optional<analyze::Tier>{};
  for (auto tier : {analyze::Tier::raw, analyze::Tier::m1, analyze::Tier::h1, analyze::Tier::d1}) {
    if (analyze::to_string(tier) == text) return std::optional<analyze::Tier>{tier};
  }
  return invalid_input(fmt::format("invalid resolution \"{}\": expected raw, 1m, 1h, 1d or auto", text));
}

Expected<analyze::Tier> auto_resolution(const Reader& reader, const ExportScope& scope,
                                        std::span<const core::Interval> periods) {
  if (periods.empty()) return analyze::Tier::raw;
  const auto start = periods.front().begin;
  // Each target's time counted: from its oldest data in the periods on (a
  // target added last week has a week of rows, whatever the range).
  std::vector<util::Micros> counted;
  for (const auto& target : scope.targets) {
    auto raw = store::samples::first_at_or_after(reader.db(), target.id, start);
    if (!raw) return std::unexpected(raw.error());
    auto rows = store::rollups::first_at_or_after(reader.db(), analyze::Tier::m1, target.id,
                                                  analyze::floor_to(start, analyze::tier_width(analyze::Tier::m1)));
    if (!rows) return std::unexpected(rows.error());
    std::optional<util::SysMicros> oldest = *raw;
    if (*rows && (!oldest || **rows < *oldest)) oldest = *rows;
    util::Micros total{};
    for (const auto& p : periods) {
      if (oldest && p.end > *oldest) total += p.end - std::max(p.begin, *oldest);
    }
    counted.push_back(total);
  }
  for (auto tier : {analyze::Tier::raw, analyze::Tier::m1, analyze::Tier::h1}) {
    if (!kept_from(reader, tier, start)) continue;
    std::int64_t rows = 0;
    for (std::size_t i = 0; i < scope.targets.size(); ++i) {
      const auto unit = std::max(analyze::tier_width(tier), probe_interval(scope, scope.targets[i]));
      if (unit > util::Micros{}) rows += counted[i] / unit;
    }
    if (rows <= k_auto_rows) return tier;
  }
  return analyze::Tier::d1;
}

Expected<void> check_resolution(const Reader& reader, analyze::Tier tier, util::SysMicros from) {
  if (kept_from(reader, tier, from)) return {};
  const auto& horizon = reader.extent().horizon[static_cast<std::size_t>(tier)];
  const char* what = tier == analyze::Tier::raw ? "raw samples" : "rollup rows";
  return invalid_input(fmt::format(
      "--resolution {}: the {} before {} were pruned (retention); use a coarser --resolution or a later --since",
      analyze::to_string(tier), what, util::format_iso_utc(*horizon)));
}

Expected<void> for_each_sample(Reader& reader, const ExportScope& scope, std::span<const core::Interval> periods,
                               const ExportSampleFn& fn, const StreamControl& control) {
  for (std::size_t i = 0; i < scope.targets.size(); ++i) {
    const auto& target = scope.targets[i];
    Pacing pacing(control, i);
    for (const auto& p : periods) {
      auto read = store::samples::scan_full(reader.db(), target.id, p.begin, p.end,
                                            [&](const core::Sample& s) { return pacing.row(s.ts, fn(target, s)); });
      if (!read) return std::unexpected(read.error());
      if (pacing.done()) return pacing.result();
    }
  }
  return {};
}

Expected<void> for_each_bucket(Reader& reader, const ExportScope& scope, std::span<const core::Interval> periods,
                               analyze::Tier tier, const ExportBucketFn& fn, const StreamControl& control) {
  if (tier == analyze::Tier::raw) return invalid_input("raw samples have no buckets");
  const auto width = analyze::tier_width(tier);
  for (std::size_t i = 0; i < scope.targets.size(); ++i) {
    const auto& target = scope.targets[i];
    Pacing pacing(control, i);
    BucketFold fold(width, target, fn);
    std::vector<analyze::Segment> plan;
    for (const auto& p : periods)
      analyze::append_plan(plan, analyze::plan_cover(p.begin, p.end, reader.extent(), tier));
    for (const auto& segment : plan) {
      if (segment.tier == analyze::Tier::raw) {
        auto read = reader.samples().for_each(target.id, segment.from, segment.to, [&](const core::Sample& s) {
          if (!pacing.done()) pacing.row(s.ts, fold.add(s));
        });
        if (!read) return std::unexpected(read.error());
        if (pacing.done()) return pacing.result();
        continue;
      }
      const auto chunk = analyze::tier_width(segment.tier) * k_rollup_chunk_rows;
      for (auto from = segment.from; from < segment.to; from += chunk) {
        auto rows =
            store::rollups::range(reader.db(), segment.tier, target.id, from, std::min(from + chunk, segment.to));
        if (!rows) return std::unexpected(rows.error());
        for (const auto& row : *rows) {
          if (!pacing.row(row.bucket, fold.merge(row.bucket, row.aggregate))) break;
        }
        if (pacing.done()) return pacing.result();
      }
    }
    if (!fold.finish()) return {};
  }
  return {};
}

}  // namespace pk::query
