#pragma once

#include <cstddef>
#include <vector>

namespace pk::analyze {

// One point of a series: x is usually epoch seconds or µs, y the metric
// value; NaN y marks "no value" (e.g. a bucket with no answered probe).
struct Point {
  double x = 0;
  double y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013).
//
// Precondition (not checked): x is strictly increasing; y is finite or NaN.
// Returns exactly min(points.size(), threshold) points, a subsequence of the
// input in the same order:
//  - points.size() <= threshold: the input unchanged;
//  - threshold 0: empty; threshold 1: the first point; threshold 2: the
//    first and the last point;
//  - otherwise the first and the last point are always kept and the
//    points in between are split into threshold - 2 contiguous buckets of
//    nearly equal size (sizes differ by at most one); from each bucket the
//    point forming the largest triangle with the previously chosen point and
//    the average of the next bucket is chosen (ties: the earliest).
// NaN handling: a point with NaN y is never chosen unless its whole bucket is
// NaN, then the bucket's first point is. NaN y values are left out of the
// next-bucket average; when nothing is left (or no earlier point has a
// value), the missing y is taken from the other triangle corner, i.e. the
// triangle degenerates to the point's distance from a horizontal line.
std::vector<Point> lttb(const std::vector<Point>& points, std::size_t threshold);

}  // namespace pk::analyze
