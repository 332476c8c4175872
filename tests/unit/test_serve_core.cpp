#include "serve/http.hpp"
#include "serve/router.hpp"
#include "serve/security.hpp"
#include "serve/server.hpp"
#include "serve/ws_protocol.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

using namespace pk::serve;

TEST_CASE("serve.http: split_target decodes the path and the query") {
  auto t = split_target("/api/x%20y/?a=1&b=two+words&c=%2F&&d&e=");
  REQUIRE(t);
  CHECK(t->first == "/api/x y/");
  REQUIRE(t->second.size() == 5);
  CHECK(t->second[0] == std::pair<std::string, std::string>{"a", "1"});
  CHECK(t->second[1].second == "two words");
  CHECK(t->second[2].second == "/");
  CHECK(t->second[3] == std::pair<std::string, std::string>{"d", ""});
  CHECK(t->second[4] == std::pair<std::string, std::string>{"e", ""});
  CHECK_FALSE(split_target(""));
  CHECK_FALSE(split_target("nopath"));
  CHECK_FALSE(split_target("/a%2"));
  CHECK_FALSE(split_target("/a%zz"));
  CHECK_FALSE(split_target("/a%00b"));
  CHECK_FALSE(split_target("/a?x=%g1"));
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
}

TEST_CASE("serve.http: int_param checks type and range and names the parameter") {
  Request r;
  r.query = {{"hours", "12"}, {"bad", "12x"}, {"neg", "-3"}, {"empty", ""}};
  CHECK(int_param(r, "hours", 1, 168).value() == 12);
  CHECK_FALSE(int_param(r, "absent", 1, 168).value().has_value());
  auto bad = int_param(r, "bad", 1, 168);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "query parameter 'bad' must be an integer, got '12x'");
  auto neg = int_param(r, "neg", 1, 168);
  REQUIRE_FALSE(neg);
  CHECK(neg.error().message == "query parameter 'neg' must be between 1 and 168, got -3");
  CHECK_FALSE(int_param(r, "empty", 0, 1));
}

TEST_CASE("serve.http: errors map to statuses and never show internals") {
  CHECK(error_response(pk::Error{pk::ErrorKind::invalid_input, "bad hours"}).status == 422);
  CHECK(error_response(pk::Error{pk::ErrorKind::not_found, "no host"}).status == 404);
  CHECK(error_response(pk::Error{pk::ErrorKind::busy, "collector"}).status == 409);
  CHECK(error_response(pk::Error{pk::ErrorKind::permission, "no"}).status == 403);
  auto db = error_response(pk::Error{pk::ErrorKind::database, "SELECT * FROM samples: /var/lib/pk.db locked"});
  CHECK(db.status == 500);
  CHECK(db.body.find("SELECT") == std::string::npos);
  CHECK(db.body.find("/var/lib") == std::string::npos);
  CHECK(error_response(404, "x").body == R"({"detail":"x"})");
}

TEST_CASE("serve.router: literal segments win, params are captured, 405 lists the methods") {
  Router router;
  router.add(Method::get, "/api/m/{id}",
             [](const Request& r, ServeState&) { return error_response(200, r.param("id")); });
  router.add(Method::get, "/api/m/latest", [](const Request&, ServeState&) { return error_response(200, "latest"); });
  router.add(Method::del, "/api/m/{id}", [](const Request&, ServeState&) { return error_response(200, "deleted"); });
  router.add(Method::get, "/api", [](const Request&, ServeState&) { return error_response(200, "root"); });
  ServeState state(ServeOptions{});
  auto call = [&](Method m, std::string path) {
    auto match = router.match(m, path);
    REQUIRE(match.handler != nullptr);
    Request r;
    r.params = match.params;
    return (*match.handler)(r, state).body;
  };
  CHECK(call(Method::get, "/api/m/latest") == R"({"detail":"latest"})");
  CHECK(call(Method::get, "/api/m/42/") == R"({"detail":"42"})");
  CHECK(call(Method::get, "/api/") == R"({"detail":"root"})");
  CHECK(call(Method::del, "/api/m/latest") == R"({"detail":"deleted"})");
  auto post = router.match(Method::post, "/api/m/7");
  CHECK(post.handler == nullptr);
  CHECK(post.allowed == std::vector<Method>{Method::get, Method::del});
  auto none = router.match(Method::get, "/api/m/7/x");
  CHECK(none.handler == nullptr);
  CHECK(none.allowed.empty());
  CHECK(router.routes().size() == 4);
}

