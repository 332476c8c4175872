#include "analyze/sketch.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace pk::analyze {

namespace {

constexpr double k_gamma = (1.0 + Sketch::k_relative_accuracy) / (1.0 - Sketch::k_relative_accuracy);
const double k_log_gamma = std::log(k_gamma);

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

void put_double(std::string& out, double d) {
  auto bits = std::bit_cast<std::uint64_t>(d);
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(bits & 0xff));
    bits >>= 8;
  }
}

// A bounds-checked cursor over the serialised bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : m_bytes(bytes) {}

  bool at_end() const { return m_pos == m_bytes.size(); }
  std::size_t remaining() const { return m_bytes.size() - m_pos; }

  std::optional<std::uint8_t> byte() {
    if (m_pos >= m_bytes.size()) return std::nullopt;
    return static_cast<std::uint8_t>(m_bytes[m_pos++]);
  }

  // Unsigned LEB128, at most 10 bytes, rejecting values above 2^64 - 1.
  std::optional<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = byte();
      if (!b) return std::nullopt;
      auto payload = static_cast<std::uint64_t>(*b & 0x7f);
      if (shift == 63 && payload > 1) return std::nullopt;
      if (shift > 0 && *b == 0) return std::nullopt;  // non-minimal: keeps the format canonical
      v |= payload << shift;
      if ((*b & 0x80) == 0) return v;
    }
    return std::nullopt;
  }

  std::optional<double> float64() {
    if (remaining() < 8) return std::nullopt;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(*byte()) << (8 * i);
    return std::bit_cast<double>(bits);
  }

 private:
  std::string_view m_bytes;
  std::size_t m_pos = 0;
};

std::unexpected<Error> bad_sketch(std::string_view why) {
  return invalid_input("invalid quantile sketch: " + std::string(why));
}

}  // namespace

std::int32_t Sketch::index_of(double value) {
  return static_cast<std::int32_t>(std::ceil(std::log(value) / k_log_gamma));
}

double Sketch::estimate_of(std::int32_t index) {
  return 2.0 * std::exp(static_cast<double>(index) * k_log_gamma) / (k_gamma + 1.0);
}

void Sketch::add_to_bucket(std::int32_t index, std::uint64_t count) {
  if (m_buckets.empty()) {
    m_offset = index;
    m_buckets.assign(1, 0);
  } else if (index < m_offset) {
    auto grow = static_cast<std::size_t>(m_offset - index);
    m_buckets.insert(m_buckets.begin(), grow, 0);
    m_offset = index;
  } else if (auto k = static_cast<std::size_t>(index - m_offset); k >= m_buckets.size()) {
    m_buckets.resize(k + 1, 0);
  }
  m_buckets[static_cast<std::size_t>(index - m_offset)] += count;
}

void Sketch::add(double value, std::uint64_t count) {
  if (count == 0 || !std::isfinite(value)) return;
  if (value <= 0) {
    value = 0;
    m_zero_count += count;
  } else {
    add_to_bucket(index_of(value), count);
  }
  if (m_count == 0) {
    m_min = value;
    m_max = value;
  } else {
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
  }
  m_count += count;
}

void Sketch::merge(const Sketch& other) {
  if (other.m_count == 0) return;
  if (m_count == 0) {
    *this = other;
    return;
  }
  for (std::size_t k = 0; k < other.m_buckets.size(); ++k) {
    if (other.m_buckets[k] != 0) add_to_bucket(other.m_offset + static_cast<std::int32_t>(k), other.m_buckets[k]);
  }
  m_zero_count += other.m_zero_count;
  m_count += other.m_count;
  m_min = std::min(m_min, other.m_min);
  m_max = std::max(m_max, other.m_max);
}

std::optional<double> Sketch::min() const {
  if (m_count == 0) return std::nullopt;
  return m_min;
}

std::optional<double> Sketch::max() const {
  if (m_count == 0) return std::nullopt;
  return m_max;
}

