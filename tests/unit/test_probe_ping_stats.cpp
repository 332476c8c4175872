#include "probe/ping_stats.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>

using namespace std::chrono_literals;
using pk::core::SampleStatus;
using pk::probe::PingStats;

TEST_SUITE_BEGIN("probe");

TEST_CASE("PingStats: nothing yet") {
  PingStats s;
  CHECK(s.transmitted() == 0);
  CHECK(s.received() == 0);
  CHECK(s.loss_percent() == 0);
  CHECK_FALSE(s.min_ms());
  CHECK_FALSE(s.avg_ms());
  CHECK_FALSE(s.max_ms());
  CHECK_FALSE(s.mdev_ms());
}

TEST_CASE("PingStats: min/avg/max/mdev as ping(8) computes them") {
  PingStats s;
  // RTTs 1, 2, 3, 4 ms: mean 2.5, population variance 1.25.
  for (auto rtt : {1000us, 2000us, 3000us, 4000us}) {
    s.add_transmitted();
    s.add_result(SampleStatus::ok, rtt);
  }
  CHECK(s.transmitted() == 4);
  CHECK(s.received() == 4);
  CHECK(s.errors() == 0);
  CHECK(s.loss_percent() == 0);
  CHECK(*s.min_ms() == doctest::Approx(1.0));
  CHECK(*s.avg_ms() == doctest::Approx(2.5));
  CHECK(*s.max_ms() == doctest::Approx(4.0));
  CHECK(*s.mdev_ms() == doctest::Approx(std::sqrt(1.25)));
}

TEST_CASE("PingStats: a single reply has no deviation") {
  PingStats s;
  s.add_transmitted();
  s.add_result(SampleStatus::ok, 45us);
  CHECK(*s.min_ms() == doctest::Approx(0.045));
  CHECK(*s.max_ms() == doctest::Approx(0.045));
  CHECK(*s.mdev_ms() == 0);
}

TEST_CASE("PingStats: losses, errors, refusals and unanswered probes") {
  PingStats s;
  s.add_transmitted(6);
  s.add_result(SampleStatus::ok, 10ms);
  s.add_result(SampleStatus::refused, 30ms);  // the host answered: received, with its RTT
  s.add_result(SampleStatus::timeout, std::nullopt);
  s.add_result(SampleStatus::unreachable, std::nullopt);
  s.add_result(SampleStatus::send_error, std::nullopt);
  // The sixth never finished (stopped by Ctrl-C): lost.
  CHECK(s.transmitted() == 6);
  CHECK(s.received() == 2);
  CHECK(s.errors() == 2);  // timeouts are losses, not errors
  CHECK(s.loss_percent() == doctest::Approx(400.0 / 6.0));
  CHECK(*s.min_ms() == doctest::Approx(10));
  CHECK(*s.avg_ms() == doctest::Approx(20));
  CHECK(*s.max_ms() == doctest::Approx(30));
  CHECK(*s.mdev_ms() == doctest::Approx(10));
}

TEST_CASE("PingStats: all lost") {
  PingStats s;
  s.add_transmitted(3);
  for (int i = 0; i < 3; ++i) s.add_result(SampleStatus::timeout, std::nullopt);
  CHECK(s.loss_percent() == 100);
  CHECK_FALSE(s.avg_ms());
}

TEST_CASE("PingStats: precise over many nearly equal RTTs") {
  // sum(rtt^2) - n*mean^2 cancels catastrophically here; Welford does not.
  PingStats s;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) {
    s.add_transmitted();
    s.add_result(SampleStatus::ok, std::chrono::microseconds{1'000'000'000 + (i % 2)});
  }
  CHECK(*s.avg_ms() == doctest::Approx(1'000'000.0005).epsilon(1e-12));
  CHECK(*s.mdev_ms() == doctest::Approx(0.0005).epsilon(1e-6));
}

TEST_SUITE_END();
