#include "test_serve_seed.hpp"

#include "maintain/rollup_pass.hpp"
#include "query/stats.hpp"
#include "serve/seed_api.hpp"
#include "store/rollups.hpp"

TEST_SUITE_BEGIN("serve");

using namespace pk;
using namespace pk::test;
using serve::Method;

namespace {

core::Json post_metric(SeedFixture& f, const core::Json& body, int status = 200) {
  auto resp = f.call(Method::post, "/api/ping-metrics", {}, body.dump());
  CHECK_MESSAGE(resp.status == status, resp.body);
  return core::Json::parse(resp.body);
}

std::optional<core::Target> live_target(SeedFixture& f, const std::string& name) {
  auto found = store::targets::find(f.db, name);
  if (!found) return std::nullopt;
  return *found;
}

}  // namespace

TEST_CASE("serve seed: POST /api/ping-metrics stores a metric that GET by id returns") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  auto created = post_metric(
      f, {{"target_host", "alpha"}, {"response_time_ms", 25.5}, {"packet_loss", false}, {"error_message", nullptr}});
  CHECK(created["message"] == "Ping metric created successfully");
  CHECK(created["metric"] ==
        core::Json{
            {"target_host", "alpha"}, {"response_time_ms", 25.5}, {"packet_loss", false}, {"error_message", nullptr}});
  const auto id = created["id"].get<std::int64_t>();
  CHECK(id == serve::seed::sample_id(alpha.id, f.now));
  auto fetched = f.get("/api/ping-metrics/" + std::to_string(id));
  CHECK(fetched["target_host"] == "alpha");
  CHECK(fetched["response_time_ms"] == 25.5);
  CHECK(fetched["packet_loss"] == false);
  CHECK(fetched["timestamp"] == util::format_iso_utc(f.now));

  SUBCASE("a second metric in the same id unit gets the next one, so its own id") {
    auto lost = post_metric(f, {{"target_host", "127.0.0.1"}, {"packet_loss", true}, {"error_message", "timed out"}});
    const auto id2 = lost["id"].get<std::int64_t>();
    CHECK(id2 == serve::seed::sample_id(alpha.id, f.now + serve::seed::k_id_resolution));
    auto got = f.get("/api/ping-metrics/" + std::to_string(id2));
    CHECK(got["packet_loss"] == true);
    CHECK(got["response_time_ms"].is_null());
    CHECK(got["error_message"] == "timed out");
    CHECK(f.get("/api/ping-metrics/" + std::to_string(id)) == fetched);
    CHECK(f.get("/api/ping-metrics/count", {{"host", "alpha"}})["count"] == 2);
  }
  SUBCASE("an unknown host gets a paused target named after it") {
    auto made = post_metric(f, {{"target_host", "example.com"}, {"response_time_ms", 12}});
    auto target = live_target(f, "example.com");
    REQUIRE(target);
    CHECK(target->paused);
    CHECK(target->host == "example.com");
    CHECK(f.get("/api/ping-metrics/" + std::to_string(made["id"].get<std::int64_t>()))["target_host"] == "example.com");
    CHECK(f.get("/api/ping-metrics/hosts")["active_monitoring_hosts"] == core::Json{"alpha"});
  }
  SUBCASE("invalid bodies are 422 naming the field") {
    auto bad = [&](const std::string& body, const std::string& what) {
      check_invalid(f.call(Method::post, "/api/ping-metrics", {}, body), what);
    };
    bad("{not json", "JSON");
    bad("[1, 2]", "object");
    bad(R"({"response_time_ms": 1})", "target_host");
    bad(R"({"target_host": 5, "response_time_ms": 1})", "target_host");
    bad(R"({"target_host": "", "response_time_ms": 1})", "target_host");
    bad(R"({"target_host": "alpha", "response_time_ms": "fast"})", "response_time_ms");
    bad(R"({"target_host": "alpha", "response_time_ms": -1})", "response_time_ms");
    bad(R"({"target_host": "alpha", "response_time_ms": 1e9})", "response_time_ms");
    bad(R"({"target_host": "alpha", "response_time_ms": 1, "packet_loss": "no"})", "packet_loss");
    bad(R"({"target_host": "alpha", "response_time_ms": 1, "error_message": 3})", "error_message");
    bad(R"({"target_host": "alpha"})", "response_time_ms");
    bad(R"({"target_host": "alpha", "packet_loss": true, "response_time_ms": 3})", "response_time_ms");
    bad(R"({"target_host": "not a host!", "response_time_ms": 1})", "not a host!");
    CHECK(f.get("/api/ping-metrics/count")["count"] == 1);
    CHECK_FALSE(live_target(f, "not a host!"));
  }
}

