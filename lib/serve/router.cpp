#include "serve/router.hpp"

#include "serve/state.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::serve {

namespace {

// "/a/b/" -> {"a", "b"}; "/" -> {}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(Method method, std::string pattern, Handler handler) {
  Route route{method, std::move(pattern), {}, 0, std::move(handler)};
  for (auto s : split_path(route.pattern)) {
    route.segments.emplace_back(s);
    if (!is_param(s)) ++route.literals;
  }
  m_routes.push_back(std::move(route));
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match best;
  int best_literals = -1;
  auto segments = split_path(path);
  for (const auto& route : m_routes) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const auto& p = route.segments[i];
      if (is_param(p)) {
        if (segments[i].empty()) ok = false;
        params[p.substr(1, p.size() - 2)] = std::string(segments[i]);
      } else {
        ok = p == segments[i];
      }
    }
    if (!ok) continue;
    if (std::find(best.allowed.begin(), best.allowed.end(), route.method) == best.allowed.end()) {
      best.allowed.push_back(route.method);
    }
    if (route.method == method && route.literals > best_literals) {
      best_literals = route.literals;
      best.handler = &route.handler;
      best.params = std::move(params);
    }
  }
  return best;
}

Handler slow(Handler handler) {
  return [handler = std::move(handler)](const Request& request, ServeState& state) {
    auto& running = state.counters.slow_in_flight;
    if (running.fetch_add(1) >= state.options.max_slow_requests) {
      --running;
      auto r = error_response(503,
                              "the server is busy with other long requests (traceroute, export, cleanup); "
                              "try again in a few seconds");
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    struct Release {
      std::atomic<int>& n;
      ~Release() { --n; }
    } release{running};
    return handler(request, state);
  };
}

Handler cached(Handler handler) {
  return [handler = std::move(handler)](const Request& request, ServeState& state) {
    const auto generation = state.cache.generation();
    const auto started = ResponseCache::Clock::now();
    auto key = cache_key(request);
    try {
      auto response = handler(request, state);
      state.cache.store(key, generation, started, response);
      return response;
    } catch (...) {
      state.cache.abandon(key);  // a refresh this was releases its claim
      throw;
    }
  };
}

std::vector<std::pair<Method, std::string>> Router::routes() const {
  std::vector<std::pair<Method, std::string>> out;
  out.reserve(m_routes.size());
  for (const auto& r : m_routes) out.emplace_back(r.method, r.pattern);
  return out;
}

Handler takes(std::vector<std::string> names, Handler handler) {
  return [names = std::move(names), handler = std::move(handler)](const Request& r, ServeState& state) {
    for (const auto& [name, value] : r.query) {
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      return error_response(422, names.empty() ? fmt::format("unknown query parameter '{}': this route takes none", name)
                                               : fmt::format("unknown query parameter '{}': this route takes {}", name,
                                                             util::join(names, ", ")));
    }
    return handler(r, state);
  };
}

}  // namespace pk::serve
