#include "analyze/sketch.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

using pk::ErrorKind;
using pk::analyze::Sketch;

TEST_SUITE_BEGIN("analyze");

namespace {

constexpr double k_tolerance = 0.01 * (1 + 1e-9);

// The value of rank floor(q * (n - 1)) in sorted order: the quantile the
// sketch estimates.
double exact_quantile(std::vector<double> values, double q) {
  std::ranges::sort(values);
  auto rank = static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1)));
  return values[rank];
}

void check_accuracy(const std::vector<double>& values) {
  Sketch s;
  for (double v : values) s.add(v);
  REQUIRE(s.count() == values.size());
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    CAPTURE(q);
    double exact = exact_quantile(values, q);
    auto estimate = s.quantile(q);
    REQUIRE(estimate);
    CHECK(std::fabs(*estimate - exact) <= k_tolerance * exact);
  }
  CHECK(s.quantile(0) == *std::ranges::min_element(values));
  CHECK(s.quantile(1) == *std::ranges::max_element(values));
}

std::vector<double> lognormal(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> dist(std::log(20000.0), 0.5);  // median 20 ms
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<double> bimodal(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> near(1500.0, 200.0);   // LAN-ish, 1.5 ms
  std::normal_distribution<double> far(180000.0, 15000);  // satellite-ish, 180 ms
  std::bernoulli_distribution pick_far(0.3);
  std::vector<double> v(n);
  for (auto& x : v) x = std::max(1.0, pick_far(rng) ? far(rng) : near(rng));
  return v;
}

std::vector<double> pareto(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr double scale = 5000.0;  // 5 ms
  constexpr double alpha = 1.2;     // heavy tail
  std::vector<double> v(n);
  for (auto& x : v) x = std::min(1e8, scale / std::pow(1.0 - u(rng), 1.0 / alpha));
  return v;
}

Sketch sketch_of(const std::vector<double>& values) {
  Sketch s;
  for (double v : values) s.add(v);
  return s;
}

}  // namespace

TEST_CASE("Sketch: quantiles within 1 % on lognormal RTTs") { check_accuracy(lognormal(100000, 1)); }

TEST_CASE("Sketch: quantiles within 1 % on bimodal RTTs") { check_accuracy(bimodal(100000, 2)); }

TEST_CASE("Sketch: quantiles within 1 % on heavy-tailed (Pareto) RTTs") { check_accuracy(pareto(100000, 3)); }

TEST_CASE("Sketch: quantiles within 1 % on integer microsecond RTTs from 1 us to 1e8 us") {
  std::vector<double> values;
  for (double v = 1; v <= 1e8; v = std::ceil(v * 1.003)) values.push_back(v);
  check_accuracy(values);
  CHECK(sketch_of(values).serialize().size() < 4000);
}

TEST_CASE("Sketch: the estimate of every single value is within 1 %") {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> exponent(-6.0, 8.0);
  for (int i = 0; i < 20000; ++i) {
    double v = std::pow(10.0, exponent(rng));
    Sketch s;
    s.add(v);
    s.add(v);
    s.add(v);
    CAPTURE(v);
    auto est = s.quantile(0.5);
    REQUIRE(est);
    CHECK(std::fabs(*est - v) <= k_tolerance * v);
  }
}

TEST_CASE("Sketch: empty") {
  Sketch s;
  CHECK(s.empty());
  CHECK(s.count() == 0);
  CHECK_FALSE(s.min());
  CHECK_FALSE(s.max());
  CHECK_FALSE(s.quantile(0));
  CHECK_FALSE(s.quantile(0.5));
  CHECK_FALSE(s.quantile(1));
  auto bytes = s.serialize();
  CHECK(bytes == std::string("\x01\x00\x00", 3));
  auto back = Sketch::deserialize(bytes);
  REQUIRE(back);
  CHECK(*back == s);
  Sketch other = sketch_of({5.0, 7.0});
  Sketch merged = other;
  merged.merge(s);
  CHECK(merged == other);
  s.merge(other);
  CHECK(s == other);
}

TEST_CASE("Sketch: a single value is returned exactly by every quantile") {
  Sketch s;
  s.add(12345.0);
  CHECK(s.count() == 1);
  CHECK(s.min() == 12345.0);
  CHECK(s.max() == 12345.0);
  for (double q : {0.0, 0.01, 0.5, 0.99, 1.0}) CHECK(s.quantile(q) == 12345.0);  // clamped to [min, max]
}

