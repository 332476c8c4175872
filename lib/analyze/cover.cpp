#include "analyze/cover.hpp"

#include "analyze/aggregate.hpp"

#include <algorithm>

namespace pk::analyze {

namespace {

constexpr std::array<Tier, 3> k_rollup_tiers_coarsest_first{Tier::d1, Tier::h1, Tier::m1};

// The buckets of one rollup tier that can be read: starts in [begin, end),
// each bucket ending at or before `end`. Empty when begin >= end.
struct Usable {
  Tier tier = Tier::m1;
  util::Micros width{};
  std::optional<util::SysMicros> begin;  // nullopt: nothing pruned
  util::SysMicros end{};

  bool holds(util::SysMicros bucket) const { return (!begin || bucket >= *begin) && bucket + width <= end; }
  bool empty() const { return begin && *begin >= end; }
};

class Planner {
 public:
  Planner(const TierExtent& extent, Tier coarsest, util::SysMicros to) : m_to(to) {
    m_raw_horizon = extent.horizon[0];
    for (Tier tier : k_rollup_tiers_coarsest_first) {
      auto i = static_cast<std::size_t>(tier);
      if (tier > coarsest || !extent.watermark[i]) continue;
      Usable u{.tier = tier, .width = tier_width(tier), .begin = std::nullopt, .end = {}};
      u.end = floor_to(*extent.watermark[i], u.width);
      if (extent.horizon[i]) u.begin = ceil_to(*extent.horizon[i], u.width);
      if (!u.empty()) m_tiers.push_back(u);
    }
  }

  std::vector<Segment> plan(util::SysMicros from) {
    util::SysMicros p = from;
    while (p < m_to) {
      if (const Usable* u = whole_bucket_at(p)) {
        append({u->tier, p, p + u->width});
        p += u->width;
      } else if (raw_usable(p)) {
        auto q = next_whole_bucket_after(p).value_or(m_to);
        append({Tier::raw, p, q});
        p = q;
      } else if (const Usable* enclosing = finest_holding(p)) {
        auto bucket = floor_to(p, enclosing->width);
        place_rounded({enclosing->tier, bucket, bucket + enclosing->width});
        p = bucket + enclosing->width;
      } else if (auto q = next_data_after(p); q && *q < m_to) {
        p = *q;
      } else {
        break;
      }
    }
    return std::move(m_out);
  }

 private:
  bool raw_usable(util::SysMicros p) const { return !m_raw_horizon || p >= *m_raw_horizon; }

  // The coarsest tier with a usable bucket starting at p and ending by m_to.
  const Usable* whole_bucket_at(util::SysMicros p) const {
    for (const auto& u : m_tiers) {
      if (floor_to(p, u.width) == p && p + u.width <= m_to && u.holds(p)) return &u;
    }
    return nullptr;
  }

  // The first instant after p at which whole_bucket_at succeeds.
  std::optional<util::SysMicros> next_whole_bucket_after(util::SysMicros p) const {
    std::optional<util::SysMicros> best;
    for (const auto& u : m_tiers) {
      auto c = ceil_to(p + util::Micros{1}, u.width);
      if (u.begin) c = std::max(c, *u.begin);
      if (c + u.width <= std::min(u.end, m_to) && (!best || c < *best)) best = c;
    }
    return best;
  }

  // The finest tier whose bucket holding p is usable.
  const Usable* finest_holding(util::SysMicros p) const {
    for (auto it = m_tiers.rbegin(); it != m_tiers.rend(); ++it) {
      if (it->holds(floor_to(p, it->width))) return &*it;
    }
    return nullptr;
  }

  // When nothing holds p: the first instant after it where something does.
  std::optional<util::SysMicros> next_data_after(util::SysMicros p) const {
    std::optional<util::SysMicros> best;
    auto consider = [&](util::SysMicros c) {
      if (c > p && (!best || c < *best)) best = c;
    };
    if (m_raw_horizon) consider(*m_raw_horizon);
    for (const auto& u : m_tiers) {
      if (u.begin) consider(*u.begin);
    }
    return best;
  }

  void append(const Segment& s) {
    if (!m_out.empty() && m_out.back().tier == s.tier && m_out.back().to == s.from) {
      m_out.back().to = s.to;
    } else {
      m_out.push_back(s);
    }
  }

  // A bucket that may start before the segments planned so far end: it
  // replaces what it overlaps. Only segments at least as fine as its tier can
  // straddle its start (coarser ones end on their own, coarser, boundaries),
  // so cutting them there leaves them aligned.
  void place_rounded(const Segment& bucket) {
    while (!m_out.empty() && m_out.back().from >= bucket.from) m_out.pop_back();
    if (!m_out.empty() && m_out.back().to > bucket.from) m_out.back().to = bucket.from;
    append(bucket);
  }

  util::SysMicros m_to;
  std::optional<util::SysMicros> m_raw_horizon;
  std::vector<Usable> m_tiers;  // coarsest first, only tiers with usable buckets
  std::vector<Segment> m_out;
};

}  // namespace

std::vector<Segment> plan_cover(util::SysMicros from, util::SysMicros to, const TierExtent& extent, Tier coarsest) {
  if (from >= to) return {};
  return Planner(extent, coarsest, to).plan(from);
}

void append_plan(std::vector<Segment>& plan, const std::vector<Segment>& later) {
  for (auto segment : later) {
    if (!plan.empty() && segment.from < plan.back().to) {
      const auto end = plan.back().to;
      segment.from = segment.tier == Tier::raw ? end : ceil_to(end, tier_width(segment.tier));
      if (segment.from >= segment.to) continue;
    }
    plan.push_back(segment);
  }
}

Tier coarsest_tier(const std::vector<Segment>& segments) {
  Tier out = Tier::raw;
  for (const auto& s : segments) out = std::max(out, s.tier);
  return out;
}

}  // namespace pk::analyze
