#include "test_serve_v1_fixture.hpp"

#include "store/jobs.hpp"

using pk::serve::Method;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve v1: targets are added, listed, shown, edited, paused and removed") {
  pk::test::V1Api api;
  auto added = api.json(api.call(Method::post, "/api/v1/targets",
                                 R"({"host": "127.0.0.2", "name": "web", "interval": "500ms", "timeout": 2000,
                                     "tags": {"site": "lab"}, "description": "a box", "paused": true})"),
                        201);
  CHECK(added["name"] == "web");
  CHECK(added["host"] == "127.0.0.2");
  CHECK(added["interval_ms"] == 500);
  CHECK(added["timeout_ms"] == 2000);
  CHECK(added["paused"] == true);
  CHECK(added["tags"]["site"] == "lab");

  auto list = api.json(api.get("/api/v1/targets"));
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "lo");
  CHECK(list[1]["name"] == "web");

  auto by_id = api.json(api.get("/api/v1/targets/" + std::to_string(added["id"].get<std::int64_t>())));
  CHECK(by_id == added);

  auto edited = api.json(api.call(Method::patch, "/api/v1/targets/web",
                                  R"({"probe": "tcp", "port": 8443, "untag": ["site"], "job_only": true})"));
  CHECK(edited["probe"] == "tcp");
  CHECK(edited["port"] == 8443);
  CHECK(edited["tags"].empty());
  CHECK(edited["job_only"] == true);
  CHECK(edited["interval_ms"] == 500);

  CHECK(api.json(api.call(Method::post, "/api/v1/targets/web/resume"))["paused"] == false);
  CHECK(api.json(api.call(Method::post, "/api/v1/targets/web/pause"))["paused"] == true);

  auto removed = api.json(api.call(Method::del, "/api/v1/targets/web"));
  CHECK(removed["target"]["name"] == "web");
  CHECK(removed["data_kept"] == false);
  api.detail(api.get("/api/v1/targets/web"), 404);
}

TEST_CASE("serve v1: target errors name the field and use the right status") {
  pk::test::V1Api api;
  SUBCASE("malformed JSON is 400") {
    api.detail(api.call(Method::post, "/api/v1/targets", "{\"host\":"), 400);
    api.detail(api.call(Method::post, "/api/v1/targets", "[1, 2]"), 400);
    api.detail(api.call(Method::patch, "/api/v1/targets/lo", "nope"), 400);
  }
  SUBCASE("a taken name is 409") {
    CHECK(api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "name": "lo"})"), 409)
              .find("\"lo\"") != std::string::npos);
    api.json(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "name": "other"})"), 201);
    api.detail(api.call(Method::patch, "/api/v1/targets/other", R"({"name": "lo"})"), 409);
  }
  SUBCASE("invalid values are 422 naming the field") {
    auto d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "interval": "fast"})"), 422);
    CHECK(d.find("interval") != std::string::npos);
    d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "interval": 50})"), 422);
    CHECK(d.find("interval") != std::string::npos);
    d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "colour": "red"})"), 422);
    CHECK(d.find("colour") != std::string::npos);
    d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "port": "x"})"), 422);
    CHECK(d.find("port") != std::string::npos);
    d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"name": "nohost"})"), 422);
    CHECK(d.find("host") != std::string::npos);
    d = api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "bad host!"})"), 422);
    d = api.detail(api.call(Method::patch, "/api/v1/targets/lo", R"({"paused": "yes"})"), 422);
    CHECK(d.find("paused") != std::string::npos);
    d = api.detail(api.get("/api/v1/targets?all=maybe"), 422);
    CHECK(d.find("all") != std::string::npos);
  }
  SUBCASE("unknown targets are 404") {
    api.detail(api.get("/api/v1/targets/nope"), 404);
    api.detail(api.call(Method::patch, "/api/v1/targets/nope", "{}"), 404);
    api.detail(api.call(Method::del, "/api/v1/targets/nope"), 404);
    api.detail(api.call(Method::post, "/api/v1/targets/nope/pause"), 404);
    api.detail(api.call(Method::post, "/api/v1/targets/nope/resume"), 404);
  }
}

TEST_CASE("serve v1: target bodies take the CLI's values in JSON forms") {
  pk::test::V1Api api;
  auto t = api.json(api.call(Method::post, "/api/v1/targets",
                             R"({"host": "::1", "name": "six", "family": "ipv6", "interval": 1500, "size": 100,
                                 "tags": ["a=1", "b="], "job_only": true})"),
                    201);
  CHECK(t["family"] == "ipv6");
  CHECK(t["interval_ms"] == 1500);
  CHECK(t["size"] == 100);
  CHECK(t["tags"] == pk::core::Json({{"a", "1"}, {"b", ""}}));
  CHECK(t["job_only"] == true);
  CHECK(api.json(api.call(Method::patch, "/api/v1/targets/six", R"({"family": "any", "job_only": false})"))["family"] ==
        "any");
  CHECK(api.detail(api.call(Method::patch, "/api/v1/targets/six", R"({"family": 4})"), 422).find("IPv4") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/targets/six", R"({"interval": 1.5})"), 422).find("interval") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/targets/six", R"({"interval": -5})"), 422).find("interval") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/targets/six", R"({"tags": {"k": 1}})"), 422).find("tags") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/targets/six", R"({"untag": [1]})"), 422).find("untag") !=
        std::string::npos);
  // untag is for edits only.
  CHECK(api.detail(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.8", "untag": ["a"]})"), 422)
            .find("untag") != std::string::npos);
}

