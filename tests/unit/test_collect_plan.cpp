#include "collect/plan.hpp"

#include <doctest/doctest.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("collect");

namespace {

// 2026-11-23 is a Monday; 12:00 UTC.
const util::SysMicros k_monday_noon = util::from_epoch_us(1'795'435'200'000'000);

core::Target target(std::int64_t id, util::Micros interval) {
  core::Target t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.host = "10.0.0." + std::to_string(id);
  t.interval = interval;
  return t;
}

core::Job job(std::int64_t id, util::Micros interval, std::vector<std::int64_t> members, const char* windows = "") {
  core::Job j;
  j.id = id;
  j.name = "j" + std::to_string(id);
  j.interval = interval;
  j.windows = *core::WeeklySchedule::parse(windows);
  for (auto m : members) j.targets.push_back({m, "t" + std::to_string(m)});
  return j;
}

std::optional<util::Micros> interval_of(const collect::Plan& p, std::int64_t id) {
  for (const auto& t : p.targets) {
    if (t.target_id == id) return t.interval;
  }
  FAIL("target not in plan");
  return std::nullopt;
}

}  // namespace

TEST_CASE("a target runs at its own interval without jobs") {
  auto plan = collect::make_plan({target(1, 1s), target(2, 30s)}, {}, k_monday_noon);
  CHECK(interval_of(plan, 1) == 1s);
  CHECK(interval_of(plan, 2) == 30s);
  CHECK_FALSE(plan.next_change);
}

TEST_CASE("paused, job-only and removed targets") {
  auto paused = target(1, 1s);
  paused.paused = true;
  auto job_only = target(2, 1s);
  job_only.job_only = true;
  auto removed = target(3, 1s);
  removed.removed_at = k_monday_noon;
  SUBCASE("without jobs none is probed") {
    auto plan = collect::make_plan({paused, job_only, removed}, {}, k_monday_noon);
    CHECK(plan.targets.size() == 2);  // removed targets are not planned at all
    CHECK_FALSE(interval_of(plan, 1));
    CHECK_FALSE(interval_of(plan, 2));
  }
  SUBCASE("an open job probes the job-only target but never the paused one") {
    auto plan = collect::make_plan({paused, job_only}, {job(1, 5s, {1, 2})}, k_monday_noon);
    CHECK_FALSE(interval_of(plan, 1));
    CHECK(interval_of(plan, 2) == 5s);
    CHECK(plan.jobs.at(0).collecting);
  }
}

TEST_CASE("the shortest open schedule wins") {
  std::vector<core::Target> targets{target(1, 10s), target(2, 1s)};
  SUBCASE("a job faster than the target") {
    auto plan = collect::make_plan(targets, {job(1, 2s, {1, 2})}, k_monday_noon);
    CHECK(interval_of(plan, 1) == 2s);
    CHECK(interval_of(plan, 2) == 1s);
  }
  SUBCASE("count pings per round shorten the period") {
    auto j = job(1, 6s, {1});
    j.count = 3;
    auto plan = collect::make_plan(targets, {j}, k_monday_noon);
    CHECK(interval_of(plan, 1) == 2s);
  }
  SUBCASE("a job outside its window does not count") {
    // 12:00 UTC is 13:00 in Berlin, outside 06:00-08:00.
    auto j = job(1, 1s, {1}, "mon-fri 06:00-08:00");
    j.tz = "Europe/Berlin";
    auto plan = collect::make_plan(targets, {j}, k_monday_noon);
    CHECK(interval_of(plan, 1) == 10s);
    CHECK_FALSE(plan.jobs.at(0).collecting);
    CHECK(plan.next_change == k_monday_noon + 17h);  // Tue 06:00 Berlin = 05:00 UTC
  }
  SUBCASE("stopped, scheduled and finished jobs do not count") {
    auto stopped = job(1, 1s, {1});
    stopped.stopped = true;
    auto later = job(2, 1s, {1});
    later.starts_at = k_monday_noon + 1h;
    auto over = job(3, 1s, {1});
    over.ends_at = k_monday_noon - 1h;
    auto plan = collect::make_plan(targets, {stopped, later, over}, k_monday_noon);
    CHECK(interval_of(plan, 1) == 10s);
    CHECK(plan.next_change == k_monday_noon + 1h);
  }
}

TEST_CASE("path: the shortest path_every of the open path jobs that contain the target") {
  std::vector<core::Target> targets{target(1, 10s), target(2, 1s), target(3, 1s)};
  auto plain = job(1, 5s, {1, 2});  // rtt only: no traces
  auto slow = job(2, 5s, {1, 2});
  slow.metrics |= static_cast<unsigned>(core::Metric::path);
  slow.path_every = 30min;
  auto fast = job(3, 5s, {2});
  fast.metrics |= static_cast<unsigned>(core::Metric::path);
  fast.path_every = 1min;
  auto closed = job(4, 5s, {3}, "mon-fri 06:00-08:00");
  closed.metrics |= static_cast<unsigned>(core::Metric::path);
  auto plan = collect::make_plan(targets, {plain, slow, fast, closed}, k_monday_noon);
  REQUIRE(plan.targets.size() == 3);
  CHECK(plan.targets[0].path_every == 30min);
  CHECK(plan.targets[0].path_job_id == 2);
  CHECK(plan.targets[1].path_every == 1min);
  CHECK(plan.targets[1].path_job_id == 3);
  CHECK_FALSE(plan.targets[2].path_every);  // its only path job is outside its window
  CHECK_FALSE(collect::make_plan(targets, {plain}, k_monday_noon).targets[0].path_every);
  SUBCASE("a paused target is not traced") {
    targets[0].paused = true;
    CHECK_FALSE(collect::make_plan(targets, {slow}, k_monday_noon).targets[0].path_every);
  }
  SUBCASE("a tie goes to the lower job id") {
    fast.path_every = 30min;
    fast.targets.push_back({1, "t1"});
    CHECK(collect::make_plan(targets, {fast, slow}, k_monday_noon).targets[0].path_job_id == 2);
  }
}

TEST_CASE("job period has a floor") {
  auto j = job(1, 200ms, {});
  j.count = 10;
  CHECK(collect::job_period(j) == 100ms);
}

TEST_SUITE_END();
