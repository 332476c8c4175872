#include "test_serve_v1_fixture.hpp"

#include "query/downtime.hpp"
#include "query/series.hpp"
#include "query/stats.hpp"
#include "report/csv.hpp"
#include "serve/v1_params.hpp"
#include "util/strings.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

using pk::serve::Method;
using namespace std::chrono_literals;

namespace {

// "lo" with a day of samples every 2 s from k_monday, lost from 3:00 to 3:05.
struct DataApi : pk::test::V1Api {
  std::vector<pk::core::Sample> samples;
  DataApi() {
    pk::test::History h;
    h.lost = {{3h, 3h + 5min}};
    samples = h.samples(target.id);
    insert(samples);
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve v1: samples come in pages that a cursor continues, as JSON or CSV") {
  DataApi api;
  const std::string range = "since=2026-03-02T01:00:00Z&until=2026-03-02T02:00:00Z";
  auto first = api.json(api.get("/api/v1/targets/lo/samples?" + range + "&limit=1000"));
  REQUIRE(first["samples"].size() == 1000);
  REQUIRE(first["next_cursor"].is_string());
  auto second = api.json(
      api.get("/api/v1/targets/lo/samples?" + range + "&limit=1000&cursor=" + first["next_cursor"].get<std::string>()));
  CHECK(second["next_cursor"].is_null());
  auto expected = pk::test::between(api.samples, pk::test::k_monday + 1h, pk::test::k_monday + 2h);
  REQUIRE(first["samples"].size() + second["samples"].size() == expected.size());
  std::size_t i = 0;
  for (const auto* page : {&first, &second}) {
    for (const auto& s : (*page)["samples"]) CHECK(s == pk::core::to_json(expected[i++], "lo"));
  }

  auto csv = api.call(Method::get, "/api/v1/targets/lo/samples?" + range + "&limit=10", {}, {{"accept", "text/csv"}});
  CHECK(csv.status == 200);
  CHECK(csv.content_type.starts_with("text/csv"));
  auto lines = pk::util::split(csv.body, '\n');
  REQUIRE(lines.size() == 12);  // header, 10 rows, the empty rest after the last CRLF
  CHECK(lines[0] == "target,time,rtt_ms,status,ttl\r");
  CHECK(lines[1].starts_with("lo,2026-03-02T01:00:00Z,"));
  bool has_cursor = false;
  for (const auto& [name, value] : csv.headers) has_cursor |= name == "X-Next-Cursor";
  CHECK(has_cursor);

  CHECK(api.detail(api.get("/api/v1/targets/lo/samples?cursor=%21%21"), 422).find("cursor") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/targets/lo/samples?limit=0"), 422).find("limit") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/targets/lo/samples?since=yesterdayish"), 422).find("since") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/targets/lo/samples?since=2026-03-03&until=2026-03-02"), 422)
            .find("since must be before until") != std::string::npos);
  api.detail(api.get("/api/v1/targets/nope/samples"), 404);
}

TEST_CASE("serve v1: cursors round-trip and only what the server wrote is accepted") {
  for (std::int64_t us : {0LL, 1LL, 1'772'409'600'000'000LL, 1'772'409'600'123'457LL}) {
    const auto t = pk::util::from_epoch_us(us);
    const auto text = pk::serve::v1::encode_cursor(t);
    CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(pk::serve::v1::decode_cursor(text) == t);
  }
  CHECK_FALSE(pk::serve::v1::decode_cursor(""));
  CHECK_FALSE(pk::serve::v1::decode_cursor("abc="));
  CHECK_FALSE(pk::serve::v1::decode_cursor("YWJj"));  // "abc"
}

TEST_CASE("serve v1: latest is the newest sample") {
  DataApi api;
  auto latest = api.json(api.get("/api/v1/targets/lo/latest"));
  CHECK(latest["sample"] == pk::core::to_json(api.samples.back(), "lo"));
  api.json(api.call(Method::post, "/api/v1/targets", R"({"host": "127.0.0.5", "name": "empty", "paused": true})"), 201);
  CHECK(api.json(api.get("/api/v1/targets/empty/latest"))["sample"].is_null());
  api.detail(api.get("/api/v1/targets/nope/latest"), 404);
}

TEST_CASE("serve v1: stats answer what query::stats gives the CLI for the same query") {
  DataApi api;
  for (const char* by : {"", "1h"}) {
    CAPTURE(by);
    pk::query::StatsQuery q;
    q.targets = {api.target};
    q.from = pk::test::k_monday + 1h;
    q.to = pk::test::k_monday + 5h;
    q.zone = *pk::util::locate_zone("UTC");
    std::string url = "/api/v1/stats?target=lo&since=2026-03-02T01:00:00Z&until=2026-03-02T05:00:00Z";
    if (*by != '\0') {
      q.by = *pk::analyze::parse_period(by);
      url += std::string("&by=") + by;
    }
    auto reader = api.reader();
    auto rows = pk::query::stats(reader, q);
    REQUIRE(rows);
    auto expected = pk::core::Json::array();
    for (const auto& s : *rows) expected.push_back(pk::query::to_json(s));
    CHECK(api.json(api.get(url)) == expected);
    CHECK(expected.size() == (*by == '\0' ? 1U : 4U));
  }
  // Every target by default; a relative range from the server's clock.
  auto all = api.json(api.get("/api/v1/stats?last=24h"));
  REQUIRE(all.size() == 1);
  CHECK(all[0]["from"] == "2026-03-02T01:00:00Z");
  CHECK(all[0]["to"] == "2026-03-03T01:00:00Z");

  CHECK(api.detail(api.get("/api/v1/stats?by=2h"), 422).find("by") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/stats?source=disk"), 422).find("source") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/stats?min_duration=long"), 422).find("min_duration") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/stats?tz=Mars/Base"), 422).find("tz") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/stats?last=1h&since=-2h"), 422).find("last") != std::string::npos);
  api.detail(api.get("/api/v1/stats?target=nope"), 404);
  api.detail(api.get("/api/v1/stats?job=nope"), 404);
}

