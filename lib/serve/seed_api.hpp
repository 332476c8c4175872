#pragma once

#include "core/json.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
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

// The integer id of a sample: (10 ms units since 2020-01-01T00:00:00Z) << 16
// | target id. Ids fit in 53 bits, so JavaScript clients (numbers are
// doubles) keep them exact; they round-trip through sample_key and grow with
// time. Limits: target ids 1 .. 65,535 and sample times from 2020-01-01 to
// 2063-07-21T06:52:14.72Z (2^37 units); outside them a sample has no id and
// sample_id returns 0, which sample_key refuses. Two samples of one target
// in the same 10 ms share an id, which names the first (the collector probes
// a target at most every 100 ms; POST /api/ping-metrics picks a free unit).
inline constexpr util::Micros k_id_resolution = std::chrono::milliseconds{10};
std::int64_t sample_id(std::int64_t target_id, util::SysMicros ts);
struct SampleKey {
  std::int64_t target_id = 0;
  util::SysMicros from{};  // the sample's unit [from, from + k_id_resolution)
};
// nullopt when `id` cannot be a sample id (not positive, above 2^53 - 1, target id 0).
std::optional<SampleKey> sample_key(std::int64_t id);

// PingMetricResponse: id, timestamp, target_host (the target's name),
// response_time_ms, packet_loss (the host did not answer), error_message (the
// sample's detail, else for a loss its status: "timeout", ...; else null),
// created_at (= timestamp: samples keep one time).
core::Json metric_json(const core::Target& target, const core::Sample& sample);
// A live result (ping_result's "result", /live's and initial_data's values):
// host, response_time_ms, packet_loss, timestamp, error_message.
core::Json result_json(const core::Target& target, const core::Sample& sample);

// The live targets a seed host names (see above); not_found when none.
Expected<std::vector<core::Target>> resolve_host(const store::Database& db, std::string_view host);

// The targets whose data a seed host names: those of resolve_host, else the
// retired targets (removed with their data kept) of that name; not_found
// when none.
Expected<std::vector<core::Target>> data_targets(const store::Database& db, std::string_view host);

// The targets a `host` filter of the seed's listings selects: every target
// (retired ones too) without a filter; the host's data_targets with one; none
// for an unknown host (its listing is empty, as a filter that matches nothing).
Expected<std::vector<core::Target>> filter_targets(const store::Database& db, const std::optional<std::string>& host);

// The monitored targets: live and unpaused, by name.
Expected<std::vector<core::Target>> monitored_targets(const store::Database& db);

// The monitored hosts: names of live, unpaused targets, sorted.
Expected<std::vector<std::string>> monitored_hosts(const store::Database& db);

// The smallest interval of `targets` in seconds (an integer when whole, as
// 1; else 0.5); null when there are none.
core::Json ping_interval_seconds(const std::vector<core::Target>& targets);

// GET /ping-metrics/latest's body: the latest stored sample per live target
// (paused ones too; none for a target without samples), keyed by host.
Expected<core::Json> latest_metrics(ServeState& state);

// GET /ping-metrics/hosts/{host}/summary's body; invalid_input (422) when
// hours is outside 1-168, not_found (404) for an unknown host.
Expected<core::Json> host_summary(ServeState& state, std::string_view host, std::int64_t hours);

}  // namespace pk::serve::seed
