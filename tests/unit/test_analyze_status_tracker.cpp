#include "analyze/status_tracker.hpp"

#include <doctest/doctest.h>

using pk::analyze::StatusTracker;
using Change = StatusTracker::Change;

namespace {
pk::util::SysMicros at(int seconds) { return pk::util::SysMicros{std::chrono::seconds{1'800'000'000 + seconds}}; }
}  // namespace

TEST_CASE("analyze.status_tracker: down after min_downtime of consecutive losses, up on the next answer") {
  StatusTracker t(std::chrono::seconds{30});
  CHECK(t.observe(at(0), true) == Change::none);
  CHECK_FALSE(t.down());
  CHECK(t.observe(at(1), false) == Change::none);
  CHECK(t.loss_since() == at(1));
  CHECK(t.observe(at(30), false) == Change::none);  // 29 s of losses
  CHECK(t.observe(at(31), false) == Change::went_down);
  CHECK(t.down());
  CHECK(t.observe(at(32), false) == Change::none);  // reported once
  CHECK(t.observe(at(33), true) == Change::came_up);
  CHECK_FALSE(t.down());
  CHECK_FALSE(t.loss_since().has_value());
  CHECK(t.observe(at(34), true) == Change::none);
}

TEST_CASE("analyze.status_tracker: an answer inside the run restarts it; old samples are ignored") {
  StatusTracker t(std::chrono::seconds{10});
  CHECK(t.observe(at(0), false) == Change::none);
  CHECK(t.observe(at(9), true) == Change::none);
  CHECK(t.observe(at(10), false) == Change::none);
  CHECK(t.observe(at(19), false) == Change::none);
  CHECK(t.observe(at(5), false) == Change::none);  // older than the latest: ignored
  CHECK(t.loss_since() == at(10));
  CHECK(t.observe(at(20), false) == Change::went_down);
}

TEST_CASE("analyze.status_tracker: a target that starts with losses goes down too") {
  StatusTracker t(std::chrono::seconds{0});
  CHECK(t.observe(at(0), false) == Change::went_down);
  CHECK(t.observe(at(1), true) == Change::came_up);
}
