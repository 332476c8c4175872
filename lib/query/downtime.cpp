#include "query/downtime.hpp"

#include "query/units.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/cover.hpp"

#include <algorithm>

namespace pk::query {

namespace {

using analyze::Tier;

// A part of the range to feed to the detector: raw samples in [from, to), or
// (where raw samples were pruned) one rollup bucket's counts.
struct Unit {
  util::SysMicros from{};
  util::SysMicros to{};
  bool raw = true;
  std::int64_t sent = 0;
  std::int64_t received = 0;
};

// Finds the units: everything without losses is left out where raw samples
// are kept (the answers there only end runs, and one look-up finds the first).
class Planner {
 public:
  Planner(Reader& reader, std::int64_t target_id) : m_reader(reader), m_target_id(target_id) {}

  Expected<std::vector<Unit>> plan(util::SysMicros from, util::SysMicros to) {
    for (const auto& segment : analyze::plan_cover(from, to, m_reader.extent())) {
      if (segment.tier == Tier::raw) {
        add_raw(segment.from, segment.to);
      } else if (auto done = expand(segment.tier, segment.from, segment.to); !done) {
        return std::unexpected(done.error());
      }
    }
    return std::move(m_units);
  }

 private:
  Expected<void> expand(Tier tier, util::SysMicros from, util::SysMicros to) {
    const bool raw_backed = m_reader.raw_kept_from(from);
    auto rows = m_reader.samples().bucket_counts(tier, m_target_id, from, to, /*only_lossy=*/raw_backed);
    if (!rows) return std::unexpected(rows.error());
    const auto width = analyze::tier_width(tier);
    for (const auto& row : *rows) {
      const auto end = row.bucket + width;
      const bool lossy = row.received < row.sent;
      const auto finer = finer_tier(tier, row.bucket, end);
      if (m_reader.raw_kept_from(row.bucket)) {
        if (!lossy) continue;
        if (!finer) {
          add_raw(row.bucket, end);
        } else if (auto done = expand(*finer, row.bucket, end); !done) {
          return done;
        }
      } else if (lossy && row.received > 0 && finer) {
        if (auto done = expand(*finer, row.bucket, end); !done) return done;
      } else {
        m_units.push_back({row.bucket, end, false, row.sent, row.received});
      }
    }
    return {};
  }

  // The next finer rollup tier holding all of [from, to), if any.
  std::optional<Tier> finer_tier(Tier tier, util::SysMicros from, util::SysMicros to) const {
    const auto& extent = m_reader.extent();
    for (auto t = static_cast<int>(tier) - 1; t >= static_cast<int>(Tier::m1); --t) {
      const auto& watermark = extent.watermark[static_cast<std::size_t>(t)];
      const auto& horizon = extent.horizon[static_cast<std::size_t>(t)];
      if (watermark && to <= *watermark && (!horizon || from >= *horizon)) return static_cast<Tier>(t);
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
  std::int64_t m_target_id;
  std::vector<Unit> m_units;
};

// Feeds the units to a detector in time order. Between units nothing was
// lost, so a run still open at the end of one unit ends at the first answer
// after it (where raw samples are kept), looked up directly.
class Feeder {
 public:
  Feeder(Reader& reader, std::int64_t target_id, util::Micros min_duration)
      : m_reader(reader), m_target_id(target_id), m_detector(min_duration) {}

  Expected<void> feed(const Unit& unit) {
    if (auto closed = close_run_before(unit.from); !closed) return closed;
    if (unit.raw) {
      auto read = m_reader.samples().for_each(m_target_id, unit.from, unit.to,
                                              [&](const store::SampleReader::Probe& p) { add(p.ts, p.answered); });
      if (!read) return std::unexpected(read.error());
    } else if (unit.received == 0) {
      for (std::int64_t i = 0; i < unit.sent; ++i) add(unit.from, false);
    } else {
      add(unit.from, true);
    }
    m_fed_until = unit.to;
    return {};
  }

  Expected<std::vector<analyze::DowntimePeriod>> finish(util::SysMicros to) {
    if (auto closed = close_run_before(to); !closed) return std::unexpected(closed.error());
    return m_detector.finish(to);
  }

 private:
  void add(util::SysMicros ts, bool answered) {
    core::Sample sample;
    sample.ts = ts;
    sample.status = answered ? core::SampleStatus::ok : core::SampleStatus::timeout;
    m_detector.add(sample);
    m_open = !answered;
  }

  Expected<void> close_run_before(util::SysMicros until) {
    if (!m_open || !m_fed_until || *m_fed_until >= until) return {};
    auto answer = m_reader.samples().first_answer(m_target_id, *m_fed_until, until);
    if (!answer) return std::unexpected(answer.error());
    if (*answer) add(**answer, true);
    return {};
  }

  Reader& m_reader;
  std::int64_t m_target_id;
  analyze::DowntimeDetector m_detector;
  bool m_open = false;
  std::optional<util::SysMicros> m_fed_until;
};

}  // namespace

Expected<std::vector<analyze::DowntimePeriod>> downtime_periods(Reader& reader, std::int64_t target_id,
                                                                util::SysMicros from, util::SysMicros to,
                                                                util::Micros min_duration) {
  if (from >= to) return std::vector<analyze::DowntimePeriod>{};
  auto units = Planner(reader, target_id).plan(from, to);
  if (!units) return std::unexpected(units.error());
  Feeder feeder(reader, target_id, min_duration);
  for (const auto& unit : *units) {
    if (auto fed = feeder.feed(unit); !fed) return std::unexpected(fed.error());
  }
  auto periods = feeder.finish(to);
  if (!periods) return periods;
  for (auto& p : *periods) p.start = std::max(p.start, from);
  return periods;
}

util::Micros DowntimeReport::total() const {
  util::Micros sum{};
  for (const auto& p : periods) sum += std::max(util::Micros{}, std::min(p.end, to) - std::max(p.start, from));
  return sum;
}

double DowntimeReport::availability_pct() const { return analyze::availability_pct(periods, from, to); }

Expected<DowntimeReport> downtime(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                                  util::Micros min_duration) {
  if (from >= to) return invalid_input("--since must be before --until");
  auto periods = downtime_periods(reader, target.id, from, to, min_duration);
  if (!periods) return std::unexpected(periods.error());
  return DowntimeReport{target.id, target.name, from, to, min_duration, std::move(*periods)};
}

core::Json to_json(const analyze::DowntimePeriod& p) {
  return {
      {"start", util::format_iso_utc(p.start)},
      {"end", util::format_iso_utc(p.end)},
      {"duration_ms", round_ms(p.duration())},
      {"probes", p.probes},
      {"ongoing", p.ongoing},
  };
}

core::Json to_json(const DowntimeReport& r) {
  auto periods = core::Json::array();
  for (const auto& p : r.periods) periods.push_back(to_json(p));
  return {
      {"target", r.target},
      {"target_id", r.target_id},
      {"from", util::format_iso_utc(r.from)},
      {"to", util::format_iso_utc(r.to)},
      {"min_duration_ms", round_ms(r.min_duration)},
      {"downtime_ms", round_ms(r.total())},
      {"availability_pct", pct_json(r.availability_pct())},
      {"periods", std::move(periods)},
  };
}

}  // namespace pk::query
