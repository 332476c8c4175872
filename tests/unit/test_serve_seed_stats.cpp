#include "test_serve_seed.hpp"

TEST_SUITE_BEGIN("serve");

using namespace pk;
using namespace pk::test;
using serve::Method;

namespace {

// alpha: 10, 20, 30 ms and one loss; beta: 100, 100 ms. Ten minutes ago.
struct TwoHosts : SeedFixture {
  core::Target alpha = add_target("alpha", "127.0.0.1");
  core::Target beta = add_target("beta", "127.0.0.2");
  TwoHosts() {
    const auto start = now - 10min;
    add_sample(alpha, start, 10'000);
    add_sample(alpha, start + 1s, 20'000);
    add_sample(alpha, start + 2s, 30'000);
    add_sample(alpha, start + 3s, std::nullopt);
    add_sample(beta, start, 100'000);
    add_sample(beta, start + 1s, 100'000);
  }
};

}  // namespace

TEST_CASE("serve seed: statistics merge every host's data, never averaging averages") {
  TwoHosts f;
  auto s = f.get("/api/ping-metrics/statistics");
  CHECK(keys(s) == std::vector<std::string>{"total_pings", "avg_response_time", "min_response_time",
                                            "max_response_time", "median_response_time", "p95_response_time",
                                            "packet_loss_rate", "uptime_percentage", "hours_analyzed"});
  CHECK(s["total_pings"] == 6);
  CHECK(s["avg_response_time"] == 52.0);  // (10 + 20 + 30 + 100 + 100) / 5, not (20 + 100) / 2
  CHECK(s["min_response_time"] == 10.0);
  CHECK(s["max_response_time"] == 100.0);
  // Several hosts: from the merged quantile sketch (within 1 %).
  CHECK(s["median_response_time"].get<double>() == doctest::Approx(30.0).epsilon(0.01));
  CHECK(s["p95_response_time"].get<double>() == doctest::Approx(100.0).epsilon(0.01));
  CHECK(s["packet_loss_rate"] == 16.6667);
  CHECK(s["uptime_percentage"] == 83.3333);
  CHECK(s["hours_analyzed"] == 24);
  CHECK_FALSE(s.contains("minutes_analyzed"));

  auto alpha = f.get("/api/ping-metrics/statistics", {{"host", "alpha"}, {"hours", "1"}});
  CHECK(alpha["total_pings"] == 4);
  CHECK(alpha["avg_response_time"] == 20.0);
  CHECK(alpha["median_response_time"] == 20.0);  // one host: exact, from its raw samples
  CHECK(alpha["p95_response_time"] == 20.0);
  CHECK(alpha["packet_loss_rate"] == 25.0);
  CHECK(alpha["uptime_percentage"] == 75.0);
  CHECK(alpha["hours_analyzed"] == 1);
  CHECK(f.get("/api/ping-metrics/statistics", {{"host", "127.0.0.2"}})["avg_response_time"] == 100.0);

  auto by_minutes = f.get("/api/ping-metrics/statistics", {{"minutes", "15"}});
  CHECK(by_minutes["total_pings"] == 6);
  CHECK(by_minutes["hours_analyzed"] == 0.25);
  CHECK(by_minutes["minutes_analyzed"] == 15);
  CHECK(f.get("/api/ping-metrics/statistics", {{"minutes", "120"}, {"hours", "5"}})["hours_analyzed"] == 2);

  auto none = f.get("/api/ping-metrics/statistics", {{"minutes", "5"}});
  CHECK(none["total_pings"] == 0);
  CHECK(none["avg_response_time"].is_null());
  CHECK(none["median_response_time"].is_null());
  CHECK(none["packet_loss_rate"].is_null());
  CHECK(none["uptime_percentage"].is_null());
  CHECK(f.get("/api/ping-metrics/statistics", {{"host", "nobody"}})["total_pings"] == 0);

  check_invalid(f.call(Method::get, "/api/ping-metrics/statistics", {{"hours", "0"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics/statistics", {{"hours", "169"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics/statistics", {{"minutes", "0"}}), "minutes");
  check_invalid(f.call(Method::get, "/api/ping-metrics/statistics", {{"minutes", "10081"}}), "minutes");
  check_invalid(f.call(Method::get, "/api/ping-metrics/statistics", {{"minutes", "5m"}}), "minutes");
}

TEST_CASE("serve seed: host summary") {
  TwoHosts f;
  auto s = f.get("/api/ping-metrics/hosts/alpha/summary");
  CHECK(keys(s) == std::vector<std::string>{"host", "hours_analyzed", "minutes_analyzed", "total_pings",
                                            "avg_response_time", "min_response_time", "max_response_time",
                                            "median_response_time", "p95_response_time", "packet_losses",
                                            "packet_loss_rate", "uptime_percentage", "first_ping", "last_ping"});
  CHECK(s["host"] == "alpha");
  CHECK(s["hours_analyzed"] == 24);
  CHECK(s["minutes_analyzed"] == 1440);
  CHECK(s["total_pings"] == 4);
  CHECK(s["avg_response_time"] == 20.0);
  CHECK(s["min_response_time"] == 10.0);
  CHECK(s["max_response_time"] == 30.0);
  CHECK(s["median_response_time"] == 20.0);
  CHECK(s["p95_response_time"] == 20.0);
  CHECK(s["packet_losses"] == 1);
  CHECK(s["packet_loss_rate"] == 25.0);
  CHECK(s["uptime_percentage"] == 75.0);
  CHECK(s["first_ping"] == util::format_iso_utc(f.now - 10min));
  CHECK(s["last_ping"] == util::format_iso_utc(f.now - 10min + 3s));

  auto by_address = f.get("/api/ping-metrics/hosts/127.0.0.2/summary", {{"hours", "168"}});
  CHECK(by_address["host"] == "127.0.0.2");
  CHECK(by_address["total_pings"] == 2);
  CHECK(by_address["minutes_analyzed"] == 168 * 60);

  f.now += 2h;  // the samples are outside the last hour
  auto empty = f.get("/api/ping-metrics/hosts/alpha/summary", {{"hours", "1"}});
  CHECK(empty["total_pings"] == 0);
  CHECK(empty["first_ping"].is_null());
  CHECK(empty["last_ping"].is_null());

  CHECK(f.get("/api/ping-metrics/hosts/nobody/summary", {}, 404)["detail"] ==
        "host 'nobody' is not monitored and has no data");
  check_invalid(f.call(Method::get, "/api/ping-metrics/hosts/alpha/summary", {{"hours", "0"}}), "hours");
  check_invalid(f.call(Method::get, "/api/ping-metrics/hosts/alpha/summary", {{"hours", "200"}}), "hours");
}

TEST_CASE("serve seed: host downtime") {
  SeedFixture f;
  auto gamma = f.add_target("gamma", "127.0.0.3");
  const auto start = f.now - 2h;
  // Answers for 100 s, 60 losses, then answers again.
  for (int i = 0; i < 300; ++i) {
    f.add_sample(gamma, start + std::chrono::seconds{i},
                 i >= 100 && i < 160 ? std::nullopt : std::optional<std::int64_t>{1000});
  }
  auto d = f.get("/api/ping-metrics/hosts/gamma/downtime");
  CHECK(d["host"] == "gamma");
  CHECK(d["hours_analyzed"] == 24);
  CHECK(d["min_duration_seconds"] == 30);
  CHECK(d["total_downtime_events"] == 1);
  REQUIRE(d["downtime_periods"].size() == 1);
  CHECK(keys(d) == std::vector<std::string>{"host", "hours_analyzed", "min_duration_seconds", "downtime_periods",
                                            "total_downtime_events"});
  const auto& p = d["downtime_periods"][0];
  CHECK(keys(p) == std::vector<std::string>{"start_time", "end_time", "duration_seconds", "affected_pings", "ongoing",
                                            "target_host"});
  CHECK(p["start_time"] == util::format_iso_utc(start + 100s));
  CHECK(p["end_time"] == util::format_iso_utc(start + 160s));
  CHECK(p["duration_seconds"] == 60.0);
  CHECK(p["affected_pings"] == 60);

  CHECK(f.get("/api/ping-metrics/hosts/127.0.0.3/downtime", {{"min_duration", "60"}})["total_downtime_events"] == 1);
  auto longer = f.get("/api/ping-metrics/hosts/gamma/downtime", {{"min_duration", "61"}});
  CHECK(longer["total_downtime_events"] == 0);
  CHECK(longer["downtime_periods"] == core::Json::array());
  CHECK(f.get("/api/ping-metrics/hosts/gamma/downtime", {{"hours", "1"}})["total_downtime_events"] == 0);

  f.get("/api/ping-metrics/hosts/nobody/downtime", {}, 404);
  check_invalid(f.call(Method::get, "/api/ping-metrics/hosts/gamma/downtime", {{"min_duration", "0"}}), "min_duration");
  check_invalid(f.call(Method::get, "/api/ping-metrics/hosts/gamma/downtime", {{"hours", "169"}}), "hours");
}

TEST_SUITE_END();
