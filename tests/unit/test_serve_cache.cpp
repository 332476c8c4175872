#include "serve/context.hpp"
#include "serve/http_session.hpp"
#include "serve/response_cache.hpp"
#include "serve/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>

using namespace pk::serve;
using namespace std::chrono_literals;

namespace {

Response body(std::string text, int status = 200) {
  Response r;
  r.status = status;
  r.body = std::move(text);
  return r;
}

}  // namespace

TEST_CASE("serve.cache: fresh while the generation holds and younger than max_age") {
  ResponseCache cache;
  const auto t0 = ResponseCache::Clock::now();
  CHECK_FALSE(cache.find("/a", t0));
  cache.store("/a", cache.generation(), t0, body("one"));
  auto hit = cache.find("/a", t0 + 999ms);
  REQUIRE(hit);
  CHECK(hit->response->body == "one");
  CHECK_FALSE(hit->refresh);
  CHECK_FALSE(cache.find("/b", t0));

  // Aged: still served while one caller refreshes; the others do not refresh too.
  auto aged = cache.find("/a", t0 + 1000ms);
  REQUIRE(aged);
  CHECK(aged->response->body == "one");
  CHECK(aged->refresh);
  auto again = cache.find("/a", t0 + 1001ms);
  REQUIRE(again);
  CHECK_FALSE(again->refresh);
  cache.store("/a", cache.generation(), t0 + 1000ms, body("two"));
  auto fresh = cache.find("/a", t0 + 1010ms);
  REQUIRE(fresh);
  CHECK(fresh->response->body == "two");
  CHECK_FALSE(fresh->refresh);
}

TEST_CASE("serve.cache: a change makes every entry stale; too old an entry is not served") {
  ResponseCache cache;
  const auto t0 = ResponseCache::Clock::now();
  cache.store("/a", cache.generation(), t0, body("a"));
  cache.store("/b", cache.generation(), t0, body("b"));
  cache.changed();
  auto a = cache.find("/a", t0 + 1ms);
  REQUIRE(a);
  CHECK(a->refresh);
  // An answer computed from a generation before the change is stale at once.
  const auto before = cache.generation() - 1;
  cache.store("/a", before, t0 + 2ms, body("a2"));
  auto a2 = cache.find("/a", t0 + 3ms);
  REQUIRE(a2);
  CHECK(a2->response->body == "a2");
  CHECK(a2->refresh);
  // Older than max_stale: gone, the caller computes.
  CHECK_FALSE(cache.find("/b", t0 + 2000ms));
  CHECK(cache.size() == 1);
}

TEST_CASE("serve.cache: only 200 answers with a body within the limit are kept; a slower answer loses") {
  ResponseCache cache(
      ResponseCache::Limits{.max_age = 1000ms, .max_stale = 2000ms, .max_entries = 2, .max_bytes = 1000, .max_body = 4});
  const auto t0 = ResponseCache::Clock::now();
  cache.store("/e", cache.generation(), t0, body("x", 404));
  cache.store("/big", cache.generation(), t0, body("12345"));
  Response file = body("");
  file.file = "/tmp/x";
  cache.store("/file", cache.generation(), t0, file);
  CHECK(cache.size() == 0);

  cache.store("/a", cache.generation(), t0 + 10ms, body("new"));
  cache.store("/a", cache.generation(), t0, body("old"));  // started earlier, finished later
  CHECK(cache.find("/a", t0 + 20ms)->response->body == "new");

  // A failed refresh (500) releases the claim: the next caller refreshes.
  cache.changed();
  REQUIRE(cache.find("/a", t0 + 30ms)->refresh);
  cache.store("/a", cache.generation(), t0 + 30ms, body("err", 500));
  REQUIRE(cache.find("/a", t0 + 40ms)->refresh);
  cache.abandon("/a");
  REQUIRE(cache.find("/a", t0 + 41ms)->refresh);

  // At max_entries the oldest goes.
  cache.store("/b", cache.generation(), t0 + 50ms, body("b"));
  cache.store("/c", cache.generation(), t0 + 60ms, body("c"));
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.find("/a", t0 + 70ms));
  CHECK(cache.find("/c", t0 + 70ms));
  CHECK(cache.bytes() == 2);
}

