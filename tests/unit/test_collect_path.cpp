#include "fixture.hpp"

#include "collect/collector.hpp"
#include "collect/path_tracer.hpp"
#include "store/jobs.hpp"
#include "store/targets.hpp"
#include "store/traces.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("collect");

namespace {

// A tracer that answers at once: a two-hop path through `middle` to the
// destination, one query per hop.
class FakeTracer : public probe::Tracer {
 public:
  explicit FakeTracer(std::string middle, std::chrono::milliseconds delay = 0ms)
      : m_middle(std::move(middle)), m_delay(delay) {}

  Expected<core::Trace> run(const probe::TraceRequest& r, const std::atomic<bool>&) override {
    std::this_thread::sleep_for(m_delay);
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(r);
    }
    core::Trace t;
    t.address = r.destination.to_string();
    t.method = r.method;
    t.port = r.port;
    t.started_at = util::now_utc();
    t.duration = 2ms;
    t.queries = 1;
    t.hop_count = 2;
    t.reached = true;
    t.probes.push_back({1, 1, core::HopReply::time_exceeded, m_middle, std::nullopt, 1ms, 11, 0});
    t.probes.push_back({2, 1, core::HopReply::reached, t.address, std::nullopt, 2ms, 0, 0});
    return t;
  }

  std::vector<probe::TraceRequest> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  std::string m_middle;
  std::chrono::milliseconds m_delay;
  mutable std::mutex m_mutex;
  std::vector<probe::TraceRequest> m_requests;
};

class NullProber : public probe::Prober {
 public:
  void send(const probe::Probe&) override {}
  void poll(probe::SteadyTime deadline, std::vector<probe::Reply>&) override {
    std::this_thread::sleep_until(std::min(deadline, std::chrono::steady_clock::now() + 20ms));
  }
  std::size_t in_flight() const override { return 0; }
  probe::IcmpMode icmp_mode() const override { return probe::IcmpMode::datagram; }
};

struct PathFixture {
  test::TempDir dir;
  store::Database db = *store::Database::open(dir.file("a.db"));
  FakeTracer* icmp = nullptr;
  FakeTracer* udp = nullptr;
  std::shared_ptr<collect::TracerSet> tracers = std::make_shared<collect::TracerSet>();

  explicit PathFixture(const std::string& middle, std::chrono::milliseconds delay = 0ms) {
    auto i = std::make_unique<FakeTracer>(middle, delay);
    auto u = std::make_unique<FakeTracer>(middle);
    icmp = i.get();
    udp = u.get();
    tracers->set(core::TraceMethod::icmp, false, std::move(i));
    tracers->set(core::TraceMethod::udp, false, std::move(u));  // no TCP tracer: no privilege for it
  }

  void add_target(const std::string& name, const std::string& host, bool tcp) {
    core::TargetPatch p;
    p.name = name;
    p.interval = 60s;
    if (tcp) {
      p.probe = core::ProbeKind::tcp;
      p.port = 8443;
    }
    REQUIRE(store::targets::add(db, {*core::make_target(host, p)}, util::now_utc()));
  }

  // A job "paths" over `targets` with the path metric every 10 s.
  core::Job add_path_job(std::vector<std::string> targets,
                         unsigned metrics = static_cast<unsigned>(core::Metric::path)) {
    core::JobPatch jp;
    jp.name = "paths";
    jp.targets = std::move(targets);
    jp.metrics = metrics;
    jp.path_every = 10s;
    auto job = store::jobs::add(db, jp, util::now_utc());
    REQUIRE(job);
    return *job;
  }

  collect::CollectStats run_for(util::Micros duration) {
    NullProber prober;
    collect::CollectOptions o;
    o.reload_interval = 100ms;
    o.writer.flush_interval = 100ms;
    o.maintenance.reset();
    o.duration = duration;
    o.tracers = tracers;
    std::atomic<bool> stop{false};
    auto stats = collect::Collector(db, prober, o).run(stop);
    REQUIRE(stats);
    return *stats;
  }
};

}  // namespace

