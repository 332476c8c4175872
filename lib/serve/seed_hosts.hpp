#pragma once

#include "core/json.hpp"
#include "serve/state.hpp"
#include "util/expected.hpp"

#include <string_view>

// The seed 000 host management: monitoring a host means a live, unpaused
// target. Nothing here deletes data.
namespace pk::serve::seed {

// POST /ping-metrics/hosts/{host}/add: resumes the paused target named
// `host`, or adds an ICMP target with that host (named after it) when no live
// target has that name; a monitored one is left alone. invalid_input (422)
// when `host` is not a valid host. {"message", "current_hosts"}.
Expected<core::Json> add_host(ServeState& state, std::string_view host);

// DELETE /ping-metrics/hosts/{host}: pauses the host's targets (resolve_host),
// keeping their data; not_found (404) for an unknown host.
// {"message", "current_hosts"}.
Expected<core::Json> remove_host(ServeState& state, std::string_view host);

}  // namespace pk::serve::seed
