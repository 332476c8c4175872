#include "test_serve_v1_fixture.hpp"

#include "store/traces.hpp"

using pk::serve::Method;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve v1: traceroute bodies are checked before anything is sent") {
  pk::test::V1Api api;
  api.detail(api.call(Method::post, "/api/v1/traceroute", "{"), 400);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", "{}"), 422).find("host") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "target": "lo"})"), 422)
            .find("target") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "max_hops": 0})"), 422)
            .find("max_hops") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "queries": 11})"), 422)
            .find("queries") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "hops": 3})"), 422)
            .find("hops") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "probe": "gre"})"), 422)
            .find("probe") != std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "127.0.0.1", "port": 80})"), 422)
            .find("port") != std::string::npos);  // icmp takes no port
  CHECK(api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"host": "not a host"})"), 422).find("not a host") !=
        std::string::npos);
  api.detail(api.call(Method::post, "/api/v1/traceroute", R"({"target": "nope"})"), 404);
}

// UDP needs no privilege; loopback only (the network safety rule).
TEST_CASE("serve v1: a UDP trace of a known target on loopback is run, stored and listed") {
  pk::test::V1Api api;
  auto trace = api.json(api.call(Method::post, "/api/v1/traceroute",
                                 R"({"target": "lo", "probe": "udp", "max_hops": 3, "queries": 1,
                                     "wait": "500ms", "dns": false})"));
  CHECK(trace["target"] == "lo");
  CHECK(trace["address"] == "127.0.0.1");
  CHECK(trace["probe"] == "udp");
  CHECK(trace["reached"] == true);
  CHECK(trace["hop_count"] == 1);
  CHECK(trace["id"].is_number_integer());

  auto listed = api.json(api.get("/api/v1/targets/lo/traces"));
  REQUIRE(listed["traces"].size() == 1);
  CHECK(listed["traces"][0]["id"] == trace["id"]);
  CHECK(api.json(api.get("/api/v1/targets/lo/traces?until=2026-03-04T00:00:00Z"))["traces"].empty());

  // A host that names no target is traced but not stored.
  auto adhoc =
      api.json(api.call(Method::post, "/api/v1/traceroute",
                        R"({"host": "127.0.0.1", "probe": "udp", "max_hops": 2, "queries": 1, "dns": false})"));
  CHECK(adhoc["id"].is_null());
  CHECK(api.json(api.get("/api/v1/targets/lo/traces"))["traces"].size() == 1);

  api.detail(api.get("/api/v1/targets/nope/traces"), 404);
  CHECK(api.detail(api.get("/api/v1/targets/lo/traces?since=never"), 422).find("since") != std::string::npos);
}

TEST_SUITE_END();