TEST_CASE("serve.cache: the bodies kept stay within max_bytes; the oldest go") {
  ResponseCache cache(
      ResponseCache::Limits{.max_age = 1000ms, .max_stale = 2000ms, .max_entries = 100, .max_bytes = 10, .max_body = 8});
  const auto t0 = ResponseCache::Clock::now();
  cache.store("/a", cache.generation(), t0, body("aaaa"));
  cache.store("/b", cache.generation(), t0 + 1ms, body("bbbb"));
  CHECK(cache.bytes() == 8);
  cache.store("/c", cache.generation(), t0 + 2ms, body("cccc"));
  CHECK(cache.bytes() == 8);
  CHECK_FALSE(cache.find("/a", t0 + 3ms));
  cache.store("/b", cache.generation(), t0 + 4ms, body("bb"));  // replaced: its old size no longer counts
  CHECK(cache.bytes() == 6);
  CHECK(cache.find("/b", t0 + 5ms)->response->body == "bb");
}

TEST_CASE("serve.cache: cached routes answer repeats without the handler, security first, changes refresh") {
  ServeOptions options;
  ServeState state(options);
  Router router;
  std::atomic<int> calls{0};
  router.add(Method::get, "/api/data", cached([&](const Request& r, ServeState&) {
               ++calls;
               return body("answer " + std::to_string(calls.load()) + " " + r.header("accept"));
             }));
  router.add(Method::get, "/api/plain", [&](const Request&, ServeState&) { return body("plain"); });
  router.add(Method::post, "/api/change", [](const Request&, ServeState&) { return body("changed"); });
  Hub hub(state);
  boost::asio::io_context io;
  boost::asio::thread_pool blocking(1);
  ServerContext ctx{state, router, hub, io, blocking};

  auto request = [](Method m, std::string target) {
    Request r;
    r.method = m;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    return r;
  };
  auto get = request(Method::get, "/api/data?x=1");
  CHECK_FALSE(cached_answer(get, ctx));
  CHECK(respond(get, ctx).body == "answer 1 ");
  auto hit = cached_answer(get, ctx);
  REQUIRE(hit);
  CHECK(hit->body == "answer 1 ");
  CHECK(calls == 1);
  auto head = request(Method::head, "/api/data?x=1");
  CHECK(cached_answer(head, ctx));

  // Another query or Accept field is another answer; uncached routes never answer from the cache.
  CHECK_FALSE(cached_answer(request(Method::get, "/api/data?x=2"), ctx));
  auto csv = get;
  csv.headers["accept"] = "text/csv";
  CHECK_FALSE(cached_answer(csv, ctx));
  (void)respond(request(Method::get, "/api/plain"), ctx);
  CHECK_FALSE(cached_answer(request(Method::get, "/api/plain"), ctx));

  // A page of another site reaching an open loopback server (DNS rebinding)
  // is refused before the cache is looked at, and so are reads that need a token.
  auto rebinding = get;
  rebinding.headers["host"] = "attacker.example:8080";
  CHECK_FALSE(cached_answer(rebinding, ctx));
  CHECK(respond(rebinding, ctx).status == 403);
  state.options.tokens = {"abcdefghijklmnop"};
  state.options.token_reads = true;
  CHECK_FALSE(cached_answer(get, ctx));
  CHECK(respond(get, ctx).status == 401);
  state.options.token_reads = false;

  // A change seen in the database: the answer is served once more while the
  // blocking pool computes the new one.
  state.cache.changed();
  auto stale = cached_answer(get, ctx);
  REQUIRE(stale);
  CHECK(stale->body == "answer 1 ");
  blocking.join();
  CHECK(calls == 2);
  auto refreshed = cached_answer(get, ctx);
  REQUIRE(refreshed);
  CHECK(refreshed->body == "answer 2 ");

  // A refused change changed nothing: the cache stays.
  CHECK(respond(request(Method::post, "/api/change"), ctx).status == 401);
  CHECK(cached_answer(get, ctx));

  // A mutating request through the server: nothing cached before is served.
  auto post = request(Method::post, "/api/change");
  post.headers["authorization"] = "Bearer abcdefghijklmnop";
  CHECK(respond(post, ctx).status == 200);
  CHECK_FALSE(cached_answer(get, ctx));
  CHECK(respond(get, ctx).body == "answer 3 ");
  CHECK(cached_answer(get, ctx)->body == "answer 3 ");
}

TEST_CASE("serve.cache: after cleared() an answer computed before it is neither served nor kept") {
  ResponseCache cache;
  const auto t0 = ResponseCache::Clock::now();
  cache.store("/a", cache.generation(), t0, body("a"));
  const auto before = cache.generation();
  cache.cleared();
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find("/a", t0));
  cache.store("/a", before, t0 + 1ms, body("computed across the change"));
  CHECK_FALSE(cache.find("/a", t0 + 2ms));
  cache.store("/a", cache.generation(), t0 + 3ms, body("after"));
  CHECK(cache.find("/a", t0 + 4ms)->response->body == "after");
}