TEST_CASE("serve seed: add, remove and add a host again") {
  SeedFixture f;
  f.add_target("alpha", "127.0.0.1");
  auto post = [&](const std::string& path) { return f.call(Method::post, path); };

  auto added = post("/api/ping-metrics/hosts/127.0.0.5/add");
  CHECK(added.status == 200);
  auto body = core::Json::parse(added.body);
  CHECK(body["message"] == "Host 127.0.0.5 added to monitoring");
  CHECK(body["current_hosts"] == core::Json{"127.0.0.5", "alpha"});
  auto target = live_target(f, "127.0.0.5");
  REQUIRE(target);
  CHECK(target->host == "127.0.0.5");
  CHECK(target->probe == core::ProbeKind::icmp);
  CHECK_FALSE(target->paused);
  f.add_sample(*target, f.now - 1min, 800);

  auto again = core::Json::parse(post("/api/ping-metrics/hosts/127.0.0.5/add").body);
  CHECK(again["current_hosts"] == core::Json{"127.0.0.5", "alpha"});
  CHECK(store::targets::list(f.db)->size() == 2);

  auto removed = f.call(Method::del, "/api/ping-metrics/hosts/127.0.0.5");
  CHECK(removed.status == 200);
  body = core::Json::parse(removed.body);
  CHECK(body["message"] == "Host 127.0.0.5 removed from monitoring");
  CHECK(body["current_hosts"] == core::Json{"alpha"});
  CHECK(live_target(f, "127.0.0.5")->paused);
  CHECK(f.get("/api/ping-metrics/count", {{"host", "127.0.0.5"}})["count"] == 1);  // data kept

  body = core::Json::parse(post("/api/ping-metrics/hosts/127.0.0.5/add").body);
  CHECK(body["current_hosts"] == core::Json{"127.0.0.5", "alpha"});
  CHECK(live_target(f, "127.0.0.5")->id == target->id);  // resumed, not a new target
  CHECK_FALSE(live_target(f, "127.0.0.5")->paused);

  SUBCASE("an address removes the targets it names") {
    CHECK(f.call(Method::del, "/api/ping-metrics/hosts/127.0.0.1").status == 200);
    CHECK(live_target(f, "alpha")->paused);
  }
  SUBCASE("unknown and invalid hosts") {
    auto unknown = f.call(Method::del, "/api/ping-metrics/hosts/nobody");
    CHECK(unknown.status == 404);
    CHECK(core::Json::parse(unknown.body)["detail"] == "host 'nobody' is not monitored and has no data");
    check_invalid(post("/api/ping-metrics/hosts/bad_host!/add"), "bad_host!");
    CHECK(store::targets::list(f.db)->size() == 2);
  }
}

