#pragma once

#include "core/json.hpp"
#include "serve/http.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"
#include "util/expected.hpp"

// Pieces the seed 000 route files (routes_seed*.cpp) share.
namespace pk::serve::seed {

// 200 with the body, or the error's status (error_response).
Response answer(const Expected<core::Json>& body);

// Is a collector running (state.monitor)?
bool monitoring_active(const ServeState& state);

// The root, health, host management, monitoring control and cleanup routes
// (routes_seed_control.cpp); add_seed_routes adds them with the metric routes.
void add_control_routes(Router& router);

}  // namespace pk::serve::seed
