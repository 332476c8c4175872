#pragma once

#include "core/json.hpp"
#include "serve/router.hpp"

#include <string_view>

// The native API's route groups (routes_v1_*.cpp), each adding its routes
// under k_v1; add_v1_routes (routes_v1.cpp) adds them all, GET /api/v1/health
// and GET /api/openapi.json.
namespace pk::serve::v1 {

inline constexpr std::string_view k_v1 = "/api/v1";

void add_target_routes(Router& router);  // /targets, /targets/{t}, pause, resume
void add_job_routes(Router& router);     // /jobs, /jobs/{j}, start, stop, runs
void add_data_routes(Router& router);    // samples, latest, stats, downtime, series
void add_trace_routes(Router& router);   // POST /traceroute, /targets/{t}/traces
void add_export_routes(Router& router);  // /export

// The OpenAPI 3.0 document of every /api/v1 route (GET /api/openapi.json).
const core::Json& openapi_document();

}  // namespace pk::serve::v1
