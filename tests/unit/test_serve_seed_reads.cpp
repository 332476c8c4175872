#include "test_serve_seed.hpp"

#include "serve/seed_api.hpp"

#include <climits>

TEST_SUITE_BEGIN("serve");

using namespace pk;
using namespace pk::test;
using serve::Method;

TEST_CASE("serve seed: sample ids round-trip, stay exact as doubles, grow with time, refuse what they cannot hold") {
  using serve::seed::k_id_resolution;
  using serve::seed::sample_id;
  using serve::seed::sample_key;
  const auto t2020 = util::from_epoch_us(1'577'836'800'000'000);
  const auto last = t2020 + ((std::int64_t{1} << 37) - 1) * k_id_resolution + 9'999us;
  constexpr std::int64_t k_max_safe_integer = (std::int64_t{1} << 53) - 1;
  for (std::int64_t target : {std::int64_t{1}, std::int64_t{7}, std::int64_t{65'535}}) {
    for (auto ts : {t2020, k_seed_now + 123'456us, last}) {
      const auto id = sample_id(target, ts);
      CHECK(id > 0);
      CHECK(id <= k_max_safe_integer);
      CHECK(static_cast<std::int64_t>(static_cast<double>(id)) == id);
      auto key = sample_key(id);
      REQUIRE(key);
      CHECK(key->target_id == target);
      CHECK(key->from <= ts);
      CHECK(ts < key->from + k_id_resolution);
    }
  }
  CHECK(sample_id(65'535, last) == k_max_safe_integer);
  CHECK(sample_id(1, k_seed_now + k_id_resolution) > sample_id(65'535, k_seed_now));
  CHECK(sample_id(1, k_seed_now + 9ms) == sample_id(1, k_seed_now));
  CHECK(sample_id(0, k_seed_now) == 0);
  CHECK(sample_id(65'536, k_seed_now) == 0);
  CHECK(sample_id(1, t2020 - 1us) == 0);
  CHECK(sample_id(1, last + 1us) == 0);
  CHECK_FALSE(sample_key(0));
  CHECK_FALSE(sample_key(-5));
  CHECK_FALSE(sample_key(std::int64_t{1} << 16));  // target id 0
  CHECK_FALSE(sample_key(k_max_safe_integer + 1));
  CHECK_FALSE(sample_key(INT64_MIN));
}

TEST_CASE("serve seed: root and health") {
  SeedFixture f;
  f.add_target("alpha", "127.0.0.1", false, 2s);
  f.add_target("beta", "127.0.0.2", false, 500ms);
  f.add_target("idle", "192.0.2.1", true, 100ms);
  f.state.counters.ws_clients = 3;

  auto root = f.get("/api/");
  CHECK(root["status"] == "running");
  CHECK(root["monitoring_active"] == false);
  CHECK(root["endpoints"]["ping_metrics"] == "/api/ping-metrics");
  CHECK(root["endpoints"]["websocket"] == "/api/ws/ping-status");
  CHECK(root.contains("message"));
  CHECK(root.contains("version"));

  f.monitor.running = true;
  auto health = f.get("/api/health");
  CHECK(keys(health) == std::vector<std::string>{"status", "database", "ping_monitoring", "target_hosts_count",
                                                 "websocket_clients", "ping_interval_seconds", "version"});
  CHECK(health["status"] == "healthy");
  CHECK(health["database"] == "connected");
  CHECK(health["ping_monitoring"] == "active");
  CHECK(health["target_hosts_count"] == 2);  // the paused one is not monitored
  CHECK(health["websocket_clients"] == 3);
  CHECK(health["ping_interval_seconds"] == 0.5);

  SUBCASE("whole seconds print as an integer") {
    REQUIRE(store::targets::set_paused(f.db, std::vector<std::string>{"beta"}, true, f.now));
    health = f.get("/api/health");
    CHECK(health["ping_interval_seconds"].is_number_integer());
    CHECK(health["ping_interval_seconds"] == 2);
    f.monitor.running = false;
    CHECK(f.get("/api/health")["ping_monitoring"] == "inactive");
  }
  SUBCASE("a database that cannot be opened answers 503") {
    serve::ServeState broken(seed_options(f.dir.file("missing/dir/pk.db")));
    broken.monitor = &f.monitor;
    auto match = f.router.match(Method::get, "/api/health");
    auto resp = (*match.handler)(serve::Request{}, broken);
    CHECK(resp.status == 503);
    auto body = core::Json::parse(resp.body);
    CHECK(body["status"] == "unhealthy");
    CHECK(body["database"] == "error");
  }
}

TEST_CASE("serve seed: GET /api/ping-metrics lists newest first with filters and paging") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  auto beta = f.add_target("beta", "127.0.0.2");
  f.add_sample(alpha, f.now - 30h, 5000);  // outside the default 24 h
  for (int i = 0; i < 5; ++i) f.add_sample(alpha, f.now - std::chrono::minutes{10 - i}, 1000 * (i + 1));
  f.add_sample(beta, f.now - 7min - 500ms, std::nullopt, "no reply");
  f.add_sample(beta, f.now - 2h, 2500);

  auto all = f.get("/api/ping-metrics");
  REQUIRE(all.size() == 7);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1]["timestamp"] >= all[i]["timestamp"]);
  const auto& first = all[0];
  CHECK(keys(first) == std::vector<std::string>{"id", "timestamp", "target_host", "response_time_ms", "packet_loss",
                                                "error_message", "created_at"});
  CHECK(first["target_host"] == "alpha");
  CHECK(first["response_time_ms"] == 5.0);
  CHECK(first["packet_loss"] == false);
  CHECK(first["error_message"].is_null());
  CHECK(first["timestamp"] == util::format_iso_utc(f.now - 6min));
  CHECK(first["created_at"] == first["timestamp"]);
  CHECK(first["id"] == serve::seed::sample_id(alpha.id, f.now - 6min));
  const auto& lost = all[2];
  CHECK(lost["target_host"] == "beta");
  CHECK(lost["packet_loss"] == true);
  CHECK(lost["response_time_ms"].is_null());
  CHECK(lost["error_message"] == "no reply");

  CHECK(f.get("/api/ping-metrics", {{"hours", "48"}}).size() == 8);
  CHECK(f.get("/api/ping-metrics", {{"hours", "1"}}).size() == 6);
  auto by_name = f.get("/api/ping-metrics", {{"host", "beta"}});
  REQUIRE(by_name.size() == 2);
  CHECK(by_name[0]["target_host"] == "beta");
  CHECK(f.get("/api/ping-metrics", {{"host", "127.0.0.2"}}) == by_name);  // an address names its targets
  CHECK(f.get("/api/ping-metrics", {{"host", "nobody"}}) == core::Json::array());

  auto page = f.get("/api/ping-metrics", {{"limit", "2"}, {"offset", "1"}});
  REQUIRE(page.size() == 2);
  CHECK(page[0] == all[1]);
  CHECK(page[1] == all[2]);
  CHECK(f.get("/api/ping-metrics", {{"offset", "7"}}).empty());

  SUBCASE("samples at one time are listed by target id") {
    f.add_sample(beta, f.now - 1s, 100);
    f.add_sample(alpha, f.now - 1s, 200);
    auto tied = f.get("/api/ping-metrics", {{"limit", "2"}});
    CHECK(tied[0]["target_host"] == "alpha");
    CHECK(tied[1]["target_host"] == "beta");
  }

  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"hours", "0"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"hours", "169"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"hours", "x"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"limit", "0"}}), "limit");
  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"limit", "10001"}}), "limit");
  check_invalid(f.call(Method::get, "/api/ping-metrics", {{"offset", "-1"}}), "offset");
}

