#pragma once

// A temp database with target "lo" (query_data.hpp), a ServeState on it and
// a Router with the native API, for test_serve_v1*.cpp: requests go straight
// to the handlers, no socket.

#include "query_data.hpp"

#include "core/json.hpp"
#include "serve/http.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"

#include <doctest/doctest.h>

#include <string>

namespace pk::test {

inline serve::ServeOptions serve_options(const std::string& db_path) {
  serve::ServeOptions o;
  o.db_path = db_path;
  return o;
}

struct V1Api : QueryDb {
  // The server's "now": a day after the start of the history.
  static inline const util::SysMicros k_now = k_monday + std::chrono::hours{25};

  serve::ServeState state{serve_options(dir.file("q.db"))};
  serve::Router router;

  V1Api() {
    serve::add_v1_routes(router);
    state.clock = [] { return k_now; };
  }

  // Answers `url` ("/api/v1/...?query") as the server would.
  serve::Response call(serve::Method method, const std::string& url, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {}) {
    auto split = serve::split_target(url);
    REQUIRE(split);
    serve::Request r;
    r.method = method;
    r.path = split->first;
    r.query = split->second;
    r.body = body;
    r.headers = headers;
    auto match = router.match(method, r.path);
    REQUIRE_MESSAGE(match.handler != nullptr, url);
    r.params = match.params;
    return (*match.handler)(r, state);
  }

  serve::Response get(const std::string& url) { return call(serve::Method::get, url); }

  // The JSON body of a response with status `status`.
  static core::Json json(const serve::Response& r, int status = 200) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.content_type == "application/json");
    return core::Json::parse(r.body);
  }

  // The detail of an error response with status `status`.
  static std::string detail(const serve::Response& r, int status) {
    INFO(r.body);
    CHECK(r.status == status);
    return core::Json::parse(r.body).at("detail").get<std::string>();
  }
};

}  // namespace pk::test
