#include "serve/router.hpp"

namespace pk::serve {

void add_seed_routes(Router& /*router*/) {}

}  // namespace pk::serve