TEST_CASE("serve v1: downtime and series are the CLI's JSON") {
  DataApi api;
  const auto from = pk::test::k_monday;
  const auto to = pk::test::k_monday + 6h;
  const std::string range = "since=2026-03-02T00:00:00Z&until=2026-03-02T06:00:00Z";
  {
    auto reader = api.reader();
    auto report = pk::query::downtime(reader, api.target, from, to, 30s);
    REQUIRE(report);
    auto body = api.json(api.get("/api/v1/targets/lo/downtime?" + range));
    CHECK(body == pk::query::to_json(*report));
    REQUIRE(body["periods"].size() == 1);
    CHECK(body["periods"][0]["start"] == "2026-03-02T03:00:00Z");
    CHECK(api.json(api.get("/api/v1/targets/lo/downtime?" + range + "&min_duration=10m"))["periods"].empty());
  }
  {
    auto reader = api.reader();
    auto s = pk::query::series(reader, api.target, {from, to, 100, pk::query::Metric::p95});
    REQUIRE(s);
    auto body = api.json(api.get("/api/v1/targets/lo/series?" + range + "&points=100&metric=p95"));
    CHECK(body["points_requested"] == 100);
    CHECK(body["points_returned"] == s->points.size());
    CHECK(body["points_returned"].get<int>() <= 100);
    CHECK(body["data"] == pk::query::to_json(*s)["points"]);
    CHECK(body["data_source"] == "raw");
    CHECK(body["metric"] == "p95");
  }
  CHECK(api.detail(api.get("/api/v1/targets/lo/series?points=0"), 422).find("points") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/targets/lo/series?metric=p42"), 422).find("metric") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/targets/lo/downtime?min_duration=x"), 422).find("min_duration") !=
        std::string::npos);
  api.detail(api.get("/api/v1/targets/nope/series"), 404);
  api.detail(api.get("/api/v1/targets/nope/downtime"), 404);
}

TEST_CASE("serve v1: exports are files to send and delete, CSV as report::write_csv writes it, or a workbook") {
  DataApi api;
  auto csv = api.get(
      "/api/v1/export?format=csv&target=lo&since=2026-03-02T01:00:00Z&until=2026-03-02T01:01:00Z"
      "&resolution=raw");
  REQUIRE(csv.status == 200);
  REQUIRE(csv.file);
  CHECK(csv.delete_file);
  CHECK(csv.content_type.starts_with("text/csv"));
  REQUIRE(csv.headers.size() == 1);
  CHECK(csv.headers[0].first == "Content-Disposition");
  CHECK(csv.headers[0].second == "attachment; filename=\"pingkeeper-20260302T010000Z-20260302T010100Z.csv\"");
  const auto text = read_file(*csv.file);
  std::filesystem::remove(*csv.file);
  auto lines = pk::util::split(text, '\n');
  REQUIRE(lines.size() == 32);  // header, 30 samples, the empty rest
  CHECK(lines[0] == pk::util::join(pk::report::csv_header(pk::analyze::Tier::raw), ",") + "\r");
  CHECK(lines[1].starts_with("lo,127.0.0.1,2026-03-02T01:00:00"));

  auto xlsx = api.get("/api/v1/export?format=xlsx&since=2026-03-02T00:00:00Z&until=2026-03-02T06:00:00Z");
  REQUIRE(xlsx.status == 200);
  REQUIRE(xlsx.file);
  CHECK(xlsx.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(read_file(*xlsx.file).starts_with("PK"));  // a zip
  std::filesystem::remove(*xlsx.file);

  CHECK(api.detail(api.get("/api/v1/export?format=pdf"), 422).find("format") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/export?resolution=5m"), 422).find("resolution") != std::string::npos);
  CHECK(api.detail(api.get("/api/v1/export?format=xlsx&bom=true"), 422).find("bom") != std::string::npos);
  api.detail(api.get("/api/v1/export?target=nope"), 404);
}

TEST_CASE("serve v1: health reports the database, the collector, targets and clients") {
  DataApi api;
  auto health = api.json(api.get("/api/v1/health"));
  CHECK(health["status"] == "ok");
  CHECK(health["database"] == "ok");
  CHECK(health["collector"] == "unknown");  // no Monitor set
  CHECK(health["targets"]["total"] == 1);
  CHECK(health["targets"]["paused"] == 1);
  CHECK(health["websocket_clients"] == 0);
  CHECK(health["version"] == PK_VERSION);
}

TEST_SUITE_END();
