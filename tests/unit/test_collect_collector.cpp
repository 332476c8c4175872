#include "fixture.hpp"

#include "collect/collector.hpp"
#include "collect/lock.hpp"
#include "store/jobs.hpp"
#include "store/lease.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <deque>
#include <thread>
#include <unistd.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("collect");

namespace {

// Answers every probe after `delay` with a 1.5 ms RTT; targets whose address
// is 10.0.0.99 never answer (they time out).
class FakeProber : public probe::Prober {
 public:
  // `newest_first`: answers ready at the same poll come back newest first
  // (out of order).
  explicit FakeProber(std::chrono::milliseconds delay = 0ms, bool newest_first = false)
      : m_delay(delay), m_newest_first(newest_first) {}

  void send(const probe::Probe& p) override {
    Pending item{p, util::now_utc(), std::chrono::steady_clock::now()};
    m_pending.push_back(item);
    m_send_times.push_back(item.sent_at);
    ++m_sent;
  }

  void poll(probe::SteadyTime deadline, std::vector<probe::Reply>& out) override {
    auto now = std::chrono::steady_clock::now();
    if (m_newest_first) {
      // Hold answers until three are ready (or all are), then deliver them newest first.
      auto ready = static_cast<std::size_t>(std::count_if(
          m_pending.begin(), m_pending.end(), [&](const Pending& p) { return p.sent_steady + m_delay <= now; }));
      if (ready > 0 && (ready >= 3 || ready == m_pending.size())) {
        for (auto i = ready; i-- > 0;) out.push_back(answer(m_pending[i]));
        m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(ready));
        return;
      }
      std::this_thread::sleep_until(std::min(deadline, now + 20ms));
      return;
    }
    while (!m_pending.empty()) {
      auto& front = m_pending.front();
      bool silent = front.probe.address.to_string() == "10.0.0.99";
      auto ready = front.sent_steady +
                   (silent ? std::chrono::duration_cast<std::chrono::milliseconds>(front.probe.timeout) : m_delay);
      if (ready > now) {
        std::this_thread::sleep_until(std::min(ready, deadline));
        return;
      }
      probe::Reply r;
      r.slot = front.probe.slot;
      r.sent_at = front.sent_at;
      if (silent) {
        r.status = core::SampleStatus::timeout;
      } else {
        r.status = core::SampleStatus::ok;
        r.rtt = 1500us;
        r.ttl = 64;
      }
      out.push_back(r);
      m_pending.pop_front();
    }
    std::this_thread::sleep_until(deadline);
  }

  std::size_t in_flight() const override { return m_pending.size(); }
  const std::vector<util::SysMicros>& send_times() const { return m_send_times; }
  probe::IcmpMode icmp_mode() const override { return probe::IcmpMode::raw; }
  int sent() const { return m_sent; }

 private:
  struct Pending {
    probe::Probe probe;
    util::SysMicros sent_at;
    std::chrono::steady_clock::time_point sent_steady;
  };
  static probe::Reply answer(const Pending& p) {
    probe::Reply r;
    r.slot = p.probe.slot;
    r.sent_at = p.sent_at;
    r.status = core::SampleStatus::ok;
    r.rtt = 1500us;
    return r;
  }

  std::chrono::milliseconds m_delay;
  bool m_newest_first = false;
  std::vector<util::SysMicros> m_send_times;
  std::deque<Pending> m_pending;
  int m_sent = 0;
};

struct Fixture {
  test::TempDir dir;
  std::string path = dir.file("c.db");
  store::Database db = *store::Database::open(path);

  std::int64_t add(const std::string& name, const std::string& host, util::Micros interval = 200ms,
                   bool paused = false) {
    core::TargetPatch p;
    p.name = name;
    p.interval = interval;
    p.timeout = 300ms;
    p.paused = paused;
    auto added = store::targets::add(db, {*core::make_target(host, p)}, util::now_utc());
    REQUIRE(added);
    return added->front().id;
  }

  std::vector<core::Sample> samples(std::int64_t id) {
    store::samples::Query q;
    q.target_id = id;
    return *store::samples::select(db, q);
  }
};

collect::CollectOptions fast_options() {
  collect::CollectOptions o;
  o.reload_interval = 100ms;
  o.writer.flush_interval = 100ms;
  return o;
}

}  // namespace