TEST_CASE("serve seed: latest per host, and every listed id fetches its metric") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  auto beta = f.add_target("beta", "127.0.0.2");
  f.add_target("empty", "127.0.0.3");
  f.add_sample(alpha, f.now - 2min, 1500);
  f.add_sample(alpha, f.now - 1min + 250us, 1750);
  f.add_sample(beta, f.now - 3min, std::nullopt);

  auto latest = f.get("/api/ping-metrics/latest");
  CHECK(latest.size() == 2);
  CHECK_FALSE(latest.contains("empty"));
  CHECK(latest["alpha"]["response_time_ms"] == 1.75);
  CHECK(latest["alpha"]["timestamp"] == util::format_iso_utc(f.now - 1min + 250us));
  CHECK(latest["beta"]["packet_loss"] == true);
  CHECK(latest["beta"]["error_message"] == "timeout");

  for (const auto& [host, metric] : latest.items()) {
    CHECK(f.get("/api/ping-metrics/" + std::to_string(metric["id"].get<std::int64_t>())) == metric);
  }
  for (const auto& metric : f.get("/api/ping-metrics")) {
    CHECK(f.get("/api/ping-metrics/" + std::to_string(metric["id"].get<std::int64_t>())) == metric);
  }

  SUBCASE("ids that name no sample are 404, text is 422") {
    const auto absent = serve::seed::sample_id(alpha.id, f.now - 90s);
    CHECK(f.get("/api/ping-metrics/" + std::to_string(absent), {}, 404).contains("detail"));
    CHECK(f.get("/api/ping-metrics/" + std::to_string(serve::seed::sample_id(999, f.now - 2min)), {}, 404)
              .contains("detail"));
    f.get("/api/ping-metrics/0", {}, 404);
    f.get("/api/ping-metrics/-3", {}, 404);
    check_invalid(f.call(Method::get, "/api/ping-metrics/abc"), "metric_id");
    check_invalid(f.call(Method::get, "/api/ping-metrics/1.5"), "metric_id");
    check_invalid(f.call(Method::get, "/api/ping-metrics/99999999999999999999"), "metric_id");
  }
}

