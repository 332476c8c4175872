#include "analyze/lttb.hpp"

#include <cmath>
#include <optional>

namespace pk::analyze {

std::vector<Point> lttb(const std::vector<Point>& points, std::size_t threshold) {
  const std::size_t n = points.size();
  if (n <= threshold) return points;
  if (threshold == 0) return {};
  if (threshold == 1) return {points.front()};
  if (threshold == 2) return {points.front(), points.back()};

  const std::size_t buckets = threshold - 2;
  // Bucket i covers [bound(i), bound(i + 1)); bound(0) = 1, bound(buckets) = n - 1.
  // Each bucket holds at least one point because n - 2 > buckets.
  auto bound = [&](std::size_t i) { return 1 + i * (n - 2) / buckets; };

  std::vector<Point> out;
  out.reserve(threshold);
  out.push_back(points.front());
  // The most recently chosen point with a value, if any.
  std::optional<Point> anchor;
  if (!std::isnan(points.front().y)) anchor = points.front();

  for (std::size_t i = 0; i < buckets; ++i) {
    const std::size_t begin = bound(i);
    const std::size_t end = bound(i + 1);
    const std::size_t next_begin = end;
    const std::size_t next_end = (i + 1 < buckets) ? bound(i + 2) : n;

    // Average of the next bucket (the last point for the last bucket).
    double sum_x = 0;
    double sum_y = 0;
    std::size_t with_value = 0;
    for (std::size_t j = next_begin; j < next_end; ++j) {
      sum_x += points[j].x;
      if (!std::isnan(points[j].y)) {
        sum_y += points[j].y;
        ++with_value;
      }
    }
    const double avg_x = sum_x / static_cast<double>(next_end - next_begin);
    std::optional<double> avg_y;
    if (with_value > 0) avg_y = sum_y / static_cast<double>(with_value);

    // Triangle corners a (previous choice) and c (next average); a missing
    // y copies the other corner's, and both missing make every area 0.
    const double a_x = anchor ? anchor->x : out.back().x;
    const double a_y = anchor ? anchor->y : avg_y.value_or(0.0);
    const double c_y = avg_y.value_or(a_y);

    std::size_t chosen = begin;
    double best_area = -1.0;
    for (std::size_t j = begin; j < end; ++j) {
      const Point& b = points[j];
      if (std::isnan(b.y)) continue;
      const double area = std::abs((a_x - avg_x) * (b.y - a_y) - (a_x - b.x) * (c_y - a_y));
      if (area > best_area) {
        best_area = area;
        chosen = j;
      }
    }
    out.push_back(points[chosen]);
    if (!std::isnan(points[chosen].y)) anchor = points[chosen];
  }
  out.push_back(points.back());
  return out;
}

}  // namespace pk::analyze
