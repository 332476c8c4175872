#pragma once

#include "serve/http.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pk::serve {

struct ServeState;

// A route handler: runs on a server thread, may block on the database
// (briefly), never throws for expected failures (it answers error_response).
using Handler = std::function<Response(const Request&, ServeState&)>;

// Maps (method, path) to handlers. Patterns are absolute paths whose
// segments are literals or {name}; a trailing slash is ignored on both sides
// ("/api/ping-metrics/" matches "/api/ping-metrics"). When several patterns
// match, the one with more literal segments wins ("/x/latest" before "/x/{id}").
class Router {
 public:
  void add(Method method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // nullptr: nothing for this method
    std::map<std::string, std::string> params;
    std::vector<Method> allowed;  // methods the path has (405 + Allow when handler is nullptr)
  };
  // The best route for the request; handler nullptr and allowed empty: 404.
  Match match(Method method, std::string_view path) const;

  // Every registered (method, pattern), in registration order (openapi, tests).
  std::vector<std::pair<Method, std::string>> routes() const;

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;
    int literals = 0;
    Handler handler;
  };
  std::vector<Route> m_routes;
};

// Wraps the handler of long work (a traceroute, an export, a cleanup): at
// most ServeOptions::max_slow_requests run at once, more answer 503 with
// Retry-After, so long requests never hold every server thread.
Handler slow(Handler handler);

// Wraps the handler of a read-only GET route whose answer depends only on the
// database, the query, the Accept field and the clock: its 200 answers are
// kept in ServeState::cache (response_cache.hpp) for the requests that repeat
// them.
Handler cached(Handler handler);

// Wraps a handler that reads only the query parameters `names`: a request
// with any other one answers 422 naming it and the ones the route takes, as
// an unknown field of a JSON body does (a misspelt "sinec" must not silently
// mean the default range).
Handler takes(std::vector<std::string> names, Handler handler);

// Route groups, each in its own file.
void add_seed_routes(Router& router);     // seed 000 surface under /api (routes_seed.cpp)
void add_v1_routes(Router& router);       // native /api/v1 (routes_v1*.cpp)
void add_metrics_routes(Router& router);  // GET /metrics (metrics.cpp)

}  // namespace pk::serve