TEST_CASE("serve.router: takes() refuses query parameters a route does not read") {
  ServeState state(ServeOptions{});
  auto handler = takes({"since", "until"}, [](const Request&, ServeState&) { return error_response(200, "ok"); });
  Request r;
  r.query = {{"since", "1h"}, {"until", "now"}};
  CHECK(handler(r, state).status == 200);
  r.query = {{"sinec", "1h"}};
  auto refused = handler(r, state);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("unknown query parameter 'sinec': this route takes since, until") != std::string::npos);
  auto none = takes({}, [](const Request&, ServeState&) { return error_response(200, "ok"); });
  r.query = {{"x", ""}};
  CHECK(none(r, state).body.find("this route takes none") != std::string::npos);
  r.query.clear();
  CHECK(none(r, state).status == 200);
}

TEST_CASE("serve.security: tokens for mutating requests (and reads with token_reads), read-only, CORS") {
  ServeOptions o;
  Request get;
  Request post;
  post.method = Method::post;
  CHECK_FALSE(check_access(get, o));
  CHECK_FALSE(check_access(post, o));
  o.read_only = true;
  REQUIRE(check_access(post, o));
  CHECK(check_access(post, o)->status == 403);
  CHECK_FALSE(check_access(get, o));
  o.read_only = false;
  o.tokens = {"abcdefghijklmnop"};
  REQUIRE(check_access(post, o));
  CHECK(check_access(post, o)->status == 401);
  post.headers["authorization"] = "Bearer abcdefghijklmnoq";
  CHECK(check_access(post, o)->status == 401);
  post.headers["authorization"] = "Bearer abcdefghijklmnop";
  CHECK_FALSE(check_access(post, o));
  post.headers["authorization"] = "BEARER abcdefghijklmnop";
  CHECK_FALSE(check_access(post, o));
  post.headers["authorization"] = "Bearer abcdefghijklmnopq";  // a longer token is another token
  CHECK(check_access(post, o)->status == 401);
  CHECK_FALSE(check_access(get, o));
  o.token_reads = true;
  CHECK(check_access(get, o)->status == 401);

  o.cors_origins = {"https://a.example"};
  Request pre;
  pre.method = Method::options;
  pre.headers = {{"origin", "https://a.example"}, {"access-control-request-method", "POST"}};
  auto ok = preflight(pre, o);
  CHECK(ok.status == 204);
  pre.headers["origin"] = "https://b.example";
  CHECK(preflight(pre, o).status == 403);
  CHECK_FALSE(origin_allowed("", o));
  o.cors_origins = {"*"};
  CHECK(origin_allowed("https://b.example", o));
  Response r;
  add_cors_headers(pre, o, r);
  CHECK(r.headers.front() == std::pair<std::string, std::string>{"Access-Control-Allow-Origin", "https://b.example"});
}

TEST_CASE("serve.security: token files and loopback addresses") {
  const std::string path = "/tmp/pk_unit_tokens.txt";
  {
    std::ofstream f(path);
    f << "# comment\n\n  0123456789abcdef  \nfedcba9876543210\n";
  }
  auto tokens = read_token_file(path);
  REQUIRE(tokens);
  CHECK(*tokens == std::vector<std::string>{"0123456789abcdef", "fedcba9876543210"});
  {
    std::ofstream f(path);
    f << "# only a comment\n";
  }
  CHECK(read_token_file(path).error().kind == pk::ErrorKind::invalid_input);
  {
    std::ofstream f(path);
    f << "short\n";
  }
  CHECK(read_token_file(path).error().message.find("line 1: a token must be at least 16 characters") !=
        std::string::npos);
  std::remove(path.c_str());
  CHECK(read_token_file(path).error().kind == pk::ErrorKind::io);
  CHECK(is_loopback_listen("127.0.0.1:8080"));
  CHECK(is_loopback_listen("127.5.6.7:1"));
  CHECK(is_loopback_listen("[::1]:8080"));
  CHECK(is_loopback_listen("localhost:80"));
  CHECK_FALSE(is_loopback_listen("0.0.0.0:8080"));
  CHECK_FALSE(is_loopback_listen("[::]:8080"));
  CHECK_FALSE(is_loopback_listen("192.0.2.1:8080"));
}

TEST_CASE("serve.server: --listen parsing and the non-loopback rule") {
  CHECK(parse_listen("127.0.0.1:8080")->port == 8080);
  CHECK(parse_listen("[::1]:0")->address == "::1");
  CHECK(parse_listen("localhost:1")->address == "127.0.0.1");
  for (const char* bad :
       {"", "8080", ":8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x", "::1:80", "[::1:80", "host.example:80"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_listen(bad));
  }
  ServeOptions o;
  o.listen = "0.0.0.0:8080";
  CHECK(validate(o).error().kind == pk::ErrorKind::invalid_input);
  o.insecure = true;
  CHECK(validate(o));
  o.insecure = false;
  o.tokens = {"0123456789abcdef"};
  CHECK(validate(o));
  o.tokens.clear();
  o.listen = "127.0.0.1:8080";
  o.token_reads = true;
  CHECK_FALSE(validate(o));
}

