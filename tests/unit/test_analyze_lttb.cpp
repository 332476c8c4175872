#include "analyze/lttb.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

using pk::analyze::lttb;
using pk::analyze::Point;

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

// n points at x = 0, 1, 2, ... with y = value(i).
template <typename F>
std::vector<Point> make(std::size_t n, F value) {
  std::vector<Point> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({static_cast<double>(i), value(i)});
  return out;
}

// Is `sub` a subsequence of `all` in order, with strictly increasing x?
bool is_ordered_subset(const std::vector<Point>& sub, const std::vector<Point>& all) {
  std::size_t j = 0;
  for (const auto& p : sub) {
    while (j < all.size() && !(all[j].x == p.x && (all[j].y == p.y || (std::isnan(all[j].y) && std::isnan(p.y))))) ++j;
    if (j == all.size()) return false;
    ++j;
  }
  return true;
}

bool contains_x(const std::vector<Point>& points, double x) {
  for (const auto& p : points) {
    if (p.x == x) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE_BEGIN("analyze");

TEST_CASE("lttb: input no larger than the threshold is returned unchanged") {
  const auto small = make(5, [](std::size_t i) { return static_cast<double>(i * i); });
  CHECK(lttb(small, 5) == small);
  CHECK(lttb(small, 800) == small);
  CHECK(lttb({}, 3).empty());
  CHECK(lttb({}, 0).empty());
  const std::vector<Point> one{{1.0, 2.0}};
  CHECK(lttb(one, 1) == one);
}

TEST_CASE("lttb: thresholds below 3") {
  const auto data = make(10, [](std::size_t i) { return static_cast<double>(i % 3); });
  CHECK(lttb(data, 0).empty());
  CHECK(lttb(data, 1) == std::vector<Point>{data.front()});
  CHECK(lttb(data, 2) == std::vector<Point>{data.front(), data.back()});
}

TEST_CASE("lttb: returns exactly N points, keeps first and last, preserves order") {
  const auto data = make(10'000, [](std::size_t i) { return std::sin(static_cast<double>(i) / 50.0) * 100.0; });
  for (std::size_t n : {3u, 4u, 7u, 100u, 800u, 9'998u, 9'999u}) {
    CAPTURE(n);
    const auto out = lttb(data, n);
    REQUIRE(out.size() == n);
    CHECK(out.front() == data.front());
    CHECK(out.back() == data.back());
    CHECK(is_ordered_subset(out, data));
  }
  // n = size - 1 and odd sizes that do not divide evenly.
  const auto odd = make(13, [](std::size_t i) { return static_cast<double>((i * 7) % 5); });
  for (std::size_t n = 3; n <= 13; ++n) {
    CAPTURE(n);
    const auto out = lttb(odd, n);
    REQUIRE(out.size() == n);
    CHECK(out.front() == odd.front());
    CHECK(out.back() == odd.back());
    CHECK(is_ordered_subset(out, odd));
  }
}

TEST_CASE("lttb: threshold 3 picks the single spike of a flat series") {
  const auto data = make(1'000, [](std::size_t i) { return i == 637 ? 500.0 : 10.0; });
  const auto out = lttb(data, 3);
  REQUIRE(out.size() == 3);
  CHECK(out[1] == Point{637.0, 500.0});
}

TEST_CASE("lttb: spikes and dips survive heavy downsampling") {
  // Flat 10 ms with a spike at 1234 and a dip at 8000, 10'000 -> 100 points.
  const auto data = make(10'000, [](std::size_t i) {
    if (i == 1234) return 900.0;
    if (i == 8000) return -50.0;
    return 10.0;
  });
  const auto out = lttb(data, 100);
  REQUIRE(out.size() == 100);
  CHECK(contains_x(out, 1234.0));
  CHECK(contains_x(out, 8000.0));
}

TEST_CASE("lttb: ties pick the earliest point of a bucket") {
  // A perfectly flat series: every triangle has area 0.
  const auto data = make(10, [](std::size_t) { return 1.0; });
  const auto out = lttb(data, 4);
  // Buckets over indices 1..8 split as [1,5) and [5,9).
  REQUIRE(out.size() == 4);
  CHECK(out[1].x == 1.0);
  CHECK(out[2].x == 5.0);
}

TEST_CASE("lttb: NaN values are not chosen unless a bucket is all NaN") {
  SUBCASE("a NaN spike position is skipped in favour of a value") {
    auto data = make(100, [](std::size_t i) { return i == 50 ? 80.0 : 10.0; });
    data[49].y = k_nan;
    data[51].y = k_nan;
    const auto out = lttb(data, 3);
    REQUIRE(out.size() == 3);
    CHECK(out[1] == Point{50.0, 80.0});
  }
  SUBCASE("a bucket of only NaN gives its first point") {
    // 12 points, threshold 5: 3 buckets over indices 1..10: [1,4) [4,7) [7,11).
    auto data = make(12, [](std::size_t i) { return static_cast<double>(i); });
    for (std::size_t i = 4; i < 7; ++i) data[i].y = k_nan;
    const auto out = lttb(data, 5);
    REQUIRE(out.size() == 5);
    CHECK(out[2].x == 4.0);
    CHECK(std::isnan(out[2].y));
    CHECK_FALSE(std::isnan(out[1].y));
    CHECK_FALSE(std::isnan(out[3].y));
  }
  SUBCASE("a series starting and ending with NaN still works") {
    auto data = make(50, [](std::size_t i) { return i == 20 ? 100.0 : 1.0; });
    data.front().y = k_nan;
    data.back().y = k_nan;
    const auto out = lttb(data, 3);
    REQUIRE(out.size() == 3);
    CHECK(std::isnan(out.front().y));
    CHECK(std::isnan(out.back().y));
    CHECK(out[1] == Point{20.0, 100.0});
  }
  SUBCASE("all NaN") {
    const auto data = make(20, [](std::size_t) { return k_nan; });
    const auto out = lttb(data, 5);
    REQUIRE(out.size() == 5);
    for (const auto& p : out) CHECK(std::isnan(p.y));
    CHECK(out[0].x == 0.0);
    CHECK(out[4].x == 19.0);
  }
}

TEST_CASE("lttb: uses x spacing, not just index") {
  // Irregular x: the biggest triangle is at the point far from its neighbours in y.
  const std::vector<Point> data{{0, 0}, {1, 0}, {2, 0}, {100, 50}, {101, 0}, {200, 0}};
  const auto out = lttb(data, 3);
  REQUIRE(out.size() == 3);
  CHECK(out[1] == Point{100.0, 50.0});
}

TEST_SUITE_END();
