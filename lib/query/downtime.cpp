#include "query/downtime.hpp"

#include "query/loss_units.hpp"
#include "query/units.hpp"

#include <algorithm>

namespace pk::query {

namespace {

// Feeds one unit to the detector: its raw samples, or a stand-in bucket as
// `sent` losses (no answer) or one answer, at the bucket's start.
Expected<void> feed(Reader& reader, std::int64_t target_id, const LossUnit& unit, analyze::DowntimeDetector& detector) {
  if (unit.raw) {
    return reader.samples().for_each(target_id, unit.from, unit.to,
                                     [&](const core::Sample& sample) { detector.add(sample); });
  }
  core::Sample stand_in;
  stand_in.target_id = target_id;
  stand_in.ts = unit.from;
  if (unit.received > 0) {
    detector.add(stand_in);
    return {};
  }
  stand_in.status = core::SampleStatus::timeout;
  for (std::int64_t i = 0; i < unit.sent; ++i) detector.add(stand_in);
  return {};
}

}  // namespace

Expected<std::vector<analyze::DowntimePeriod>> downtime_periods(Reader& reader, const core::Target& target,
                                                                util::SysMicros from, util::SysMicros to,
                                                                util::Micros min_duration) {
  if (from >= to) return std::vector<analyze::DowntimePeriod>{};
  auto units = loss_units(reader, target.id, from, to, min_duration);
  if (!units) return std::unexpected(units.error());
  analyze::DowntimeDetector detector(min_duration);
  for (const auto& unit : *units) {
    if (auto fed = feed(reader, target.id, unit, detector); !fed) return std::unexpected(fed.error());
  }
  auto periods = detector.finish(to);
  for (auto& p : periods) p.start = std::max(p.start, from);
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