TEST_CASE("serve seed: monitoring status, start and stop") {
  SeedFixture f;
  f.add_target("alpha", "127.0.0.1", false, 2s);
  f.add_target("idle", "127.0.0.2", true);
  f.state.counters.ws_clients = 2;
  auto status = f.get("/api/ping-metrics/monitoring/status");
  CHECK(keys(status) == std::vector<std::string>{"monitoring_active", "ping_interval_seconds", "target_hosts",
                                                 "websocket_clients", "latest_results_count"});
  CHECK(status["monitoring_active"] == false);
  CHECK(status["ping_interval_seconds"] == 2);
  CHECK(status["target_hosts"] == core::Json{"alpha"});
  CHECK(status["websocket_clients"] == 2);
  CHECK(status["latest_results_count"] == 0);

  auto started = f.call(Method::post, "/api/ping-metrics/monitoring/start");
  CHECK(started.status == 200);
  CHECK(core::Json::parse(started.body) == core::Json{{"message", "Ping monitoring started"}, {"status", "active"}});
  CHECK(f.get("/api/ping-metrics/monitoring/status")["monitoring_active"] == true);
  auto stopped = f.call(Method::post, "/api/ping-metrics/monitoring/stop");
  CHECK(stopped.status == 200);
  CHECK(core::Json::parse(stopped.body) == core::Json{{"message", "Ping monitoring stopped"}, {"status", "inactive"}});
  CHECK_FALSE(f.monitor.running);

  f.monitor.refuse = Error{ErrorKind::busy, "another collector (pid 4242) is running on this database"};
  auto busy = f.call(Method::post, "/api/ping-metrics/monitoring/start");
  CHECK(busy.status == 409);
  CHECK(core::Json::parse(busy.body)["detail"] == "another collector (pid 4242) is running on this database");
}

TEST_CASE("serve seed: cleanup deletes old raw samples once rolled up, keeping the statistics") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  // 40 days ago and 20 days ago: 3 minutes of samples every 10 s each; one now.
  for (auto base : {f.now - 40 * 24h, f.now - 20 * 24h}) {
    for (int i = 0; i < 18; ++i) {
      f.add_sample(alpha, base + std::chrono::seconds{10 * i},
                   i % 6 == 5 ? std::nullopt : std::optional<std::int64_t>{1000 + 100 * i});
    }
  }
  f.add_sample(alpha, f.now - 1h, 1000);

  auto old_stats = [&] {
    auto reader = query::Reader::open(f.db);
    REQUIRE(reader);
    query::StatsQuery q;
    q.targets = {alpha};
    q.from = f.now - 41 * 24h;
    q.to = f.now - 39 * 24h;
    auto rows = query::stats(*reader, q);
    REQUIRE(rows);
    return rows->front().aggregate.summary;
  };
  const auto before = old_stats();
  REQUIRE(before.sent() == 18);

  check_invalid(f.call(Method::del, "/api/ping-metrics/cleanup", {{"days", "0"}}), "days");
  check_invalid(f.call(Method::del, "/api/ping-metrics/cleanup", {{"days", "366"}}), "days");
  CHECK(f.get("/api/ping-metrics/count")["count"] == 37);

  auto resp = f.call(Method::del, "/api/ping-metrics/cleanup");
  CHECK(resp.status == 200);
  CHECK(core::Json::parse(resp.body) ==
        core::Json{{"message", "Cleanup completed"}, {"deleted_records", 18}, {"cutoff_days", 30}});
  CHECK(f.get("/api/ping-metrics/count")["count"] == 19);
  const auto after = old_stats();
  CHECK(after.sent() == before.sent());
  CHECK(after.received() == before.received());
  CHECK(*after.mean() == doctest::Approx(*before.mean()));
  CHECK(after.max() == before.max());

  auto again = core::Json::parse(f.call(Method::del, "/api/ping-metrics/cleanup").body);
  CHECK(again["deleted_records"] == 0);
  auto shorter = core::Json::parse(f.call(Method::del, "/api/ping-metrics/cleanup", {{"days", "7"}}).body);
  CHECK(shorter["deleted_records"] == 18);
  CHECK(shorter["cutoff_days"] == 7);
  CHECK(f.get("/api/ping-metrics/count")["count"] == 1);
}

TEST_SUITE_END();
