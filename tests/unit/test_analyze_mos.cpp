#include "analyze/mos.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>

using pk::analyze::mos;
using pk::analyze::mos_from_r;
using pk::analyze::r_factor;

TEST_SUITE_BEGIN("analyze");

TEST_CASE("MOS: a perfect link scores about 4.4") {
  // effective latency 10 → R = 93.2 - 0.25 = 92.95.
  CHECK(r_factor(0, 0, 0) == doctest::Approx(92.95));
  double m = mos(0, 0, 0);
  CHECK(m >= 4.4);
  CHECK(m <= 4.5);
  CHECK(m == doctest::Approx(1 + 0.035 * 92.95 + 7e-6 * 92.95 * 32.95 * 7.05));
}

TEST_CASE("MOS: total loss scores 1.0") {
  CHECK(r_factor(20, 2, 100) == 0.0);
  CHECK(mos(20, 2, 100) == 1.0);
  CHECK(mos(0, 0, 100) == 1.0);
  CHECK(mos(0, 0, 250) == 1.0);  // loss capped at 100 %
}

TEST_CASE("MOS: hand-computed points on both latency branches") {
  // rtt 50, jitter 5: effective 70 < 160 → R = 93.2 - 1.75 - 2.5 = 88.95 at 1 % loss.
  CHECK(r_factor(50, 5, 1) == doctest::Approx(88.95));
  // rtt 200, jitter 10: effective 230 → R = 93.2 - 11 = 82.2.
  CHECK(r_factor(200, 10, 0) == doctest::Approx(82.2));
  CHECK(mos(200, 10, 0) == doctest::Approx(1 + 0.035 * 82.2 + 7e-6 * 82.2 * 22.2 * 17.8));
  // The two branches meet continuously-ish at 160: 4 vs 4.
  CHECK(r_factor(149.999999, 0, 0) == doctest::Approx(r_factor(150, 0, 0)).epsilon(1e-6));
}

TEST_CASE("MOS: R-to-MOS mapping endpoints and clamps") {
  CHECK(mos_from_r(0) == 1.0);
  CHECK(mos_from_r(-10) == 1.0);
  CHECK(mos_from_r(100) == doctest::Approx(4.5));
  CHECK(mos_from_r(150) == doctest::Approx(4.5));
  CHECK(mos_from_r(std::nan("")) == 1.0);
  CHECK(mos_from_r(3) == 1.0);  // the raw formula dips below 1 for small R
  for (double r = 0; r <= 100; r += 0.25) {
    CHECK(mos_from_r(r) >= 1.0);
    CHECK(mos_from_r(r) <= 4.5);
    CHECK(mos_from_r(r + 0.25) >= mos_from_r(r));
  }
}

TEST_CASE("MOS: non-increasing in loss, RTT and jitter") {
  for (double rtt : {0.0, 20.0, 80.0, 150.0, 300.0}) {
    for (double jitter : {0.0, 5.0, 40.0}) {
      double previous = mos(rtt, jitter, 0);
      for (double loss = 0.5; loss <= 100; loss += 0.5) {
        double m = mos(rtt, jitter, loss);
        CHECK(m <= previous);
        previous = m;
      }
    }
  }
  for (double loss : {0.0, 1.0, 5.0, 20.0}) {
    double previous = mos(0, 0, loss);
    for (double rtt = 1; rtt <= 1000; rtt += 1) {
      double m = mos(rtt, 0, loss);
      CHECK(m <= previous);
      previous = m;
    }
    previous = mos(20, 0, loss);
    for (double jitter = 1; jitter <= 500; jitter += 1) {
      double m = mos(20, jitter, loss);
      CHECK(m <= previous);
      previous = m;
    }
  }
  // Strictly worse somewhere in the interesting range.
  CHECK(mos(20, 2, 5) < mos(20, 2, 0));
  CHECK(mos(300, 2, 0) < mos(20, 2, 0));
  CHECK(mos(20, 50, 0) < mos(20, 2, 0));
}

TEST_CASE("MOS: hostile inputs are sanitised") {
  CHECK(mos(-50, -5, -1) == mos(0, 0, 0));
  CHECK(mos(std::nan(""), std::nan(""), std::nan("")) == mos(0, 0, 0));
  CHECK(mos(INFINITY, 0, 0) == 1.0);
  CHECK(mos(0, INFINITY, 0) == 1.0);
  CHECK(r_factor(INFINITY, 0, 0) == 0.0);
}

TEST_SUITE_END();
