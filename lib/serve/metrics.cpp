#include "serve/router.hpp"

namespace pk::serve {

void add_metrics_routes(Router& /*router*/) {}

}  // namespace pk::serve
