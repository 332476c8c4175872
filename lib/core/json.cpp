#include "core/json.hpp"

#include "util/time.hpp"

#include <algorithm>

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

Json to_json(const Trace& t) {
  const bool v6 = t.address.find(':') != std::string::npos;
  Json hops = Json::array();
  for (std::size_t i = 0; i < t.probes.size();) {
    const int ttl = t.probes[i].ttl;
    Json addresses = Json::array();
    Json probes = Json::array();
    for (; i < t.probes.size() && t.probes[i].ttl == ttl; ++i) {
      const TraceProbe& p = t.probes[i];
      if (p.address && std::find(addresses.begin(), addresses.end(), *p.address) == addresses.end()) {
        addresses.push_back(*p.address);
      }
      probes.push_back({
          {"query", p.query},
          {"address", p.address ? Json(*p.address) : Json(nullptr)},
          {"hostname", p.hostname ? Json(*p.hostname) : Json(nullptr)},
          {"rtt_ms", rtt_ms(p.rtt)},
          {"reply", to_string(p.reply)},
          {"icmp_type", p.icmp_type ? Json(*p.icmp_type) : Json(nullptr)},
          {"icmp_code", p.icmp_code ? Json(*p.icmp_code) : Json(nullptr)},
          {"mark", p.icmp_type && p.icmp_code ? unreachable_mark(v6, *p.icmp_type, *p.icmp_code) : std::string()},
      });
    }
    hops.push_back({{"hop", ttl}, {"addresses", std::move(addresses)}, {"probes", std::move(probes)}});
  }
  const bool stored = t.id != 0;
  return {
      {"id", stored ? Json(t.id) : Json(nullptr)},
      {"target", t.target},
      {"target_id", t.target_id ? Json(*t.target_id) : Json(nullptr)},
      {"job_id", t.job_id ? Json(*t.job_id) : Json(nullptr)},
      {"host", t.host},
      {"address", t.address},
      {"probe", to_string(t.method)},
      {"port", t.method == TraceMethod::icmp ? Json(nullptr) : Json(t.port)},
      {"started_at", util::format_iso_utc(t.started_at)},
      {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(t.duration).count()},
      {"first_ttl", t.first_ttl},
      {"max_hops", t.max_hops},
      {"queries", t.queries},
      {"reached", t.reached},
      {"hop_count", t.hop_count},
      {"path_hash", stored ? Json(t.path_hash) : Json(nullptr)},
      {"path_changed", stored ? Json(t.path_changed) : Json(nullptr)},
      {"hops", std::move(hops)},
  };
}

}  // namespace pk::core
