#include "serve/metrics_text.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"

namespace pk::serve {

void add_metrics_routes(Router& router) {
  router.add(Method::get, "/metrics", [](const Request&, ServeState& state) {
    Response r;
    r.content_type = std::string(prom::k_content_type);
    r.body = state.targets.render(state);
    return r;
  });
}

}  // namespace pk::serve