TEST_CASE("Sketch: zero and negative values go to the zero bucket") {
  Sketch s;
  s.add(0.0, 3);
  s.add(-5.0);  // recorded as 0
  s.add(100.0);
  CHECK(s.count() == 5);
  CHECK(s.zero_count() == 4);
  CHECK(s.min() == 0.0);
  CHECK(s.max() == 100.0);
  CHECK(s.quantile(0.5) == 0.0);
  CHECK(s.quantile(0.75) == 0.0);  // rank 3 is the 4th zero
  CHECK(s.quantile(0.99) == 0.0);  // rank floor(0.99 * 4) = 3
  CHECK(s.quantile(1.0) == 100.0);
  auto back = Sketch::deserialize(s.serialize());
  REQUIRE(back);
  CHECK(*back == s);

  Sketch zeros;
  zeros.add(0.0, 10);
  CHECK(zeros.quantile(0.5) == 0.0);
  CHECK(zeros.max() == 0.0);
  auto z = Sketch::deserialize(zeros.serialize());
  REQUIRE(z);
  CHECK(*z == zeros);
}

TEST_CASE("Sketch: NaN, infinities and zero counts are ignored") {
  Sketch s;
  s.add(std::nan(""));
  s.add(INFINITY);
  s.add(-INFINITY);
  s.add(10.0, 0);
  CHECK(s.empty());
  CHECK(s == Sketch{});
}

TEST_CASE("Sketch: q outside [0, 1] gives nullopt") {
  Sketch s = sketch_of({1.0, 2.0, 3.0});
  CHECK_FALSE(s.quantile(-0.01));
  CHECK_FALSE(s.quantile(1.01));
  CHECK_FALSE(s.quantile(std::nan("")));
}

TEST_CASE("Sketch: add with a count equals repeated adds") {
  Sketch a;
  a.add(250.0, 7);
  a.add(3.0, 2);
  Sketch b;
  for (int i = 0; i < 7; ++i) b.add(250.0);
  b.add(3.0);
  b.add(3.0);
  CHECK(a == b);
  CHECK(a.serialize() == b.serialize());
}

TEST_CASE("Sketch: merge is exact and order independent") {
  auto va = lognormal(5000, 10);
  auto vb = bimodal(5000, 11);
  auto vc = pareto(5000, 12);
  vc.push_back(0.0);
  Sketch a = sketch_of(va);
  Sketch b = sketch_of(vb);
  Sketch c = sketch_of(vc);

  std::vector<double> all = va;
  all.insert(all.end(), vb.begin(), vb.end());
  all.insert(all.end(), vc.begin(), vc.end());
  const Sketch whole = sketch_of(all);

  const std::vector<std::vector<const Sketch*>> orders = {{&a, &b, &c}, {&a, &c, &b}, {&b, &a, &c},
                                                          {&b, &c, &a}, {&c, &a, &b}, {&c, &b, &a}};
  for (const auto& order : orders) {
    Sketch m;
    for (const Sketch* s : order) m.merge(*s);
    CHECK(m == whole);
    CHECK(m.serialize() == whole.serialize());
  }
  // Associativity: (A + B) + C == A + (B + C).
  Sketch ab = a;
  ab.merge(b);
  ab.merge(c);
  Sketch bc = b;
  bc.merge(c);
  Sketch a_bc = a;
  a_bc.merge(bc);
  CHECK(ab.serialize() == a_bc.serialize());
  CHECK(whole.count() == all.size());
  CHECK(whole.zero_count() == 1);
}

TEST_CASE("Sketch: serialise / deserialise round trip") {
  for (const Sketch& s : {sketch_of(lognormal(20000, 20)), sketch_of(bimodal(20000, 21)), sketch_of(pareto(20000, 22)),
                          sketch_of({1e-300, 1e300}), sketch_of({4.9e-324, 1.7e308})}) {
    auto bytes = s.serialize();
    CHECK(static_cast<std::uint8_t>(bytes[0]) == Sketch::k_format_version);
    auto back = Sketch::deserialize(bytes);
    REQUIRE(back);
    CHECK(*back == s);
    CHECK(back->serialize() == bytes);
    for (double q : {0.0, 0.5, 0.95, 0.99, 1.0}) CHECK(back->quantile(q) == s.quantile(q));
  }
}

