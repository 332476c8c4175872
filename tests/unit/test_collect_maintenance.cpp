#include "maintain/lock.hpp"
#include "maintain_fixture.hpp"

#include "collect/collector.hpp"
#include "collect/maintenance.hpp"
#include "maintain/clock_guard.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("collect");

namespace {

collect::MaintenanceOptions fast() {
  collect::MaintenanceOptions o;
  o.rollup_interval = 50ms;
  o.prune_interval = 50ms;
  return o;
}

// A prober for collectors with nothing to probe: every target is paused.
class IdleProber : public probe::Prober {
 public:
  void send(const probe::Probe&) override { ++m_sent; }
  void poll(probe::SteadyTime deadline, std::vector<probe::Reply>&) override {
    std::this_thread::sleep_until(deadline);
  }
  std::size_t in_flight() const override { return 0; }
  probe::IcmpMode icmp_mode() const override { return probe::IcmpMode::raw; }
  int sent() const { return m_sent; }

 private:
  int m_sent = 0;
};

// Waits (bounded) until `done` holds for the thread's stats.
template <typename Pred>
collect::MaintenanceStats wait_for(const collect::Maintenance& m, Pred done) {
  for (int i = 0; i < 400 && !done(m.stats()); ++i) std::this_thread::sleep_for(25ms);
  return m.stats();
}

}  // namespace

TEST_CASE("maintenance thread: rolls up and prunes on its own connection") {
  test::RollupDb f(1);
  const auto now = analyze::floor_to(util::now_utc(), 1min);
  test::insert(f.db, test::make_samples(f.ids[0], now - 40 * 24h, now - 39 * 24h, 60s, 1));
  test::insert(f.db, test::make_samples(f.ids[0], now - 2h, now - 1h, 10s, 2));
  auto m = collect::Maintenance::start(f.db.path(), fast());
  REQUIRE(m);
  auto stats = wait_for(**m, [](const auto& s) { return s.rollups >= 2 && s.prunes >= 1; });
  (*m)->stop();
  CHECK_FALSE(stats.last_error.has_value());
  CHECK(stats.rollups >= 2);
  CHECK(stats.prunes >= 1);
  auto cov = store::rollups::coverage(f.db);
  REQUIRE(cov);
  REQUIRE(cov->watermark[1]);
  // Rolled up to the newest sample (now - 1h - 10s) plus the clock margin, never further.
  const auto newest = now - 1h - 10s;
  CHECK(*cov->watermark[1] >= analyze::floor_to(newest + maintain::k_clock_margin - 90s, 1min));
  CHECK(*cov->watermark[1] <= newest + maintain::k_clock_margin);
  // The default retention (raw 30 d): the 40-day-old samples are gone, their rollups stay.
  REQUIRE(cov->horizon[0]);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM samples") == 360);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 24 * 60 + 60);
}

TEST_CASE("maintenance thread: skips its rounds while `maintain` holds the lock") {
  test::RollupDb f(1);
  const auto now = analyze::floor_to(util::now_utc(), 1min);
  test::insert(f.db, test::make_samples(f.ids[0], now - 1h, now - 30min, 10s, 3));
  auto held = maintain::MaintenanceLock::acquire(f.db.path(), /*wait=*/false);
  REQUIRE(held);
  auto busy = maintain::MaintenanceLock::acquire(f.db.path(), /*wait=*/false);
  REQUIRE_FALSE(busy);
  CHECK(busy.error().kind == ErrorKind::busy);
  auto m = collect::Maintenance::start(f.db.path(), fast());
  REQUIRE(m);
  auto stats = wait_for(**m, [](const auto& s) { return s.skipped >= 2; });
  CHECK(stats.skipped >= 2);
  CHECK(stats.rollups == 0);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 0);
  { auto release = std::move(*held); }
  stats = wait_for(**m, [](const auto& s) { return s.rollups >= 1; });
  (*m)->stop();
  CHECK(stats.rollups >= 1);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 30);
}

TEST_CASE("maintenance thread: runs with the collector and stops with it") {
  test::RollupDb f(1);  // its target is paused
  const auto now = analyze::floor_to(util::now_utc(), 1min);
  test::insert(f.db, test::make_samples(f.ids[0], now - 3h, now - 2h, 10s, 4));
  collect::CollectOptions o;
  o.duration = 1s;
  o.maintenance = fast();
  IdleProber prober;
  collect::Collector collector(f.db, prober, o);
  std::atomic<bool> stop{false};
  auto stats = collector.run(stop);
  REQUIRE(stats);
  CHECK(prober.sent() == 0);
  CHECK(stats->maintenance.rollups >= 1);
  CHECK_FALSE(stats->maintenance.last_error.has_value());
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 60);
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1h") >= 1);
}

TEST_CASE("maintenance thread: none in --once mode or when disabled") {
  test::RollupDb f(1);
  const auto now = analyze::floor_to(util::now_utc(), 1min);
  test::insert(f.db, test::make_samples(f.ids[0], now - 3h, now - 2h, 10s, 5));
  IdleProber prober;
  std::atomic<bool> stop{false};
  for (bool once : {true, false}) {
    CAPTURE(once);
    collect::CollectOptions o;
    o.once = once;
    o.duration = 300ms;
    if (!once) o.maintenance.reset();
    collect::Collector collector(f.db, prober, o);
    auto stats = collector.run(stop);
    REQUIRE(stats);
    CHECK(stats->maintenance.rollups == 0);
  }
  CHECK(test::count_rows(f.db, "SELECT count(*) FROM rollup_1m") == 0);
}

TEST_SUITE_END();