TEST_CASE("path metric: each target of an open path job is traced and the trace stored with the job") {
  PathFixture f("10.0.1.1");
  f.add_target("a", "127.0.0.1", false);
  f.add_target("b", "127.0.0.2", true);
  f.add_target("c", "127.0.0.3", false);  // in no path job
  auto job =
      f.add_path_job({"a", "b"}, static_cast<unsigned>(core::Metric::rtt) | static_cast<unsigned>(core::Metric::path));

  auto stats = f.run_for(700ms);
  CHECK(stats.path.stored == 2);
  CHECK(stats.path.failed == 0);
  auto traces = store::traces::list(f.db, {});
  REQUIRE(traces);
  REQUIRE(traces->size() == 2);
  for (const auto& t : *traces) {
    CHECK(t.job_id == job.id);
    CHECK(t.reached);
    CHECK(t.probes.size() == 2);
    CHECK_FALSE(t.path_changed);
  }
  // a: ICMP like its probes; b: TCP wanted, no TCP tracer, so UDP to the default port.
  REQUIRE(f.icmp->requests().size() == 1);
  CHECK(f.icmp->requests()[0].destination.to_string() == "127.0.0.1");
  REQUIRE(f.udp->requests().size() == 1);
  CHECK(f.udp->requests()[0].destination.to_string() == "127.0.0.2");
  CHECK(f.udp->requests()[0].port == 0);
  const auto& b = (*traces)[0].target == "b" ? (*traces)[0] : (*traces)[1];
  CHECK(b.method == core::TraceMethod::udp);
  CHECK(b.target == "b");

  SUBCASE("a restart within path_every does not trace again") {
    auto again = f.run_for(500ms);
    CHECK(again.path.stored == 0);
    CHECK(store::traces::list(f.db, {})->size() == 2);
  }
  SUBCASE("without the path metric nothing is traced") {
    core::JobPatch edit;
    edit.metrics = static_cast<unsigned>(core::Metric::rtt);
    REQUIRE(store::jobs::edit(f.db, "paths", edit, util::now_utc()));
    f.db.exec("DELETE FROM traces");
    CHECK(f.run_for(500ms).path.stored == 0);
  }
}

TEST_CASE("path metric: a changed path is marked") {
  PathFixture before("10.0.1.1");
  before.add_target("a", "127.0.0.1", false);
  before.add_path_job({"a"});
  CHECK(before.run_for(300ms).path.stored == 1);
  // Age the trace past path_every, then trace through another router.
  before.db.exec("UPDATE traces SET started_at = started_at - 60000000");
  PathFixture after("10.0.9.1");
  before.tracers = after.tracers;
  auto stats = before.run_for(300ms);
  CHECK(stats.path.stored == 1);
  CHECK(stats.path.changes == 1);
  auto traces = store::traces::list(before.db, {});
  REQUIRE(traces->size() == 2);
  CHECK_FALSE((*traces)[0].path_changed);
  CHECK((*traces)[1].path_changed);
}

TEST_CASE("path metric: a trace in progress when the collector stops is finished and stored") {
  PathFixture f("10.0.1.1", 600ms);
  f.add_target("a", "127.0.0.1", false);
  f.add_path_job({"a"});
  const auto started = std::chrono::steady_clock::now();
  auto stats = f.run_for(100ms);  // stops while the 600 ms trace runs
  CHECK(std::chrono::steady_clock::now() - started >= 600ms);
  CHECK(stats.path.stored == 1);
  CHECK(store::traces::list(f.db, {})->size() == 1);
}

TEST_CASE("path metric: a target removed while its trace runs is not stored, and that is no failure") {
  PathFixture f("10.0.1.1", 400ms);
  f.add_target("a", "127.0.0.1", false);
  f.add_target("b", "127.0.0.2", false);
  f.add_path_job({"a", "b"});
  std::thread remover([&] {
    std::this_thread::sleep_for(100ms);  // a's trace is running, b's queued
    auto other = store::Database::open(f.dir.file("a.db"));
    REQUIRE(other);
    CHECK(store::targets::remove(*other, "a", /*keep_data=*/false, util::now_utc()));
  });
  auto stats = f.run_for(1200ms);
  remover.join();
  CHECK(stats.path.failed == 0);
  CHECK(stats.path.stored == 1);
  auto traces = store::traces::list(f.db, {});
  REQUIRE(traces->size() == 1);
  CHECK(traces->front().target == "b");
}

TEST_SUITE_END();
