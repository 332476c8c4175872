#include "serve/seed_api.hpp"

#include "serve/seed_stats.hpp"
#include "store/samples.hpp"
#include "store/seed_samples.hpp"
#include "store/targets.hpp"

#include <climits>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace pk::serve::seed {

namespace {

constexpr util::SysMicros k_id_epoch{std::chrono::microseconds{1'577'836'800'000'000}};  // 2020-01-01T00:00:00Z
constexpr int k_target_bits = 16;
constexpr int k_time_bits = 37;  // 53 bits in all: exact as a double
constexpr std::int64_t k_max_target_id = (std::int64_t{1} << k_target_bits) - 1;
constexpr std::int64_t k_max_units = (std::int64_t{1} << k_time_bits) - 1;

Expected<std::vector<core::Target>> unknown_host(std::string_view host) {
  return not_found(fmt::format("host '{}' is not monitored and has no data", host));
}

core::Json error_message(const core::Sample& s) {
  if (s.detail) return *s.detail;
  if (core::answered(s.status)) return nullptr;
  return core::to_string(s.status);
}

}  // namespace

std::int64_t sample_id(std::int64_t target_id, util::SysMicros ts) {
  if (ts < k_id_epoch || target_id < 1 || target_id > k_max_target_id) return 0;
  const auto units = (ts - k_id_epoch) / k_id_resolution;
  if (units > k_max_units) return 0;
  return (units << k_target_bits) | target_id;
}

std::optional<SampleKey> sample_key(std::int64_t id) {
  if (id <= 0 || (id >> k_target_bits) > k_max_units || (id & k_max_target_id) == 0) return std::nullopt;
  return SampleKey{id & k_max_target_id, k_id_epoch + (id >> k_target_bits) * k_id_resolution};
}

core::Json metric_json(const core::Target& target, const core::Sample& sample) {
  const auto ts = util::format_iso_utc(sample.ts);
  return {
      {"id", sample_id(target.id, sample.ts)},
      {"timestamp", ts},
      {"target_host", target.name},
      {"response_time_ms", core::rtt_ms(sample.rtt)},
      {"packet_loss", !core::answered(sample.status)},
      {"error_message", error_message(sample)},
      {"created_at", ts},
  };
}

core::Json result_json(const core::Target& target, const core::Sample& sample) {
  return {
      {"host", target.name},
      {"response_time_ms", core::rtt_ms(sample.rtt)},
      {"packet_loss", !core::answered(sample.status)},
      {"timestamp", util::format_iso_utc(sample.ts)},
      {"error_message", error_message(sample)},
  };
}

Expected<std::vector<core::Target>> resolve_host(const store::Database& db, std::string_view host) {
  auto live = store::targets::list(db);
  if (!live) return std::unexpected(live.error());
  for (const auto& t : *live) {
    if (t.name == host) return std::vector<core::Target>{t};
  }
  std::vector<core::Target> out;
  std::copy_if(live->begin(), live->end(), std::back_inserter(out), [&](const auto& t) { return t.host == host; });
  if (out.empty()) return unknown_host(host);
  return out;
}

Expected<std::vector<core::Target>> data_targets(const store::Database& db, std::string_view host) {
  auto live = resolve_host(db, host);
  if (live || live.error().kind != ErrorKind::not_found) return live;
  auto all = store::targets::list(db, /*include_removed=*/true);
  if (!all) return std::unexpected(all.error());
  std::vector<core::Target> out;
  std::copy_if(all->begin(), all->end(), std::back_inserter(out),
               [&](const auto& t) { return t.removed_at && t.name == host; });
  if (out.empty()) return unknown_host(host);
  return out;
}

Expected<std::vector<core::Target>> filter_targets(const store::Database& db, const std::optional<std::string>& host) {
  if (!host) return store::targets::list(db, /*include_removed=*/true);
  auto found = data_targets(db, *host);
  if (!found && found.error().kind == ErrorKind::not_found) return std::vector<core::Target>{};
  return found;
}

Expected<std::vector<core::Target>> monitored_targets(const store::Database& db) {
  auto live = store::targets::list(db);
  if (!live) return std::unexpected(live.error());
  std::erase_if(*live, [](const auto& t) { return t.paused; });
  return live;
}

Expected<std::vector<std::string>> monitored_hosts(const store::Database& db) {
  auto targets = monitored_targets(db);
  if (!targets) return std::unexpected(targets.error());
  std::vector<std::string> names;
  for (const auto& t : *targets) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  return names;
}

core::Json ping_interval_seconds(const std::vector<core::Target>& targets) {
  if (targets.empty()) return nullptr;
  auto shortest = std::min_element(targets.begin(), targets.end(), [](const auto& a, const auto& b) {
                    return a.interval < b.interval;
                  })->interval;
  if (shortest % std::chrono::seconds{1} == util::Micros{}) {
    return std::chrono::duration_cast<std::chrono::seconds>(shortest).count();
  }
  return static_cast<double>(util::to_ms(shortest)) / 1000.0;
}

Expected<core::Json> latest_metrics(ServeState& state) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto live = store::targets::list(**db);
  if (!live) return std::unexpected(live.error());
  std::vector<std::int64_t> ids;
  ids.reserve(live->size());
  for (const auto& t : *live) ids.push_back(t.id);
  auto latest = store::seed_samples::latest(**db, ids);
  if (!latest) return std::unexpected(latest.error());
  core::Json out = core::Json::object();
  auto sample = latest->begin();
  for (const auto& t : *live) {
    if (sample == latest->end()) break;
    if (sample->target_id != t.id) continue;
    out[t.name] = metric_json(t, *sample);
    ++sample;
  }
  return out;
}

Expected<core::Json> host_summary(ServeState& state, std::string_view host, std::int64_t hours) {
  if (hours < 1 || hours > 168) return invalid_input(fmt::format("'hours' must be between 1 and 168, got {}", hours));
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto targets = data_targets(**db, host);
  if (!targets) return std::unexpected(targets.error());
  const auto to = state.clock();
  const auto from = to - std::chrono::hours{hours};
  auto stats = window_stats(**db, *targets, from, to);
  if (!stats) return std::unexpected(stats.error());
  std::optional<util::SysMicros> first;
  std::optional<util::SysMicros> last;
  for (const auto& t : *targets) {
    for (bool newest : {false, true}) {
      auto edge = store::samples::select(
          **db, {.target_id = t.id, .since = from, .until = to, .limit = 1, .newest_first = newest});
      if (!edge) return std::unexpected(edge.error());
      if (edge->empty()) continue;
      const auto ts = edge->front().ts;
      if (newest) {
        last = last ? std::max(*last, ts) : ts;
      } else {
        first = first ? std::min(*first, ts) : ts;
      }
    }
  }
  core::Json out = {{"host", host}, {"hours_analyzed", hours}, {"minutes_analyzed", hours * 60}};
  add_stats_fields(out, *stats, /*with_losses=*/true);
  out["first_ping"] = first ? core::Json(util::format_iso_utc(*first)) : core::Json(nullptr);
  out["last_ping"] = last ? core::Json(util::format_iso_utc(*last)) : core::Json(nullptr);
  return out;
}

}  // namespace pk::serve::seed
