#pragma once

#include "core/json.hpp"
#include "serve/state.hpp"
#include "util/expected.hpp"

#include <string_view>

namespace pk::serve::seed {

// The largest response_time_ms a posted metric may have: the longest probe
// timeout (core::k_max_timeout).
inline constexpr double k_max_posted_rtt_ms = 60'000.0;

// POST /ping-metrics: stores the PingMetricCreate `body` ({"target_host",
// "response_time_ms", "packet_loss", "error_message"}) as a sample of the
// host's target (resolve_host; a host no live target has gets a new PAUSED
// target named after it, so nothing starts probing it) at the server's now,
// moved to the next 10 ms unit (seed::k_id_resolution) the target has no
// sample in, so its id is its own. A received metric needs response_time_ms (0 to 60,000); a lost one
// (packet_loss true) must not have one. invalid_input (422), naming the
// field, on a body that is not a JSON object, a missing target_host, a field
// of the wrong type, an invalid host, or a host that names several targets.
// {"id", "message", "metric": the fields as posted}.
Expected<core::Json> create_metric(ServeState& state, std::string_view body);

}  // namespace pk::serve::seed
