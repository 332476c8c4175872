#pragma once

#include "util/expected.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pk::analyze {

// A DDSketch-style quantile sketch over non-negative values (RTTs in µs).
//
// A positive value v is counted in the logarithmic bucket
// i = ceil(log(v) / log(gamma)), gamma = (1 + a) / (1 - a), which covers
// (gamma^(i-1), gamma^i]; a is k_relative_accuracy (1 %). Zero (and any value
// <= 0) is counted in a separate zero bucket. quantile() answers with the
// bucket's estimate 2 gamma^i / (gamma + 1), which is within a relative error
// of a of every value in that bucket. min and max are tracked exactly.
//
// Sketches merge exactly (bucket-wise sums), so merging in any order gives the
// same sketch, and a merged sketch is the sketch of the concatenated inputs.
// A pure value: no I/O, no clock.
//
// Memory: one counter per bucket between the lowest and highest bucket used;
// for RTTs of 1 µs .. 1e8 µs that is at most ~920 counters. Any finite
// positive double maps to an index within ±k_max_index.
class Sketch {
 public:
  static constexpr double k_relative_accuracy = 0.01;
  // Bucket indexes of finite positive doubles lie within ±37300; the bound is
  // checked when deserialising.
  static constexpr std::int32_t k_max_index = 40000;
  // The first byte of serialize()'s output.
  static constexpr std::uint8_t k_format_version = 1;

  // Records `value` `count` times. Values <= 0 are recorded as 0 (the zero
  // bucket). NaN and infinities are ignored, as is count == 0.
  void add(double value, std::uint64_t count = 1);

  // Adds every value recorded in `other` (exact, order independent).
  void merge(const Sketch& other);

  // Number of values recorded.
  std::uint64_t count() const { return m_count; }
  bool empty() const { return m_count == 0; }
  // Number of values recorded as 0.
  std::uint64_t zero_count() const { return m_zero_count; }

  // Exact smallest / largest recorded value; nullopt when empty.
  std::optional<double> min() const;
  std::optional<double> max() const;

  // The q-quantile, q in [0, 1]: an estimate of the value of rank
  // floor(q * (count - 1)) (0-based) in sorted order, within 1 % relative
  // error of it (exactly 0 if that value is 0). quantile(0) is min() and
  // quantile(1) is max(), both exact. nullopt when the sketch is empty or q is
  // outside [0, 1] (or NaN).
  std::optional<double> quantile(double q) const;

  // A compact, canonical binary form: equal sketches serialise to equal bytes.
  // Layout: version byte; varint zero count; varint number of non-empty
  // buckets; per bucket a varint zigzag delta of its index from the previous
  // bucket's index (the first from 0) and a varint count; then, when the
  // sketch is not empty, min and max as 8-byte little-endian IEEE doubles.
  // Varints are unsigned LEB128.
  std::string serialize() const;

  // Parses serialize()'s output. Fails with invalid_input on an unknown
  // version, truncated or trailing bytes, overlong or non-minimal varints, indexes out of
  // ±k_max_index or not strictly increasing, zero bucket counts, a total
  // count that overflows, or min/max that are not finite, negative or
  // inconsistent. Never reads outside `bytes`.
  static Expected<Sketch> deserialize(std::string_view bytes);

  friend bool operator==(const Sketch&, const Sketch&) = default;

 private:
  static std::int32_t index_of(double value);
  static double estimate_of(std::int32_t index);
  void add_to_bucket(std::int32_t index, std::uint64_t count);

  // m_buckets[k] counts bucket m_offset + k. Invariant: empty, or the first
  // and last counters are non-zero (so == compares content, not layout).
  std::vector<std::uint64_t> m_buckets;
  std::int32_t m_offset = 0;
  std::uint64_t m_zero_count = 0;
  std::uint64_t m_count = 0;
  double m_min = 0;  // meaningful only when m_count > 0
  double m_max = 0;
};

}  // namespace pk::analyze
