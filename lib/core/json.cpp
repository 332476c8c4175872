#include "core/json.hpp"

#include "util/time.hpp"

namespace pk::core {

namespace {

Json opt_time(const std::optional<util::SysMicros>& t) { return t ? Json(util::format_iso_utc(*t)) : Json(nullptr); }

}  // namespace

Json to_json(const Target& t) {
  return {
      {"id", t.id},
      {"name", t.name},
      {"host", t.host},
      {"family", to_string(t.family)},
      {"probe", to_string(t.probe)},
      {"port", t.port ? Json(*t.port) : Json(nullptr)},
      {"interval_ms", util::to_ms(t.interval)},
      {"timeout_ms", util::to_ms(t.timeout)},
      {"size", t.payload_size},
      {"paused", t.paused},
      {"job_only", t.job_only},
      {"description", t.description},
      {"tags", t.tags},
      {"created_at", util::format_iso_utc(t.created_at)},
      {"updated_at", util::format_iso_utc(t.updated_at)},
      {"removed_at", opt_time(t.removed_at)},
  };
}

Json to_json(const JobRun& r) {
  return {
      {"id", r.id},
      {"started_at", util::format_iso_utc(r.started_at)},
      {"ended_at", opt_time(r.ended_at)},
      {"sent", r.sent},
      {"received", r.received},
      {"errors", r.errors},
  };
}

Json rtt_ms(const std::optional<util::Micros>& rtt) {
  if (!rtt) return nullptr;
  return static_cast<double>(rtt->count()) / 1000.0;
}

Json to_json(const Sample& s, std::string_view target_name) {
  return {
      {"target", target_name},
      {"target_id", s.target_id},
      {"time", util::format_iso_utc(s.ts)},
      {"rtt_ms", rtt_ms(s.rtt)},
      {"status", to_string(s.status)},
      {"ttl", s.ttl ? Json(*s.ttl) : Json(nullptr)},
      {"detail", s.detail ? Json(*s.detail) : Json(nullptr)},
  };
}

Json to_json(const Job& j, const JobState& state, const std::optional<JobRun>& latest_run) {
  auto targets = Json::array();
  for (const auto& m : j.targets) targets.push_back(m.name);
  return {
      {"id", j.id},
      {"name", j.name},
      {"targets", targets},
      {"interval_ms", util::to_ms(j.interval)},
      {"count", j.count},
      {"start", opt_time(j.starts_at)},
      {"end", opt_time(j.ends_at)},
      {"windows", j.windows.to_string()},
      {"tz", j.tz},
      {"metrics", metric_names(j.metrics)},
      {"path_every_ms", util::to_ms(j.path_every)},
      {"state", j.stopped ? "stopped" : "active"},
      {"status", to_string(state.status)},
      {"next_change", opt_time(state.next_change)},
      {"latest_run", latest_run ? to_json(*latest_run) : Json(nullptr)},
      {"description", j.description},
      {"created_at", util::format_iso_utc(j.created_at)},
      {"updated_at", util::format_iso_utc(j.updated_at)},
  };
}

}  // namespace pk::core