TEST_CASE("serve v1: job bodies take windows, times and metrics as the CLI does") {
  pk::test::V1Api api;
  auto j = api.json(api.call(Method::post, "/api/v1/jobs",
                             R"({"name": "w", "targets": "lo", "windows": ["mon 09:00-10:00", "tue 09:00-10:00"],
                                 "tz": "Europe/Paris", "start": "2026-03-02T00:00", "end": "2026-04-01T00:00:00Z",
                                 "metrics": "rtt,loss,path", "path_every": 60000, "description": "d"})"),
                    201);
  CHECK(j["windows"] == "mon 09:00-10:00; tue 09:00-10:00");
  CHECK(j["start"] == "2026-03-01T23:00:00Z");  // local time in the job's zone
  CHECK(j["end"] == "2026-04-01T00:00:00Z");
  CHECK(j["metrics"] == pk::core::Json::array({"rtt", "loss", "path"}));
  CHECK(j["path_every_ms"] == 60000);
  auto cleared = api.json(api.call(Method::patch, "/api/v1/jobs/w", R"({"end": null, "windows": "always"})"));
  CHECK(cleared["end"].is_null());
  CHECK(cleared["windows"] == "");
  CHECK(api.detail(api.call(Method::patch, "/api/v1/jobs/w", R"({"metrics": ["speed"]})"), 422).find("speed") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/jobs/w", R"({"tz": "Nowhere/Land"})"), 422).find("Nowhere") !=
        std::string::npos);
  CHECK(
      api.detail(api.call(Method::post, "/api/v1/jobs", R"({"name": "x", "targets": "lo", "add_targets": "lo"})"), 422)
          .find("add_targets") != std::string::npos);
}

TEST_CASE("serve v1: jobs are created, listed, edited, stopped, started, list their runs and are removed") {
  pk::test::V1Api api;
  api.json(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.3", "name": "b", "paused": true})"), 201);
  auto job = api.json(api.call(Method::post, "/api/v1/jobs",
                               R"({"name": "office", "targets": ["lo", "b"], "interval": "10s",
                                   "windows": "mon-fri 09:00-17:00", "tz": "UTC", "metrics": ["rtt", "loss"]})"),
                      201);
  CHECK(job["name"] == "office");
  CHECK(job["targets"] == pk::core::Json::array({"b", "lo"}));  // by name
  CHECK(job["interval_ms"] == 10000);
  CHECK(job["tz"] == "UTC");

  auto list = api.json(api.get("/api/v1/jobs"));
  REQUIRE(list.size() == 1);
  CHECK(list[0] == job);

  auto edited = api.json(api.call(Method::patch, "/api/v1/jobs/office", R"({"count": 3, "remove_targets": "b"})"));
  CHECK(edited["count"] == 3);
  CHECK(edited["targets"] == pk::core::Json::array({"lo"}));

  CHECK(api.json(api.call(Method::post, "/api/v1/jobs/office/stop"))["status"] == "stopped");
  CHECK(api.json(api.call(Method::post, "/api/v1/jobs/office/start"))["status"] != "stopped");

  const auto id = job["id"].get<std::int64_t>();
  REQUIRE(pk::store::jobs::open_run(api.db, id, pk::test::k_monday + std::chrono::hours{9}));
  auto runs = api.json(api.get("/api/v1/jobs/office/runs"));
  CHECK(runs["job"] == "office");
  REQUIRE(runs["runs"].size() == 1);
  CHECK(runs["runs"][0]["started_at"] == "2026-03-02T09:00:00Z");
  CHECK(api.json(api.get("/api/v1/jobs/" + std::to_string(id)))["name"] == "office");

  CHECK(api.json(api.call(Method::del, "/api/v1/jobs/office"))["name"] == "office");
  api.detail(api.get("/api/v1/jobs/office"), 404);
}

TEST_CASE("serve v1: job errors") {
  pk::test::V1Api api;
  api.json(api.call(Method::post, "/api/v1/jobs", R"({"name": "j", "targets": "lo"})"), 201);
  api.detail(api.call(Method::post, "/api/v1/jobs", "{"), 400);
  api.detail(api.call(Method::post, "/api/v1/jobs", R"({"name": "j", "targets": "lo"})"), 409);
  api.detail(api.call(Method::post, "/api/v1/jobs", R"({"name": "k", "targets": "ghost"})"), 404);
  CHECK(api.detail(api.call(Method::post, "/api/v1/jobs", R"({"targets": "lo"})"), 422).find("name") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/jobs", R"({"name": "k"})"), 422).find("targets") !=
        std::string::npos);
  CHECK(api.detail(api.call(Method::post, "/api/v1/jobs", R"({"name": "k", "targets": "lo", "count": 500})"), 422)
            .find("count") != std::string::npos);
  CHECK(api.detail(api.call(Method::patch, "/api/v1/jobs/j", R"({"path_every": "soon"})"), 422).find("path_every") !=
        std::string::npos);
  api.detail(api.call(Method::patch, "/api/v1/jobs/nope", "{}"), 404);
  api.detail(api.call(Method::del, "/api/v1/jobs/nope"), 404);
  api.detail(api.call(Method::post, "/api/v1/jobs/nope/start"), 404);
  api.detail(api.call(Method::post, "/api/v1/jobs/nope/stop"), 404);
  api.detail(api.get("/api/v1/jobs/nope/runs"), 404);
  api.detail(api.get("/api/v1/jobs/j/runs?limit=0"), 422);
}

TEST_SUITE_END();