TEST_CASE("Sketch: serialisation is compact") {
  Sketch s = sketch_of(lognormal(100000, 30));
  // A few hundred buckets, each 1 byte of delta and at most 3 bytes of count.
  CHECK(s.serialize().size() < 1200);
}

TEST_CASE("Sketch: every truncation of a valid buffer is rejected") {
  Sketch s = sketch_of(bimodal(2000, 40));
  s.add(0.0);
  auto bytes = s.serialize();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    auto r = Sketch::deserialize(std::string_view(bytes).substr(0, n));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
  }
  CHECK_FALSE(Sketch::deserialize(bytes + '\0'));  // trailing byte
}

TEST_CASE("Sketch: garbage buffers are rejected without crashing") {
  auto rejected = [](std::string bytes) {
    auto r = Sketch::deserialize(bytes);
    return !r && r.error().kind == ErrorKind::invalid_input;
  };
  CHECK(rejected(""));
  CHECK(rejected(std::string("\x02\x00\x00", 3)));  // unknown version
  CHECK(rejected("hello, world"));
  // Overlong varint (11 continuation bytes).
  CHECK(rejected(std::string("\x01") + std::string(11, '\xff')));
  // Non-minimal varint for the zero count (0 as two bytes).
  CHECK(rejected(std::string("\x01\x80\x00\x00", 4)));
  // Varint above 2^64 - 1.
  CHECK(rejected(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00", 12)));
  // Claims a huge number of buckets.
  CHECK(rejected(std::string("\x01\x00\xff\xff\xff\xff\x0f", 7)));
  // One bucket with a count of zero.
  CHECK(rejected(std::string("\x01\x00\x01\x02\x00", 5) + std::string(16, '\0')));
  // Index out of range: zigzag(100000).
  {
    std::string b("\x01\x00\x01", 3);
    b += std::string("\xc0\x9a\x0c", 3);  // 200000 = zigzag(100000)
    b += '\x01';
    CHECK(rejected(b));
  }
  // Non-increasing indexes: 5 then 5 again (delta 0).
  CHECK(rejected(std::string("\x01\x00\x02\x0a\x01\x00\x01", 7) + std::string(16, '\0')));
  // min > max, NaN min, negative min, min inconsistent with zero count.
  auto with_minmax = [](double lo, double hi, bool zero) {
    Sketch s;
    s.add(zero ? 0.0 : 10.0);
    s.add(20.0);
    auto b = s.serialize();
    b.resize(b.size() - 16);
    auto put = [&b](double d) {
      auto bits = std::bit_cast<std::uint64_t>(d);
      for (int i = 0; i < 8; ++i, bits >>= 8) b.push_back(static_cast<char>(bits & 0xff));
    };
    put(lo);
    put(hi);
    return b;
  };
  CHECK_FALSE(rejected(with_minmax(10.0, 20.0, false)));
  CHECK_FALSE(rejected(with_minmax(0.0, 20.0, true)));
  CHECK(rejected(with_minmax(30.0, 20.0, false)));
  CHECK(rejected(with_minmax(std::nan(""), 20.0, false)));
  CHECK(rejected(with_minmax(10.0, INFINITY, false)));
  CHECK(rejected(with_minmax(-0.0, 20.0, true)));
  CHECK(rejected(with_minmax(10.0, 20.0, true)));
  CHECK(rejected(with_minmax(0.0, 20.0, false)));

  // Random garbage after a valid version byte never crashes; whatever parses
  // round-trips.
  std::mt19937 rng(50);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 64);
  for (int i = 0; i < 20000; ++i) {
    std::string b(1, '\x01');
    auto n = length(rng);
    for (std::size_t k = 0; k < n; ++k) b.push_back(static_cast<char>(byte(rng)));
    auto r = Sketch::deserialize(b);
    if (r) CHECK(r->serialize() == b);
  }
}

TEST_CASE("Sketch: bucket growth in both directions keeps content equality") {
  Sketch up;
  Sketch down;
  for (double v : {1.0, 10.0, 100.0, 1000.0}) up.add(v);
  for (double v : {1000.0, 100.0, 10.0, 1.0}) down.add(v);
  CHECK(up == down);
  CHECK(up.serialize() == down.serialize());
}

TEST_SUITE_END();