TEST_CASE("serve.ws: client messages parse or give the error reply") {
  using T = ws::ClientMessage::Type;
  auto ok = [](std::string_view text) {
    auto parsed = ws::parse(text);
    REQUIRE(std::holds_alternative<ws::ClientMessage>(parsed));
    return std::get<ws::ClientMessage>(parsed);
  };
  auto error = [](std::string_view text) {
    auto parsed = ws::parse(text);
    REQUIRE(std::holds_alternative<std::string>(parsed));
    return pk::core::Json::parse(std::get<std::string>(parsed));
  };
  CHECK(ok(R"({"type":"ping"})").type == T::ping);
  CHECK(ok(R"({"type":"get_status","extra":1})").type == T::get_status);
  auto sub = ok(R"({"type":"subscribe_host","host":"8.8.8.8","since":"2026-01-02T03:04:05Z"})");
  CHECK(sub.type == T::subscribe_host);
  CHECK(sub.host == "8.8.8.8");
  CHECK(pk::util::format_iso_utc(*sub.since) == "2026-01-02T03:04:05Z");
  auto summary = ok(R"({"type":"get_host_summary","host":"h"})");
  CHECK(summary.hours == 24);
  CHECK(ok(R"({"type":"get_host_summary","host":"h","hours":168})").hours == 168);
  CHECK(error("nope")["type"] == "error");
  CHECK(error("nope")["message"] == "Invalid message format");
  CHECK(error("42")["message"] == "Invalid message format");
  CHECK(error(R"({"type":7})")["message"] == "Invalid message format: no \"type\"");
  CHECK(error(R"({"type":"dance"})")["message"] == "Unknown message type: dance");
  CHECK(error(R"({"type":"subscribe_host","host":""})")["message"] == "subscribe_host needs a \"host\" string");
  CHECK(error(R"({"type":"get_host_summary","host":"h","hours":0})")["message"] ==
        "\"hours\" must be an integer between 1 and 168");
  CHECK(error(R"({"type":"subscribe_host","host":"h","since":"yesterday-ish"})")["message"] ==
        "\"since\" must be an ISO 8601 time, e.g. 2026-11-22T10:00:00Z");
}

TEST_CASE("serve.security: Host fields as RFC 9112 wants them") {
  CHECK_FALSE(check_host_fields(1, 11));
  CHECK_FALSE(check_host_fields(0, 10));  // HTTP/1.0 may leave it out
  CHECK(check_host_fields(0, 11)->status == 400);
  CHECK(check_host_fields(2, 11)->status == 400);
  CHECK(check_host_fields(2, 10)->status == 400);
  CHECK(is_loopback_host("[::1]"));
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK_FALSE(is_loopback_host("[::1].evil.example"));
  CHECK_FALSE(is_loopback_host("127.0.0.1:"));
}

TEST_CASE("serve.security: check_browser refuses foreign origins' changes and non-local Host names") {
  ServeOptions o;  // 127.0.0.1:8080, no tokens
  Request get;
  get.headers = {{"host", "127.0.0.1:8080"}, {"origin", "https://evil.example"}};
  CHECK_FALSE(check_browser(get, o, false));          // a read: the browser keeps the answer from the page
  CHECK(check_browser(get, o, true)->status == 403);  // the WebSocket: refused
  Request post = get;
  post.method = Method::post;
  CHECK(check_browser(post, o, false)->status == 403);
  o.cors_origins = {"https://evil.example"};
  CHECK_FALSE(check_browser(post, o, false));
  post.headers.erase("origin");
  o.cors_origins.clear();
  CHECK_FALSE(check_browser(post, o, false));  // curl, scripts
  for (const char* host : {"localhost", "LOCALHOST:8080", "127.1.2.3:80", "[::1]:8080", "a.localhost"}) {
    CAPTURE(host);
    get.headers = {{"host", host}};
    CHECK_FALSE(check_browser(get, o, false));
  }
  for (const char* host : {"rebind.example", "127.0.0.1.evil.example", "[::2]:80", "localhost.evil",
                           "[::1].evil.example", "[::1]:80.evil.example", "127.0.0.1:80.evil.example",
                           "localhost:evil", "[::1]x"}) {
    CAPTURE(host);
    get.headers = {{"host", host}};
    CHECK(check_browser(get, o, false)->status == 403);
  }
  o.tokens = {"0123456789abcdef"};  // tokens for changes only: a rebinding page could still read
  CHECK(check_browser(get, o, false)->status == 403);
  o.token_reads = true;  // every request needs a token, which such a page does not have
  CHECK_FALSE(check_browser(get, o, false));
  o.tokens.clear();
  o.token_reads = false;
  o.listen = "0.0.0.0:8080";
  o.insecure = true;
  CHECK_FALSE(check_browser(get, o, false));
}
