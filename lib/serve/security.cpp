#include "serve/security.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace pk::serve {

bool is_mutating(Method method) {
  return method == Method::post || method == Method::put || method == Method::patch || method == Method::del;
}

namespace {

// Compares without an early exit, so the time taken says nothing about
// where a guess went wrong.
bool same_token(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned x = static_cast<unsigned char>(a[i]);
    unsigned y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0U;
    diff |= x ^ y;
  }
  return diff == 0;
}

bool has_valid_token(const Request& request, const ServeOptions& options) {
  std::string auth = request.header("authorization");
  constexpr std::string_view k_bearer = "bearer ";
  if (auth.size() <= k_bearer.size() || util::to_lower(std::string_view(auth).substr(0, k_bearer.size())) != k_bearer) {
    return false;
  }
  std::string_view given = std::string_view(auth).substr(k_bearer.size());
  bool ok = false;
  for (const auto& token : options.tokens) ok |= same_token(given, token);
  return ok;
}

}  // namespace

std::optional<Response> check_access(const Request& request, const ServeOptions& options) {
  bool mutating = is_mutating(request.method);
  if (!options.tokens.empty() && (mutating || options.token_reads) && !has_valid_token(request, options)) {
    auto r = error_response(401, request.header("authorization").empty()
                                     ? "this request needs a bearer token (Authorization: Bearer ...)"
                                     : "the bearer token is not valid");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (mutating && options.read_only) {
    return error_response(403, "this server is read-only (serve --read-only): nothing can be changed through it");
  }
  return std::nullopt;
}

namespace {

// Is `port` empty or ":digits"?
bool is_port_suffix(std::string_view port) {
  if (port.empty()) return true;
  return port.size() >= 2 && port.size() <= 6 && port.front() == ':' &&
         std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host.starts_with('[')) {
    auto end = host.find(']');
    return end != std::string_view::npos && host.substr(1, end - 1) == "::1" && is_port_suffix(host.substr(end + 1));
  }
  const auto colon = host.find(':');
  if (colon != std::string_view::npos && !is_port_suffix(host.substr(colon))) return false;
  const std::string lower = util::to_lower(host.substr(0, colon));
  if (lower == "localhost" || lower.ends_with(".localhost")) return true;
  if (!lower.starts_with("127.")) return false;
  return std::all_of(lower.begin(), lower.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::optional<Response> check_browser(const Request& request, const ServeOptions& options, bool upgrade) {
  std::string origin = request.header("origin");
  if (!origin.empty() && (upgrade || is_mutating(request.method)) && !origin_allowed(origin, options)) {
    return error_response(403, "requests from this web page's origin are not allowed (serve --cors-origin)");
  }
  // A page of another name that resolves to 127.0.0.1 (DNS rebinding) can
  // read whatever needs no token: keep to localhost names unless every
  // request needs a token.
  const bool reads_need_token = !options.tokens.empty() && options.token_reads;
  std::string host = request.header("host");
  if (!host.empty() && !reads_need_token && !options.insecure && is_loopback_listen(options.listen) &&
      !is_loopback_host(host)) {
    return error_response(403,
                          "this server answers only to localhost names (a Host of another name may be a DNS "
                          "rebinding page; use --token-file with --token-reads, or --insecure, to serve other "
                          "names)");
  }
  return std::nullopt;
}

std::optional<Response> check_host_fields(std::size_t host_fields, unsigned version) {
  if (host_fields > 1) return error_response(400, "the request has more than one Host header field");
  if (host_fields == 0 && version >= 11) return error_response(400, "an HTTP/1.1 request needs a Host header field");
  return std::nullopt;
}

bool origin_allowed(std::string_view origin, const ServeOptions& options) {
  if (origin.empty()) return false;
  return std::any_of(options.cors_origins.begin(), options.cors_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

Response preflight(const Request& request, const ServeOptions& options) {
  std::string origin = request.header("origin");
  if (!origin_allowed(origin, options)) {
    return error_response(403, "this origin is not allowed (serve --cors-origin)");
  }
  Response r;
  r.status = 204;
  r.content_type.clear();
  r.headers.emplace_back("Access-Control-Allow-Origin", origin);
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  r.headers.emplace_back("Vary", "Origin");
  return r;
}

void add_cors_headers(const Request& request, const ServeOptions& options, Response& response) {
  std::string origin = request.header("origin");
  if (!origin_allowed(origin, options)) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", origin);
  response.headers.emplace_back("Access-Control-Expose-Headers", "Content-Disposition, X-Next-Cursor");
  response.headers.emplace_back("Vary", "Origin");
}

Expected<std::vector<std::string>> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorKind::io, fmt::format("cannot read the token file {}", path));
  std::vector<std::string> tokens;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string token(util::trim(line));
    if (token.empty() || token.front() == '#') continue;
    if (token.size() < 16) {
      return invalid_input(fmt::format("{} line {}: a token must be at least 16 characters long", path, number));
    }
    if (token.find_first_of(" \t") != std::string::npos) {
      return invalid_input(fmt::format("{} line {}: a token cannot contain spaces", path, number));
    }
    tokens.push_back(std::move(token));
  }
  if (tokens.empty()) return invalid_input(fmt::format("{} holds no token (one per line)", path));
  return tokens;
}

bool is_loopback_listen(std::string_view listen) {
  auto colon = listen.rfind(':');
  std::string_view host = colon == std::string_view::npos ? listen : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace pk::serve
