#pragma once

#include "core/json.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The seed 000 surface ("WiFi Performance Tracker" API) over pingkeeper's
// store: the JSON shapes and questions the HTTP routes (routes_seed.cpp) and
// the WebSocket session share. A seed "host" is a target: its name (which is
// its address unless it was given another name); a host address given where
// no target has that name means the live targets with that address.
namespace pk::serve::seed {

// The integer id of a sample: the target id and the sample's millisecond
// (targets are probed at most every 100 ms), so it round-trips through
// sample_key. Ids grow with time.
std::int64_t sample_id(std::int64_t target_id, util::SysMicros ts);
struct SampleKey {
  std::int64_t target_id = 0;
  util::SysMicros from{};  // the sample's millisecond [from, from + 1 ms)
};
// nullopt when `id` cannot be a sample id (negative, target id 0).
std::optional<SampleKey> sample_key(std::int64_t id);

// PingMetricResponse: id, timestamp, target_host, response_time_ms,
// packet_loss, error_message, created_at.
core::Json metric_json(const core::Target& target, const core::Sample& sample);
// A live result (ping_result's "result", /live's and initial_data's values):
// host, response_time_ms, packet_loss, timestamp, error_message.
core::Json result_json(const core::Target& target, const core::Sample& sample);

// The live targets a seed host names (see above); not_found when none.
Expected<std::vector<core::Target>> resolve_host(const store::Database& db, std::string_view host);

// The monitored hosts: names of live, unpaused targets, sorted.
Expected<std::vector<std::string>> monitored_hosts(const store::Database& db);

// GET /ping-metrics/latest's body: the latest stored sample per target, keyed by host.
Expected<core::Json> latest_metrics(ServeState& state);

// GET /ping-metrics/hosts/{host}/summary's body; invalid_input (422) when
// hours is outside 1-168, not_found (404) for an unknown host.
Expected<core::Json> host_summary(ServeState& state, std::string_view host, std::int64_t hours);

}  // namespace pk::serve::seed
