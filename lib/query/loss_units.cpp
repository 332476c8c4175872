#include "query/loss_units.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/cover.hpp"

#include <chrono>
#include <cmath>

namespace pk::query {

namespace {

using analyze::Tier;
using BucketCount = store::SampleReader::BucketCount;
using namespace std::chrono_literals;

constexpr util::Micros k_max_skippable_interval = 30s;

bool lossy(const BucketCount& row) { return row.received < row.sent; }

class Planner {
 public:
  Planner(Reader& reader, const core::Target& target, util::Micros min_duration)
      : m_reader(reader), m_target(target), m_min_duration(min_duration) {}

  Expected<std::vector<LossUnit>> plan(util::SysMicros from, util::SysMicros to) {
    // Adjacent hour and day segments where raw samples are kept are looked at
    // as one run of hours, so that every hour inside has both neighbours.
    std::optional<std::pair<util::SysMicros, util::SysMicros>> hours;
    auto flush = [&]() -> Expected<void> {
      if (!hours) return {};
      auto span = *std::exchange(hours, std::nullopt);
      return scan_hours(span.first, span.second);
    };
    for (const auto& segment : analyze::plan_cover(from, to, m_reader.extent())) {
      const bool by_hours =
          segment.tier >= Tier::h1 && m_reader.raw_kept_from(segment.from) && holds(Tier::h1, segment.from, segment.to);
      if (by_hours && hours && hours->second == segment.from) {
        hours->second = segment.to;
        continue;
      }
      if (auto done = flush(); !done) return std::unexpected(done.error());
      if (by_hours) {
        hours = {segment.from, segment.to};
      } else if (segment.tier == Tier::raw) {
        add_raw(segment.from, segment.to);
      } else if (auto done = expand(segment.tier, segment.from, segment.to); !done) {
        return std::unexpected(done.error());
      }
    }
    if (auto done = flush(); !done) return std::unexpected(done.error());
    return std::move(m_units);
  }

 private:
  // Rows of `tier` over [from, to): where raw samples are kept, the lossy
  // ones, one finer tier down (raw under 1-minute rows); elsewhere every row,
  // refined where it had losses and some answers.
  Expected<void> expand(Tier tier, util::SysMicros from, util::SysMicros to) {
    const bool raw_backed = m_reader.raw_kept_from(from);
    auto rows = m_reader.samples().bucket_counts(tier, m_target.id, from, to, /*only_lossy=*/raw_backed);
    if (!rows) return std::unexpected(rows.error());
    const auto width = analyze::tier_width(tier);
    for (const auto& row : *rows) {
      const auto end = row.bucket + width;
      const auto finer = finer_tier(tier, row.bucket, end);
      if (m_reader.raw_kept_from(row.bucket)) {
        if (!lossy(row)) continue;
        if (!finer) {
          add_raw(row.bucket, end);
        } else if (auto done = expand(*finer, row.bucket, end); !done) {
          return done;
        }
      } else if (lossy(row) && row.received > 0 && finer) {
        if (auto done = expand(*finer, row.bucket, end); !done) return done;
      } else {
        m_units.push_back({row.bucket, end, false, row.sent, row.received});
      }
    }
    return {};
  }

  // The hour rows of [from, to) (raw samples kept, hour rows complete): the
  // runs of adjacent hours with losses go on to their minutes.
  Expected<void> scan_hours(util::SysMicros from, util::SysMicros to) {
    auto rows = m_reader.samples().bucket_counts(Tier::h1, m_target.id, from, to, /*only_lossy=*/false);
    if (!rows) return std::unexpected(rows.error());
    const auto& h = *rows;
    auto steady = [&](std::size_t i) { return std::abs(static_cast<double>(h[i].sent) - per_hour()) <= 1.0; };
    std::vector<bool> regular(h.size(), false);
    for (std::size_t i = 1; i + 1 < h.size(); ++i) {
      regular[i] = h[i - 1].bucket + 1h == h[i].bucket && h[i].bucket + 1h == h[i + 1].bucket && steady(i - 1) &&
                   steady(i) && steady(i + 1);
    }
    for (std::size_t i = 0; i < h.size();) {
      if (!lossy(h[i])) {
        ++i;
        continue;
      }
      std::size_t end = i + 1;
      while (end < h.size() && lossy(h[end]) && h[end - 1].bucket + 1h == h[end].bucket) ++end;
      const std::vector<bool> run_regular(regular.begin() + static_cast<std::ptrdiff_t>(i),
                                          regular.begin() + static_cast<std::ptrdiff_t>(end));
      if (auto done = scan_minutes(h[i].bucket, h[end - 1].bucket + 1h, run_regular); !done) return done;
      i = end;
    }
    return {};
  }

