#pragma once

#include "core/job_options.hpp"
#include "core/json.hpp"
#include "core/target_options.hpp"
#include "serve/http.hpp"
#include "serve/v1_params.hpp"

// Request bodies of POST / PATCH /api/v1/targets and /api/v1/jobs: JSON
// objects whose fields are the CLI's option names, turned into the options
// the CLI fills (core::TargetOptions, core::JobOptions), so both validate the
// same way. Durations are text ("1s", "250ms") or a number of milliseconds.
namespace pk::serve::v1 {

// The body as a JSON object: 400 when it is not JSON, or not an object.
Reply<core::Json> json_object_body(const Request& r);

// Target fields: name, host (required to add), interval, timeout, probe
// (icmp|tcp), port, size, description, tags ({"k": "v"} or ["k=v"]),
// family (any|ipv4|ipv6|4|6), paused, job_only (booleans); to edit also
// untag (["key"]). 422 naming the field for an unknown field or a value of
// the wrong type.
Reply<core::TargetOptions> target_options(const core::Json& body, bool edit);

// Job fields: name, targets (["t1"] or "t1,t2"), interval, count, start, end
// (a time, or "none" to clear on edit), windows ("mon-fri 09:00-17:00" or a
// list of such), tz, metrics ("rtt,loss" or a list), path_every,
// description; to edit also add_targets and remove_targets. The name is
// required to add and renames on edit. 422 as for targets.
Reply<core::JobOptions> job_options(const core::Json& body, bool edit);

}  // namespace pk::serve::v1
