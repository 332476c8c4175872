#include "fixture.hpp"

#include "core/target.hpp"
#include "store/db.hpp"
#include "store/targets.hpp"
#include "store/traces.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

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

  // A reached UDP trace of far through `hops` (the last one is the
  // destination; "" = a silent hop), two queries per hop.
  core::Trace trace_via(const std::vector<std::string>& hops, util::SysMicros at) const {
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
    t.hop_count = static_cast<int>(hops.size());
    t.reached = true;
    for (int ttl = 1; ttl <= t.hop_count; ++ttl) {
      const bool last = ttl == t.hop_count;
      for (int q = 1; q <= 2; ++q) {
        core::TraceProbe p;
        p.ttl = ttl;
        p.query = q;
        const std::string& address = hops[static_cast<std::size_t>(ttl - 1)];
        if (!address.empty()) {
          p.address = address;
          p.rtt = std::chrono::microseconds{100 * ttl + q};
          p.reply = last ? core::HopReply::reached : core::HopReply::time_exceeded;
          p.icmp_type = last ? 3 : 11;
          p.icmp_code = last ? 3 : 0;
          if (ttl == 1) p.hostname = "r1.test";
        }
        t.probes.push_back(p);
      }
    }
    return t;
  }

  // Through 10.0.1.1, then `middle` at hop 2, to 10.0.3.2 at hop 3.
  core::Trace trace(const std::string& middle, util::SysMicros at) const {
    return trace_via({"10.0.1.1", middle, "10.0.3.2"}, at);
  }

  std::int64_t count(const char* table) const {
    auto st = db.prepare(fmt::format("SELECT count(*) FROM {}", table));
    REQUIRE(st.step());
    return st.int64(0);
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

TEST_CASE_FIXTURE(TraceFixture, "traces: only traces taken the same way are compared") {
  auto a = trace("10.0.2.1", k_t0);
  auto short_one = trace_via({"10.0.1.1", "10.0.9.1"}, k_t0 + 1min);  // --max-hops 2: stops short
  short_one.max_hops = 2;
  short_one.reached = false;
  auto from3 = trace_via({"10.0.3.2"}, k_t0 + 2min);  // --first-ttl 3
  from3.first_ttl = 3;
  for (auto& p : from3.probes) p.ttl = 3;
  auto b = trace("10.0.2.1", k_t0 + 3min);
  for (auto* t : {&a, &short_one, &from3, &b}) REQUIRE(store::traces::save(db, *t));
  CHECK_FALSE(short_one.path_changed);  // the first with --max-hops 2
  CHECK_FALSE(from3.path_changed);      // the first from TTL 3
  CHECK_FALSE(b.path_changed);          // compared with a, not with the partial traces
  auto c = trace("10.0.7.1", k_t0 + 4min);
  REQUIRE(store::traces::save(db, c));
  CHECK(c.path_changed);
}

TEST_CASE_FIXTURE(TraceFixture, "traces: a change is marked once, not again against the path before it") {
  auto t1 = trace_via({"10.0.1.1", "10.0.2.1", "10.0.3.1", "10.0.3.2"}, k_t0);
  auto t2 = trace_via({"10.0.1.1", "10.0.2.9", "", "10.0.3.2"}, k_t0 + 10min);  // new hop 2, hop 3 silent
  auto t3 = trace_via({"10.0.1.1", "10.0.2.9", "10.0.3.9", "10.0.3.2"}, k_t0 + 20min);
  auto t4 = trace_via({"10.0.1.1", "10.0.2.9", "10.0.3.9", "10.0.3.2"}, k_t0 + 30min);
  for (auto* t : {&t1, &t2, &t3, &t4}) REQUIRE(store::traces::save(db, *t));
  CHECK(t2.path_changed);
  CHECK_FALSE(t3.path_changed);  // hop 3 was unknown since the change: not compared with t1's
  CHECK_FALSE(t4.path_changed);
  // A hop silent once, with the path otherwise the same: compared with the last answer.
  auto t5 = trace_via({"10.0.1.1", "", "10.0.3.9", "10.0.3.2"}, k_t0 + 40min);
  auto t6 = trace_via({"10.0.1.1", "10.0.2.5", "10.0.3.9", "10.0.3.2"}, k_t0 + 50min);
  for (auto* t : {&t5, &t6}) REQUIRE(store::traces::save(db, *t));
  CHECK_FALSE(t5.path_changed);
  CHECK(t6.path_changed);  // 10.0.2.5 vs 10.0.2.9 from t4, behind t5's silence
}

TEST_CASE_FIXTURE(TraceFixture, "traces without a target are compared by host") {
  auto h1 = trace("10.0.2.1", k_t0);
  h1.target_id.reset();
  h1.host = h1.target = "h1.test";
  auto h2 = trace("10.0.2.9", k_t0 + 1min);
  h2.target_id.reset();
  h2.host = h2.target = "h2.test";
  auto h1_again = trace("10.0.2.7", k_t0 + 2min);
  h1_again.target_id.reset();
  h1_again.host = h1_again.target = "h1.test";
  for (auto* t : {&h1, &h2, &h1_again}) REQUIRE(store::traces::save(db, *t));
  CHECK_FALSE(h2.path_changed);  // another host
  CHECK(h1_again.path_changed);
  CHECK(store::traces::get(db, h1.id)->target == "h1.test");
}

TEST_CASE_FIXTURE(TraceFixture, "traces: a removed job is stored as none, a removed target not at all") {
  auto t = trace("10.0.2.1", k_t0);
  t.job_id = 77;  // no such job
  REQUIRE(store::traces::save(db, t));
  CHECK_FALSE(store::traces::get(db, t.id)->job_id);
  auto gone = trace("10.0.2.1", k_t0 + 1min);
  gone.target_id = far_id + 100;
  auto saved = store::traces::save(db, gone);
  REQUIRE_FALSE(saved);
  CHECK(saved.error().kind == ErrorKind::not_found);
  CHECK(count("traces") == 1);
}

TEST_CASE_FIXTURE(TraceFixture,
                  "traces: retention keeps the newest trace of each series; last_started counts job traces") {
  std::vector<core::Trace> old;
  for (int i = 0; i < 5; ++i) old.push_back(trace("10.0.2.1", k_t0 + std::chrono::minutes{i}));
  auto icmp = trace("10.0.2.1", k_t0 + 10min);
  icmp.method = core::TraceMethod::icmp;
  icmp.port = 0;
  for (auto& t : old) REQUIRE(store::traces::save(db, t));
  REQUIRE(store::traces::save(db, icmp));
  CHECK(*store::traces::last_started(db, far_id) == std::nullopt);  // none taken by a job
  auto by_job = trace("10.0.2.1", k_t0 + 20min);
  db.exec("INSERT INTO jobs (name, interval_ms, created_at, updated_at) VALUES ('j', 1000, 0, 0)");
  by_job.job_id = db.last_insert_rowid();
  REQUIRE(store::traces::save(db, by_job));
  CHECK(*store::traces::last_started(db, far_id) == k_t0 + 20min);

  // Everything is older than the cut; in batches of 2.
  std::int64_t deleted = 0;
  for (int round = 0; round < 10; ++round) {
    auto n = store::traces::erase_before(db, k_t0 + 1h, 2);
    REQUIRE(n);
    deleted += *n;
    if (*n < 2) break;
  }
  CHECK(deleted == 5);  // the UDP series keeps by_job (its newest), ICMP keeps its only one
  auto left = store::traces::list(db, {});
  REQUIRE(left->size() == 2);
  CHECK((*left)[0].id == icmp.id);
  CHECK((*left)[1].id == by_job.id);
  CHECK(count("trace_hops") == 2 * 6);
  CHECK(*store::traces::erase_before(db, k_t0 + 1h, 100) == 0);
}

TEST_SUITE_END();
