// Placeholder for the lead's build until the seed branch lands (it replaces this file).
#include "serve/seed_api.hpp"

#include "store/targets.hpp"

namespace pk::serve::seed {

std::int64_t sample_id(std::int64_t target_id, util::SysMicros ts) {
  return ((util::to_epoch_us(ts) / 1000 - 1577836800000) << 22) | target_id;
}
std::optional<SampleKey> sample_key(std::int64_t) { return std::nullopt; }

core::Json metric_json(const core::Target& target, const core::Sample& sample) { return result_json(target, sample); }

core::Json result_json(const core::Target& target, const core::Sample& sample) {
  return {{"host", target.name},
          {"response_time_ms", core::rtt_ms(sample.rtt)},
          {"packet_loss", !core::answered(sample.status)},
          {"timestamp", util::format_iso_utc(sample.ts)},
          {"error_message", nullptr}};
}

Expected<std::vector<core::Target>> resolve_host(const store::Database& db, std::string_view host) {
  auto t = store::targets::find(db, host);
  if (!t) return std::unexpected(t.error());
  return std::vector<core::Target>{*t};
}

Expected<std::vector<std::string>> monitored_hosts(const store::Database& db) {
  auto list = store::targets::list(db);
  if (!list) return std::unexpected(list.error());
  std::vector<std::string> out;
  for (const auto& t : *list) out.push_back(t.name);
  return out;
}

Expected<core::Json> latest_metrics(ServeState&) { return core::Json::object(); }
Expected<core::Json> host_summary(ServeState&, std::string_view, std::int64_t) { return core::Json::object(); }

}  // namespace pk::serve::seed