  // The minutes with losses in adjacent lossy hours [from, to); `regular`
  // says which of those hours are sampled regularly.
  Expected<void> scan_minutes(util::SysMicros from, util::SysMicros to, const std::vector<bool>& regular) {
    if (!holds(Tier::m1, from, to)) {
      add_raw(from, to);
      return {};
    }
    auto rows = m_reader.samples().bucket_counts(Tier::m1, m_target.id, from, to, /*only_lossy=*/true);
    if (!rows) return std::unexpected(rows.error());
    auto hour_regular = [&](util::SysMicros minute) { return regular[static_cast<std::size_t>((minute - from) / 1h)]; };
    const auto& m = *rows;
    for (std::size_t i = 0; i < m.size();) {
      std::size_t end = i + 1;
      std::int64_t lost = m[i].sent - m[i].received;
      bool all_regular = hour_regular(m[i].bucket);
      for (; end < m.size() && m[end - 1].bucket + 1min == m[end].bucket; ++end) {
        lost += m[end].sent - m[end].received;
        all_regular = all_regular && hour_regular(m[end].bucket);
      }
      if (!all_regular || !too_short(lost)) add_raw(m[i].bucket, m[end - 1].bucket + 1min);
      i = end;
    }
    return {};
  }

  // Can no run of at most `lost` losses last min_duration? In a steady hour
  // (at most one sample missing) every gap is at most 2 intervals, and with
  // an interval of at most 30 s every minute holds samples, so adjacent
  // minutes with losses are all of a run's minutes.
  bool too_short(std::int64_t lost) const {
    if (m_target.interval > k_max_skippable_interval) return false;
    return static_cast<double>(lost + 3) * 2.0 * static_cast<double>(m_target.interval.count()) <
           static_cast<double>(m_min_duration.count());
  }

  double per_hour() const {
    return std::chrono::duration<double>(1h) / std::chrono::duration<double>(m_target.interval);
  }

  // Do the rows of `tier` hold all of [from, to)?
  bool holds(Tier tier, util::SysMicros from, util::SysMicros to) const {
    const auto& watermark = m_reader.extent().watermark[static_cast<std::size_t>(tier)];
    const auto& horizon = m_reader.extent().horizon[static_cast<std::size_t>(tier)];
    return watermark && to <= *watermark && (!horizon || from >= *horizon);
  }

  // The next finer rollup tier holding all of [from, to), if any.
  std::optional<Tier> finer_tier(Tier tier, util::SysMicros from, util::SysMicros to) const {
    for (auto t = static_cast<int>(tier) - 1; t >= static_cast<int>(Tier::m1); --t) {
      if (holds(static_cast<Tier>(t), from, to)) return static_cast<Tier>(t);
    }
    return std::nullopt;
  }

  void add_raw(util::SysMicros from, util::SysMicros to) {
    if (!m_units.empty() && m_units.back().raw && m_units.back().to == from) {
      m_units.back().to = to;
    } else {
      m_units.push_back({from, to, true, 0, 0});
    }
  }

  Reader& m_reader;
  const core::Target& m_target;
  util::Micros m_min_duration;
  std::vector<LossUnit> m_units;
};

}  // namespace

Expected<std::vector<LossUnit>> loss_units(Reader& reader, const core::Target& target, util::SysMicros from,
                                           util::SysMicros to, util::Micros min_duration) {
  if (from >= to) return std::vector<LossUnit>{};
  return Planner(reader, target, min_duration).plan(from, to);
}

}  // namespace pk::query
