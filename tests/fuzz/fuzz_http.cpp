// HTTP requests as a client sends them: raw bytes through Beast's parser with
// the server's limits, then what HttpSession and respond() do before a
// handler runs: the Host field rules, serve::to_request, the browser and
// access checks, a CORS preflight and the route table (seed, v1, metrics).
// Handlers are not called: they need a database. Invariants: the security
// checks let nothing through that their contracts refuse.
#include "fuzz_target.hpp"
#include "serve/http_session.hpp"
#include "serve/router.hpp"
#include "serve/security.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace {

namespace http = boost::beast::http;
using namespace pk::serve;

constexpr std::string_view k_token = "fuzz-token-0123456789abcdef";

const Router& routes() {
  static const Router router = [] {
    Router r;
    add_seed_routes(r);
    add_v1_routes(r);
    add_metrics_routes(r);
    return r;
  }();
  return router;
}

// Server options from one selector byte: tokens (for writes, or for
// everything), --insecure, --read-only, a CORS allow-list, a public listen.
ServeOptions options_from(std::uint8_t bits) {
  ServeOptions o;
  if ((bits & 0x01) != 0) o.tokens = {std::string(k_token)};
  o.token_reads = (bits & 0x02) != 0;
  o.insecure = (bits & 0x04) != 0;
  o.read_only = (bits & 0x08) != 0;
  if ((bits & 0x10) != 0) o.cors_origins = {"https://dash.example"};
  if ((bits & 0x20) != 0) o.cors_origins.push_back("*");
  if ((bits & 0x40) != 0) o.listen = "0.0.0.0:8080";
  return o;
}

// The request, parsed as HttpSession's parser does with the default limits;
// false when Beast refuses it or it is incomplete.
bool parse(std::string_view bytes, http::request_parser<http::string_body>& parser) {
  const ServeOptions defaults;
  parser.header_limit(static_cast<std::uint32_t>(defaults.max_header));
  parser.body_limit(defaults.max_body);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!bytes.empty() && !parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == http::error::need_more && used == 0) break;
    if (ec && ec != http::error::need_more) return false;
    bytes.remove_prefix(used);
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);  // the client closed: a body up to EOF ends here
    if (ec || !parser.is_done()) return false;
  }
  return true;
}

void check_security(const Request& r, const ServeOptions& o, bool upgrade) {
  const auto refused = check_browser(r, o, upgrade);
  const auto host = r.header("host");
  const bool reads_need_token = !o.tokens.empty() && o.token_reads;
  if (!refused && !host.empty() && !reads_need_token && !o.insecure && is_loopback_listen(o.listen)) {
    PK_FUZZ_CHECK(is_loopback_host(host));  // DNS rebinding stays out
  }
  const auto denied = check_access(r, o);
  if (!denied && !o.tokens.empty() && (is_mutating(r.method) || o.token_reads)) {
    PK_FUZZ_CHECK(r.header("authorization").find(k_token) != std::string::npos);
  }
  if (!denied && o.read_only) PK_FUZZ_CHECK(!is_mutating(r.method));
  if (denied) PK_FUZZ_CHECK(denied->status == 401 || denied->status == 403);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pk::fuzz::Input in(data, size);
  const auto options = options_from(in.byte());
  http::request_parser<http::string_body> parser;
  if (!parse(in.rest_text(), parser)) return 0;
  const auto& request = parser.get();
  if (check_host_fields(request.count(http::field::host), request.version())) return 0;
  auto r = to_request(request);
  if (!r) return 0;
  const bool upgrade = boost::beast::websocket::is_upgrade(request);
  check_security(*r, options, upgrade);
  if (r->method == Method::options && !r->header("origin").empty()) (void)preflight(*r, options);
  auto match = routes().match(r->method, r->path);
  if (match.handler != nullptr) {
    PK_FUZZ_CHECK(std::find(match.allowed.begin(), match.allowed.end(), r->method) != match.allowed.end());
    // A matched {name} stands for one whole, non-empty segment of the path.
    for (const auto& [name, value] : match.params) PK_FUZZ_CHECK(!value.empty() && value.find('/') == std::string::npos);
  }
  Response response;
  add_cors_headers(*r, options, response);
  return 0;
}
