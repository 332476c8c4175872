#include "query/downtime.hpp"

#include "query/loss_units.hpp"
#include "query/units.hpp"

#include <algorithm>

namespace pk::query {

namespace {

// Feeds the units to a detector in time order. Between units nothing was
// lost, so a run still open at the end of one unit ends at the first answer
// after it (where raw samples are kept), looked up directly.
class Feeder {
 public:
  Feeder(Reader& reader, std::int64_t target_id, util::Micros min_duration)
      : m_reader(reader), m_target_id(target_id), m_detector(min_duration) {}

  Expected<void> feed(const LossUnit& unit) {
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

Expected<std::vector<analyze::DowntimePeriod>> downtime_periods(Reader& reader, const core::Target& target,
                                                                util::SysMicros from, util::SysMicros to,
                                                                util::Micros min_duration) {
  if (from >= to) return std::vector<analyze::DowntimePeriod>{};
  auto units = loss_units(reader, target, from, to, min_duration);
  if (!units) return std::unexpected(units.error());
  Feeder feeder(reader, target.id, min_duration);
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
  auto periods = downtime_periods(reader, target, from, to, min_duration);
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