TEST_CASE("--count probes every active target N times and stores every sample") {
  Fixture f;
  auto a = f.add("a", "127.0.0.1");
  auto b = f.add("b", "10.0.0.99");  // never answers
  auto c = f.add("c", "127.0.0.2", 200ms, /*paused=*/true);
  FakeProber prober;
  auto o = fast_options();
  o.count = 3;
  std::atomic<bool> stop{false};
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  REQUIRE(stats);
  CHECK(stats->sent == 6);
  CHECK(stats->answered == 3);
  CHECK(stats->lost == 3);
  CHECK(stats->stored == 6);
  CHECK(stats->targets == 2);
  auto sa = f.samples(a);
  REQUIRE(sa.size() == 3);
  CHECK(sa[0].rtt == 1500us);
  CHECK(sa[0].status == core::SampleStatus::ok);
  CHECK(sa[0].ttl == 64);
  CHECK(sa[0].ts < sa[1].ts);
  // About one interval apart.
  CHECK(sa[1].ts - sa[0].ts >= 150ms);
  auto sb = f.samples(b);
  REQUIRE(sb.size() == 3);
  CHECK_FALSE(sb[0].rtt);
  CHECK(sb[0].status == core::SampleStatus::timeout);
  CHECK(f.samples(c).empty());
}

TEST_CASE("--once probes each active target once") {
  Fixture f;
  auto a = f.add("a", "127.0.0.1", 60s);
  FakeProber prober;
  auto o = fast_options();
  o.once = true;
  std::atomic<bool> stop{false};
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  REQUIRE(stats);
  CHECK(stats->sent == 1);
  CHECK(f.samples(a).size() == 1);
}

TEST_CASE("stop awaits probes in flight and stores them") {
  Fixture f;
  auto a = f.add("a", "127.0.0.1", 100ms);
  FakeProber prober(250ms);  // replies arrive after the stop
  auto o = fast_options();
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(500ms);
    stop = true;
  });
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  stopper.join();
  REQUIRE(stats);
  CHECK(prober.sent() >= 3);
  CHECK(stats->sent == prober.sent());
  CHECK(static_cast<int>(f.samples(a).size()) == prober.sent());
  CHECK(prober.in_flight() == 0);
}

TEST_CASE("a sample's time is its send time, also when replies arrive out of order") {
  Fixture f;
  auto a = f.add("a", "127.0.0.1", 100ms);
  FakeProber prober(350ms, /*newest_first=*/true);
  auto o = fast_options();
  o.count = 8;
  std::atomic<bool> stop{false};
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  REQUIRE(stats);
  auto stored = f.samples(a);
  REQUIRE(stored.size() == 8);
  std::vector<util::SysMicros> times;
  for (const auto& s : stored) times.push_back(s.ts);
  CHECK(times == prober.send_times());
}

TEST_CASE("a target added by another process is probed without a restart") {
  Fixture f;
  f.add("a", "127.0.0.1", 100ms);
  FakeProber prober;
  auto o = fast_options();
  o.duration = 1500ms;
  std::atomic<bool> stop{false};
  std::int64_t late = 0;
  std::thread other([&] {
    std::this_thread::sleep_for(300ms);
    auto db2 = store::Database::open(f.path);
    REQUIRE(db2);
    core::TargetPatch p;
    p.name = "late";
    p.interval = 100ms;
    late = store::targets::add(*db2, {*core::make_target("127.0.0.3", p)}, util::now_utc())->front().id;
  });
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  other.join();
  REQUIRE(stats);
  auto s = f.samples(late);
  CHECK(s.size() >= 5);  // ~1.2 s at 100 ms after a reload within ~100 ms
}

TEST_CASE("job runs open while the window is open and count the samples") {
  Fixture f;
  auto a = f.add("a", "127.0.0.1", 60s);
  core::JobPatch jp;
  jp.name = "always";
  jp.targets = std::vector<std::string>{"a"};
  jp.interval = 100ms;
  REQUIRE(store::jobs::add(f.db, jp, util::now_utc()));
  FakeProber prober;
  auto o = fast_options();
  o.duration = 600ms;
  std::atomic<bool> stop{false};
  auto stats = collect::Collector(f.db, prober, o).run(stop);
  REQUIRE(stats);
  auto job = store::jobs::find(f.db, "always");
  auto run = store::jobs::latest_run(f.db, job->id);
  REQUIRE(run);
  REQUIRE(run->has_value());
  const auto& r = **run;
  CHECK(r.ended_at.has_value());
  CHECK(r.sent == static_cast<std::int64_t>(f.samples(a).size()));
  CHECK(r.sent >= 4);  // 100 ms job interval beats the target's 60 s
  CHECK(r.received == r.sent);
}

TEST_CASE("targets that start together are spread over their interval, not the first second") {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.add("t" + std::to_string(i), "10.0.0." + std::to_string(i + 1), 3s);
  FakeProber prober;
  auto o = fast_options();
  o.maintenance.reset();
  o.count = 1;  // one probe each: the send times are the phases
  std::atomic<bool> stop{false};
  collect::Collector collector(f.db, prober, o);
  REQUIRE(collector.run(stop));
  auto times = prober.send_times();
  REQUIRE(times.size() == 6);
  std::sort(times.begin(), times.end());
  // Evenly over 3 s: 0, 0.5, 1, 1.5, 2, 2.5 s after the first.
  CHECK(times.back() - times.front() >= 2s);
  for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i] - times[i - 1] >= 300ms);
}

