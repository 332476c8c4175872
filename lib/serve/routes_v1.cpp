#include "serve/router.hpp"

namespace pk::serve {

void add_v1_routes(Router& /*router*/) {}

}  // namespace pk::serve
