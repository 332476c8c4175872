// JSON request bodies of the seed and v1 routes: POST/PATCH /api/v1/targets
// and /api/v1/jobs (v1::json_object_body, target_options, job_options), POST
// /api/ping-metrics (seed::create_metric) and POST /api/v1/traceroute (its
// handler). The last two parse in file-local functions, so they run through
// their entry points against a database path that cannot be opened: every
// body is parsed and validated, and one that passes fails at the database,
// before anything is stored, resolved or sent.
#include "fuzz_target.hpp"
#include "serve/router.hpp"
#include "serve/seed_write.hpp"
#include "serve/state.hpp"
#include "serve/v1_body.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace {

using namespace pk::serve;

// /proc refuses new files even to root: the database never opens.
constexpr const char* k_no_database = "/proc/pk-fuzz-no-such-dir/none.db";

ServeState& state() {
  static const auto s = [] {
    ServeOptions o;
    o.db_path = k_no_database;
    o.collect = false;
    return std::make_unique<ServeState>(std::move(o));
  }();
  return *s;
}

const Handler& traceroute_handler() {
  static const Router router = [] {
    Router r;
    add_v1_routes(r);
    return r;
  }();
  static const Handler* handler = router.match(Method::post, "/api/v1/traceroute").handler;
  if (handler == nullptr) pk::fuzz::fail("no POST /api/v1/traceroute route", __FILE__, __LINE__);
  return *handler;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Request r;
  r.method = Method::post;
  r.headers["content-type"] = "application/json";
  r.body = std::string(pk::fuzz::as_text(data, size));

  if (auto body = v1::json_object_body(r)) {
    PK_FUZZ_CHECK(body->is_object());
    for (bool edit : {false, true}) {
      if (auto t = v1::target_options(*body, edit); !t) PK_FUZZ_CHECK(t.error().status >= 400);
      if (auto j = v1::job_options(*body, edit); !j) PK_FUZZ_CHECK(j.error().status >= 400);
    }
  } else {
    PK_FUZZ_CHECK(body.error().status == 400);
  }

  const auto metric = seed::create_metric(state(), r.body);
  PK_FUZZ_CHECK(!metric.has_value());  // parsing fails, or the database does

  r.path = "/api/v1/traceroute";
  r.target = r.path;
  const auto answer = traceroute_handler()(r, state());
  PK_FUZZ_CHECK(answer.status >= 400);
  return 0;
}
