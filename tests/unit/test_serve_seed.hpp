#pragma once

// A ServeState on a temporary database with the seed 000 routes, a fixed
// clock and a fake collector, for the test_serve_seed_*.cpp cases: data is
// written through lib/store and read back through the route handlers.

#include "fixture.hpp"

#include "core/target.hpp"
#include "serve/http.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"
#include "store/db.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pk::test {

using namespace std::chrono_literals;

// 2026-03-02T12:00:00Z.
inline const util::SysMicros k_seed_now = util::from_epoch_us(1'772'452'800'000'000);

// A collector that is only a flag; `refuse` makes start() fail as a busy
// lock would.
class FakeMonitor : public serve::Monitor {
 public:
  bool running = false;
  std::optional<Error> refuse;
  bool active() const override { return running; }
  Expected<void> start() override {
    if (refuse) return std::unexpected(*refuse);
    running = true;
    return {};
  }
  Expected<void> stop() override {
    running = false;
    return {};
  }
};

inline serve::ServeOptions seed_options(std::string path) {
  serve::ServeOptions o;
  o.db_path = std::move(path);
  return o;
}

struct SeedFixture {
  TempDir dir;
  store::Database db = store::Database::open(dir.file("pk.db")).value();
  serve::ServeState state{seed_options(dir.file("pk.db"))};
  serve::Router router;
  FakeMonitor monitor;
  util::SysMicros now = k_seed_now;

  SeedFixture() {
    serve::add_seed_routes(router);
    state.monitor = &monitor;
    state.clock = [this] { return now; };
  }

  core::Target add_target(const std::string& name, const std::string& host, bool paused = false,
                          util::Micros interval = 1s) {
    core::TargetPatch patch;
    patch.name = name;
    patch.paused = paused;
    patch.interval = interval;
    auto t = core::make_target(host, patch);
    REQUIRE(t);
    auto added = store::targets::add(db, {*t}, now - 400h);
    REQUIRE(added);
    return added->front();
  }

  // A sample of `target` at `ts`: answered in `rtt_us`, or lost (timeout).
  void add_sample(const core::Target& target, util::SysMicros ts, std::optional<std::int64_t> rtt_us,
                  std::optional<std::string> detail = std::nullopt) {
    core::Sample s;
    s.target_id = target.id;
    s.ts = ts;
    if (rtt_us) s.rtt = util::Micros{*rtt_us};
    s.status = rtt_us ? core::SampleStatus::ok : core::SampleStatus::timeout;
    s.detail = std::move(detail);
    REQUIRE(store::samples::insert_batch(db, std::span(&s, 1)));
  }

  serve::Response call(serve::Method method, const std::string& path,
                       std::vector<std::pair<std::string, std::string>> query = {}, std::string body = {}) {
    auto match = router.match(method, path);
    REQUIRE_MESSAGE(match.handler != nullptr, path);
    serve::Request r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.body = std::move(body);
    r.params = match.params;
    return (*match.handler)(r, state);
  }

  // GET `path`, expecting `status`; the body as JSON.
  core::Json get(const std::string& path, std::vector<std::pair<std::string, std::string>> query = {},
                 int status = 200) {
    auto resp = call(serve::Method::get, path, std::move(query));
    CHECK_MESSAGE(resp.status == status, path, " ", resp.body);
    return core::Json::parse(resp.body);
  }
};

// The keys of a JSON object, in order.
inline std::vector<std::string> keys(const core::Json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) out.push_back(key);
  return out;
}

// Checks a 422 answer naming `what` in its detail.
inline void check_invalid(const serve::Response& resp, const std::string& what) {
  CHECK(resp.status == 422);
  auto detail = core::Json::parse(resp.body).at("detail").get<std::string>();
  CHECK_MESSAGE(detail.find(what) != std::string::npos, detail);
}

}  // namespace pk::test