TEST_CASE("serve seed: live results come from the live state") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  auto live = f.get("/api/ping-metrics/live");
  CHECK(live["results"] == core::Json::object());
  CHECK(live["monitoring_active"] == false);
  CHECK(live["timestamp"] == util::format_iso_utc(f.now));

  core::Sample s;
  s.target_id = alpha.id;
  s.ts = f.now - 1s;
  s.rtt = 2345us;
  f.state.live.record(alpha, s);
  f.monitor.running = true;
  live = f.get("/api/ping-metrics/live");
  CHECK(live["monitoring_active"] == true);
  const auto& r = live["results"]["alpha"];
  CHECK(keys(r) == std::vector<std::string>{"host", "response_time_ms", "packet_loss", "timestamp", "error_message"});
  CHECK(r["host"] == "alpha");
  CHECK(r["response_time_ms"] == 2.345);
  CHECK(r["packet_loss"] == false);
  CHECK(r["timestamp"] == util::format_iso_utc(f.now - 1s));
  CHECK(r["error_message"].is_null());
}

TEST_CASE("serve seed: hosts with data and hosts monitored") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  f.add_target("quiet", "127.0.0.2");
  auto paused = f.add_target("paused", "127.0.0.3", true);
  auto gone = f.add_target("gone", "127.0.0.4");
  f.add_sample(alpha, f.now - 1min, 1000);
  f.add_sample(paused, f.now - 1min, 1000);
  f.add_sample(gone, f.now - 1min, 1000);
  REQUIRE(store::targets::remove(f.db, "gone", /*keep_data=*/true, f.now));

  auto hosts = f.get("/api/ping-metrics/hosts");
  CHECK(hosts["database_hosts"] == core::Json{"alpha", "gone", "paused"});
  CHECK(hosts["active_monitoring_hosts"] == core::Json{"alpha", "quiet"});
  CHECK(hosts["monitoring_active"] == false);
  // A retired target's data stays reachable by its name.
  CHECK(f.get("/api/ping-metrics", {{"host", "gone"}}).size() == 1);
}

TEST_CASE("serve seed: count") {
  SeedFixture f;
  auto alpha = f.add_target("alpha", "127.0.0.1");
  auto beta = f.add_target("beta", "127.0.0.2");
  f.add_sample(alpha, f.now - 400h, 1000);
  f.add_sample(alpha, f.now - 30min, 1000);
  f.add_sample(beta, f.now - 3h, std::nullopt);
  f.add_sample(beta, f.now - 10min, 1000);

  CHECK(f.get("/api/ping-metrics/count") == core::Json{{"count", 4}});
  CHECK(f.get("/api/ping-metrics/count", {{"hours", "1"}})["count"] == 2);
  CHECK(f.get("/api/ping-metrics/count", {{"hours", "5000"}})["count"] == 4);
  CHECK(f.get("/api/ping-metrics/count", {{"host", "alpha"}})["count"] == 2);
  CHECK(f.get("/api/ping-metrics/count", {{"host", "127.0.0.2"}, {"hours", "2"}})["count"] == 1);
  CHECK(f.get("/api/ping-metrics/count", {{"host", "nobody"}})["count"] == 0);
  check_invalid(f.call(Method::get, "/api/ping-metrics/count", {{"hours", "0"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics/count", {{"hours", "one"}}), "hours");
}

TEST_SUITE_END();