std::optional<double> Sketch::quantile(double q) const {
  if (m_count == 0 || !(q >= 0.0 && q <= 1.0)) return std::nullopt;
  if (q == 0.0) return m_min;
  if (q == 1.0) return m_max;
  // The value of 0-based rank r is in the first bucket whose cumulative
  // count exceeds r.
  auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(m_count - 1)));
  if (rank < m_zero_count) return 0.0;
  std::uint64_t seen = m_zero_count;
  for (std::size_t k = 0; k < m_buckets.size(); ++k) {
    seen += m_buckets[k];
    if (seen > rank) {
      // Clamping to [min, max] only moves the estimate towards the true value.
      return std::clamp(estimate_of(m_offset + static_cast<std::int32_t>(k)), m_min, m_max);
    }
  }
  return m_max;  // unreachable while the counts are consistent
}

std::string Sketch::serialize() const {
  std::string out;
  out.reserve(16 + 3 * m_buckets.size());
  out.push_back(static_cast<char>(k_format_version));
  put_varint(out, m_zero_count);
  auto non_empty = static_cast<std::uint64_t>(std::ranges::count_if(m_buckets, [](auto c) { return c != 0; }));
  put_varint(out, non_empty);
  std::int64_t previous = 0;
  for (std::size_t k = 0; k < m_buckets.size(); ++k) {
    if (m_buckets[k] == 0) continue;
    std::int64_t index = m_offset + static_cast<std::int64_t>(k);
    put_varint(out, zigzag(index - previous));
    put_varint(out, m_buckets[k]);
    previous = index;
  }
  if (m_count > 0) {
    put_double(out, m_min);
    put_double(out, m_max);
  }
  return out;
}

Expected<Sketch> Sketch::deserialize(std::string_view bytes) {
  Reader in(bytes);
  auto version = in.byte();
  if (!version) return bad_sketch("empty");
  if (*version != k_format_version) return bad_sketch("unknown format version " + std::to_string(*version));

  Sketch s;
  auto zero_count = in.varint();
  if (!zero_count) return bad_sketch("truncated zero count");
  auto buckets = in.varint();
  if (!buckets) return bad_sketch("truncated bucket count");
  // Each bucket takes at least two bytes; this also bounds memory.
  if (*buckets > in.remaining() / 2 || *buckets > 2 * static_cast<std::uint64_t>(k_max_index) + 1) {
    return bad_sketch("bucket count exceeds the data");
  }
  s.m_zero_count = *zero_count;
  std::uint64_t total = *zero_count;
  std::int64_t previous = 0;
  std::vector<std::pair<std::int32_t, std::uint64_t>> parsed;
  parsed.reserve(static_cast<std::size_t>(*buckets));
  for (std::uint64_t b = 0; b < *buckets; ++b) {
    auto delta = in.varint();
    if (!delta) return bad_sketch("truncated bucket index");
    auto count = in.varint();
    if (!count) return bad_sketch("truncated bucket count");
    auto d = unzigzag(*delta);
    if (d < -2 * std::int64_t{k_max_index} || d > 2 * std::int64_t{k_max_index})
      return bad_sketch("index out of range");
    std::int64_t index = previous + d;
    if (index < -k_max_index || index > k_max_index) return bad_sketch("index out of range");
    if (b > 0 && index <= previous) return bad_sketch("indexes not increasing");
    if (*count == 0) return bad_sketch("empty bucket");
    if (*count > std::numeric_limits<std::uint64_t>::max() - total) return bad_sketch("count overflows");
    total += *count;
    parsed.emplace_back(static_cast<std::int32_t>(index), *count);
    previous = index;
  }
  if (!parsed.empty()) {
    s.m_offset = parsed.front().first;
    s.m_buckets.assign(static_cast<std::size_t>(parsed.back().first - s.m_offset) + 1, 0);
    for (auto [index, count] : parsed) s.m_buckets[static_cast<std::size_t>(index - s.m_offset)] = count;
  }
  s.m_count = total;
  if (total > 0) {
    auto lo = in.float64();
    auto hi = in.float64();
    if (!lo || !hi) return bad_sketch("truncated min/max");
    if (!std::isfinite(*lo) || !std::isfinite(*hi) || std::signbit(*lo) || std::signbit(*hi) || *lo > *hi)
      return bad_sketch("invalid min/max");
    if ((s.m_zero_count > 0) != (*lo == 0)) return bad_sketch("min inconsistent with the zero count");
    if (parsed.empty() != (*hi == 0)) return bad_sketch("max inconsistent with the buckets");
    s.m_min = *lo;
    s.m_max = *hi;
  }
  if (!in.at_end()) return bad_sketch("trailing bytes");
  return s;
}

}  // namespace pk::analyze