TEST_CASE("one collector per database") {
  test::TempDir dir;
  auto first = collect::CollectorLock::acquire(dir.file("x.db"));
  REQUIRE(first);
  auto second = collect::CollectorLock::acquire(dir.file("x.db"));
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == ErrorKind::busy);
  CHECK(second.error().message.find(std::to_string(::getpid())) != std::string::npos);
  first = collect::CollectorLock::acquire(dir.file("y.db"));  // the x lock is released
  CHECK(collect::CollectorLock::acquire(dir.file("x.db")));
}

TEST_CASE("CollectorLock::held looks without taking") {
  test::TempDir dir;
  auto x = store::Database::open(dir.file("x.db"));
  auto y = store::Database::open(dir.file("y.db"));
  REQUIRE(x);
  REQUIRE(y);
  CHECK_FALSE(collect::CollectorLock::held(*x));  // nobody ever collected
  {
    auto lock = collect::CollectorLock::acquire(dir.file("x.db"));
    REQUIRE(lock);
    CHECK(collect::CollectorLock::held(*x));
    CHECK(collect::CollectorLock::held(*x));  // looking twice changes nothing
    CHECK_FALSE(collect::CollectorLock::held(*y));
  }
  CHECK_FALSE(collect::CollectorLock::held(*x));                // released
  CHECK(collect::CollectorLock::acquire(dir.file("x.db")));     // and looking took nothing
}

TEST_CASE("the collector lock lives in the database, not in a file beside it") {
  test::TempDir dir;
  auto first = collect::CollectorLock::acquire(dir.file("x.db"));
  REQUIRE(first);
  // Whatever files beside the database go away, a second collector is refused.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename() != "x.db" && entry.path().filename() != "x.db-wal" &&
        entry.path().filename() != "x.db-shm") {
      std::filesystem::remove(entry.path());
    }
  }
  std::filesystem::remove(dir.file("x.db.lock"));
  auto second = collect::CollectorLock::acquire(dir.file("x.db"));
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == ErrorKind::busy);
}

TEST_CASE("a lease whose process is gone is taken over at once") {
  test::TempDir dir;
  auto db = store::Database::open(dir.file("x.db"));
  REQUIRE(db);
  auto self = collect::own_lease(util::now_utc());
  auto dead = self;
  dead.token = "dead";
  dead.start_ticks = self.start_ticks + 1;  // this pid, but another process's start time: a reused pid
  REQUIRE(store::lease::claim(*db, dead, [](const auto&) { return true; }));
  CHECK_FALSE(collect::CollectorLock::held(*db));
  auto lock = collect::CollectorLock::acquire(dir.file("x.db"));
  CHECK(lock);
}

TEST_CASE("lease_stale: same boot and pid namespace by the process, else by the last refresh") {
  auto self = collect::own_lease(util::now_utc());
  auto other = self;
  other.token = "other";
  const auto now = self.seen;
  CHECK_FALSE(collect::lease_stale(other, self, now, /*holder_alive=*/true));
  CHECK(collect::lease_stale(other, self, now, /*holder_alive=*/false));
  other.pid_ns = "pid:[1]";  // another pid namespace (a container): pids say nothing
  CHECK_FALSE(collect::lease_stale(other, self, now + 29s, false));
  CHECK(collect::lease_stale(other, self, now + 31s, true));
  other = self;
  other.boot_id = "another-boot";
  CHECK_FALSE(collect::lease_stale(other, self, now + 10s, false));
  CHECK(collect::lease_stale(other, self, now + 40s, true));
}

TEST_CASE("a collector whose lease was replaced stops, storing what it has") {
  Fixture f;
  auto a = f.add("a", "10.0.0.1", 100ms);
  auto lock = collect::CollectorLock::acquire(f.db.path());
  REQUIRE(lock);
  FakeProber prober;
  collect::CollectOptions options;
  options.maintenance.reset();
  options.writer.flush_interval = 50ms;
  options.writer.lease_token = lock->token();
  options.writer.lease_refresh = 100ms;
  options.duration = 20s;  // bound: the replaced lease must end it long before
  std::thread usurper([&] {
    std::this_thread::sleep_for(300ms);
    auto intruder = collect::own_lease(util::now_utc());
    intruder.token = "usurper";
    (void)store::lease::claim(f.db, intruder, [](const auto&) { return true; });
  });
  std::atomic<bool> stop{false};
  collect::Collector collector(f.db, prober, options);
  auto started = std::chrono::steady_clock::now();
  auto stats = collector.run(stop);
  usurper.join();
  REQUIRE_FALSE(stats);
  CHECK(stats.error().kind == ErrorKind::busy);
  CHECK(std::chrono::steady_clock::now() - started < 15s);
  CHECK(f.samples(a).size() >= 2);  // what it had was stored
}

TEST_SUITE_END();
