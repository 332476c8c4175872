#include "query/loss_units.hpp"

#include "analyze/cover.hpp"

#include <algorithm>
#include <chrono>

namespace pk::query {

namespace {

using analyze::Tier;
using namespace std::chrono_literals;

class Planner {
 public:
  Planner(Reader& reader, std::int64_t target_id, util::SysMicros from, util::SysMicros to, util::Micros min_duration)
      : m_reader(reader), m_target_id(target_id), m_to(to), m_min_duration(min_duration), m_since(from) {}

  Expected<std::vector<LossUnit>> plan(util::SysMicros from) {
    for (const auto& segment : analyze::plan_cover(from, m_to, m_reader.extent())) {
      if (segment.tier != Tier::raw) {
        if (auto done = walk(segment.tier, segment.from, segment.to); !done) return std::unexpected(done.error());
        continue;
      }
      add_raw(m_since, segment.to);
      m_since = segment.to;
      m_after_answer = false;
    }
    add_raw(m_since, m_to);
    return std::move(m_units);
  }

 private:
  // The rows of `tier` over [from, to), in time order.
  Expected<void> walk(Tier tier, util::SysMicros from, util::SysMicros to) {
    auto rows = m_reader.samples().buckets(tier, m_target_id, from, to);
    if (!rows) return std::unexpected(rows.error());
    for (const auto& row : *rows) {
      const auto end = row.bucket + analyze::tier_width(tier);
      const auto finer = finer_tier(tier, row.bucket, end);
      auto done = m_reader.raw_kept_from(row.bucket) ? visit(row, finer, end) : stand_in(row, finer, end);
      if (!done) return done;
    }
    return {};
  }

  // A row whose raw samples are kept.
  Expected<void> visit(const store::SampleReader::Bucket& row, std::optional<Tier> finer, util::SysMicros end) {
    const auto& a = row.answers;
    const bool lossy = a.count < row.sent;
    if (!a.any()) {  // the time since the last answer goes on, with losses
      m_lost_since = true;
      return {};
    }
    const bool gap_inside = lossy && a.max_gap >= m_min_duration;
    // Finer rows narrow the gap down, unless they would be as many as the samples.
    if (gap_inside && finer && row.sent > (end - row.bucket) / analyze::tier_width(*finer)) {
      return walk(*finer, row.bucket, end);
    }
    if (!m_after_answer || ((m_lost_since || lossy) && *a.first - m_since >= m_min_duration)) {
      add_raw(m_since, *a.first + 1us);
    }
    if (gap_inside) add_raw(*a.first, *a.last + 1us);
    m_since = *a.last;
    m_after_answer = true;
    m_lost_since = lossy;
    return {};
  }

  // A row whose raw samples were pruned: its counts stand in, or its finer
  // rows where it had losses and answers.
  Expected<void> stand_in(const store::SampleReader::Bucket& row, std::optional<Tier> finer, util::SysMicros end) {
    if (row.received < row.sent && row.received > 0 && finer) return walk(*finer, row.bucket, end);
    m_units.push_back({row.bucket, end, false, row.sent, row.received});
    m_since = end;
    m_after_answer = false;
    return {};
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

  // Raw samples in [from, to), joined to the last unit when they meet.
  void add_raw(util::SysMicros from, util::SysMicros to) {
    if (from >= to) return;
    if (!m_units.empty() && m_units.back().raw && m_units.back().to >= from) {
      m_units.back().to = std::max(m_units.back().to, to);
    } else {
      m_units.push_back({from, to, true, 0, 0});
    }
  }

  Reader& m_reader;
  std::int64_t m_target_id;
  util::SysMicros m_to;
  util::Micros m_min_duration;
  // Where the next raw unit starts: the last answer seen (m_after_answer),
  // else `from`, the end of a raw part of the plan or of a stand-in, with
  // nothing answered since.
  util::SysMicros m_since;
  bool m_after_answer = false;
  // Can something after m_since have been lost (as far as the rows tell)?
  bool m_lost_since = false;
  std::vector<LossUnit> m_units;
};

}  // namespace

Expected<std::vector<LossUnit>> loss_units(Reader& reader, std::int64_t target_id, util::SysMicros from,
                                           util::SysMicros to, util::Micros min_duration) {
  if (from >= to) return std::vector<LossUnit>{};
  return Planner(reader, target_id, from, to, min_duration).plan(from);
}

}  // namespace pk::query
