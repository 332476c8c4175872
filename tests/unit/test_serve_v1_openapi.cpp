#include "test_serve_v1_fixture.hpp"

#include "query/downtime.hpp"
#include "query/stats.hpp"
#include "serve/v1_routes.hpp"

#include <algorithm>
#include <cctype>
#include <set>

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve v1: the OpenAPI document describes exactly the routes add_v1_routes registers") {
  pk::serve::Router router;
  pk::serve::add_v1_routes(router);
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& [method, pattern] : router.routes()) {
    if (!pattern.starts_with("/api/v1/")) continue;
    std::string name(pk::serve::to_string(method));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    registered.emplace(name, pattern);
  }
  std::set<std::pair<std::string, std::string>> documented;
  const auto& doc = pk::serve::v1::openapi_document();
  for (const auto& [path, operations] : doc.at("paths").items()) {
    for (const auto& [method, operation] : operations.items()) {
      documented.emplace(method, path);
      CHECK_MESSAGE(operation.contains("responses"), path);
      // Every {name} of the path is a documented path parameter.
      for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
        const auto name = path.substr(open + 1, path.find('}', open) - open - 1);
        bool found = false;
        for (const auto& p : operation.at("parameters")) found |= p.at("name") == name && p.at("in") == "path";
        CHECK_MESSAGE(found, path, " ", name);
      }
    }
  }
  CHECK(registered.size() >= 24);
  CHECK(registered == documented);
  CHECK(doc.at("openapi") == "3.0.3");

  // Every $ref points at a schema that exists.
  const auto dump = doc.dump();
  const std::string prefix = "#/components/schemas/";
  for (std::size_t at = dump.find(prefix); at != std::string::npos; at = dump.find(prefix, at + 1)) {
    const auto start = at + prefix.size();
    const auto name = dump.substr(start, dump.find('"', start) - start);
    CHECK_MESSAGE(doc.at("components").at("schemas").contains(name), name);
  }
}

TEST_CASE("serve v1: GET /api/openapi.json serves the document") {
  pk::test::V1Api api;
  auto body = api.json(api.get("/api/openapi.json"));
  CHECK(body == pk::serve::v1::openapi_document());
}

namespace {

// The property names of a schema, and the keys of a JSON object.
std::set<std::string> properties(const std::string& schema) {
  std::set<std::string> out;
  const auto& doc = pk::serve::v1::openapi_document();
  for (const auto& [key, value] : doc.at("components").at("schemas").at(schema).at("properties").items()) {
    out.insert(key);
  }
  return out;
}

std::set<std::string> keys(const pk::core::Json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

}  // namespace

TEST_CASE("serve v1: the OpenAPI schemas name every field of the JSON the API answers") {
  pk::test::V1Api api;
  pk::core::Job job;
  CHECK(properties("Target") == keys(pk::core::to_json(pk::core::Target{})));
  CHECK(properties("Job") == keys(pk::core::to_json(job, pk::core::JobState{}, std::nullopt)));
  CHECK(properties("Stats") == keys(pk::query::to_json(pk::query::Stats{})));
  CHECK(properties("Sample") == keys(pk::core::to_json(pk::core::Sample{}, "x")));
  CHECK(properties("Downtime") == keys(pk::query::to_json(pk::query::DowntimeReport{})));
  CHECK(properties("Trace") == keys(pk::core::to_json(pk::core::Trace{})));
  CHECK(properties("Health") == keys(api.json(api.get("/api/v1/health"))));
  CHECK(properties("Series") == keys(api.json(api.get("/api/v1/targets/lo/series"))));
  CHECK(properties("SamplePage") == keys(api.json(api.get("/api/v1/targets/lo/samples"))));
  CHECK(properties("Latest") == keys(api.json(api.get("/api/v1/targets/lo/latest"))));
  api.json(api.call(pk::serve::Method::post, "/api/v1/jobs", R"({"name": "j", "targets": "lo"})"), 201);
  api.json(api.call(pk::serve::Method::post, "/api/v1/targets", R"({"host": "127.0.0.9", "name": "gone"})"), 201);
  CHECK(properties("TargetRemoval") == keys(api.json(api.call(pk::serve::Method::del, "/api/v1/targets/gone"))));
  CHECK(properties("JobRuns") == keys(api.json(api.get("/api/v1/jobs/j/runs"))));
}

TEST_SUITE_END();
