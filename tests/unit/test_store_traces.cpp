#include "fixture.hpp"

#include "core/target.hpp"
#include "store/db.hpp"
#include "store/targets.hpp"
#include "store/traces.hpp"

#include <doctest/doctest.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("store");

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'000'000'000);

struct TraceFixture {
  test::TempDir dir;
  store::Database db = *store::Database::open(dir.file("a.db"));
  std::int64_t far_id = 0;
  TraceFixture() {
    core::TargetPatch p;
    p.name = "far";
    auto target = core::make_target("10.0.3.2", p);
    REQUIRE(target);
    REQUIRE(store::targets::add(db, {*target}, k_t0));
    far_id = store::targets::find(db, "far")->id;
  }

  // A reached UDP trace to 10.0.3.2 through `middle` at hop 2 (silent when
  // empty), two queries per hop; the destination at hop 3.
  core::Trace trace(const std::string& middle, util::SysMicros at) const {
    core::Trace t;
    t.target_id = far_id;
    t.target = "far";
    t.host = t.address = "10.0.3.2";
    t.method = core::TraceMethod::udp;
    t.port = 33434;
    t.started_at = at;
    t.duration = 1200us;
    t.max_hops = 30;
    t.queries = 2;
    t.hop_count = 3;
    t.reached = true;
    for (int ttl = 1; ttl <= 3; ++ttl) {
      for (int q = 1; q <= 2; ++q) {
        core::TraceProbe p;
        p.ttl = ttl;
        p.query = q;
        const std::string address = ttl == 1 ? "10.0.1.1" : ttl == 2 ? middle : "10.0.3.2";
        if (!address.empty()) {
          p.address = address;
          p.rtt = std::chrono::microseconds{100 * ttl + q};
          p.reply = ttl == 3 ? core::HopReply::reached : core::HopReply::time_exceeded;
          p.icmp_type = ttl == 3 ? 3 : 11;
          p.icmp_code = ttl == 3 ? 3 : 0;
          if (ttl == 1) p.hostname = "r1.test";
        }
        t.probes.push_back(p);
      }
    }
    return t;
  }
};

}  // namespace

TEST_CASE_FIXTURE(TraceFixture, "traces: saved and read back whole") {
  auto t = trace("10.0.2.1", k_t0);
  REQUIRE(store::traces::save(db, t));
  CHECK(t.id > 0);
  CHECK(t.path_hash.size() == 16);
  CHECK_FALSE(t.path_changed);  // the first trace of a target never is
  auto back = store::traces::get(db, t.id);
  REQUIRE(back);
  CHECK(back->target == "far");
  CHECK(back->target_id == far_id);
  CHECK(back->method == core::TraceMethod::udp);
  CHECK(back->port == 33434);
  CHECK(back->started_at == k_t0);
  CHECK(back->duration == 1200us);
  CHECK(back->hop_count == 3);
  CHECK(back->reached);
  CHECK(back->path_hash == t.path_hash);
  CHECK(back->probes == t.probes);
  CHECK(store::traces::get(db, t.id + 1).error().kind == ErrorKind::not_found);
}

TEST_CASE_FIXTURE(TraceFixture, "traces: a path change is marked against the previous trace of the same method") {
  auto a = trace("10.0.2.1", k_t0);
  auto b = trace("", k_t0 + 10min);          // hop 2 silent: not a change
  auto c = trace("10.0.9.1", k_t0 + 20min);  // another router: a change
  auto d = trace("10.0.9.1", k_t0 + 30min);  // the same again: not
  auto icmp = trace("10.0.2.1", k_t0 + 40min);
  icmp.method = core::TraceMethod::icmp;
  icmp.port = 0;
  for (auto* t : {&a, &b, &c, &d, &icmp}) REQUIRE(store::traces::save(db, *t));
  CHECK_FALSE(b.path_changed);
  CHECK(c.path_changed);
  CHECK_FALSE(d.path_changed);
  CHECK_FALSE(icmp.path_changed);  // the first ICMP trace: compared with no UDP trace
  CHECK(c.path_hash == d.path_hash);
  CHECK(a.path_hash != c.path_hash);

  auto all = store::traces::list(db, {far_id, std::nullopt, std::nullopt, std::nullopt});
  REQUIRE(all);
  REQUIRE(all->size() == 5);
  CHECK((*all)[0].id == a.id);
  CHECK((*all)[2].path_changed);
  CHECK((*all)[4].method == core::TraceMethod::icmp);
  CHECK((*all)[1].probes.size() == 6);

  auto recent = store::traces::list(db, {far_id, k_t0 + 15min, k_t0 + 35min, std::nullopt});
  REQUIRE(recent);
  REQUIRE(recent->size() == 2);
  CHECK((*recent)[0].id == c.id);
  auto newest = store::traces::list(db, {std::nullopt, std::nullopt, std::nullopt, 2});
  REQUIRE(newest);
  REQUIRE(newest->size() == 2);
  CHECK((*newest)[0].id == d.id);  // the newest two, oldest first
  CHECK((*newest)[1].id == icmp.id);
}

TEST_CASE_FIXTURE(TraceFixture, "traces: removing the target removes its traces and hops") {
  auto a = trace("10.0.2.1", k_t0);
  REQUIRE(store::traces::save(db, a));
  REQUIRE(store::targets::remove(db, "far", /*keep_data=*/false, k_t0 + 1h));
  CHECK(store::traces::list(db, {})->empty());
  auto st = db.prepare("SELECT count(*) FROM trace_hops");
  REQUIRE(st.step());
  CHECK(st.int64(0) == 0);
}

TEST_SUITE_END();
