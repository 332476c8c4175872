#include "analyze/summary.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <random>
#include <vector>

using pk::ErrorKind;
using pk::analyze::Summary;

TEST_SUITE_BEGIN("analyze");

namespace {

using Samples = std::vector<std::optional<double>>;

Summary summary_of(const Samples& samples) {
  Summary s;
  for (const auto& x : samples) s.add(x);
  return s;
}

Samples random_samples(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> rtt(std::log(30000.0), 0.4);
  std::bernoulli_distribution lost(0.05);
  Samples v(n);
  for (auto& x : v) x = lost(rng) ? std::nullopt : std::optional<double>(rtt(rng));
  return v;
}

void check_close(std::optional<double> a, std::optional<double> b, double rel = 1e-9) {
  REQUIRE(a.has_value() == b.has_value());
  if (a) CHECK(std::fabs(*a - *b) <= rel * std::max(1.0, std::fabs(*b)));
}

void check_same(const Summary& a, const Summary& b) {
  CHECK(a.sent() == b.sent());
  CHECK(a.received() == b.received());
  CHECK(a.lost() == b.lost());
  check_close(a.loss_pct(), b.loss_pct());
  CHECK(a.min() == b.min());
  CHECK(a.max() == b.max());
  check_close(a.mean(), b.mean());
  check_close(a.stddev(), b.stddev());
  check_close(a.jitter(), b.jitter());
  CHECK(a.parts().first_rtt == b.parts().first_rtt);
  CHECK(a.parts().last_rtt == b.parts().last_rtt);
  CHECK(a.parts().jitter_count == b.parts().jitter_count);
}

}  // namespace

TEST_CASE("Summary: empty") {
  Summary s;
  CHECK(s.sent() == 0);
  CHECK(s.received() == 0);
  CHECK(s.lost() == 0);
  CHECK_FALSE(s.loss_pct());
  CHECK_FALSE(s.min());
  CHECK_FALSE(s.max());
  CHECK_FALSE(s.mean());
  CHECK_FALSE(s.stddev());
  CHECK_FALSE(s.jitter());
}

TEST_CASE("Summary: hand-computed case") {
  // RTTs 10, lost, 30, 20, lost, 40 (µs).
  Summary s = summary_of({10.0, std::nullopt, 30.0, 20.0, std::nullopt, 40.0});
  CHECK(s.sent() == 6);
  CHECK(s.received() == 4);
  CHECK(s.lost() == 2);
  CHECK(*s.loss_pct() == doctest::Approx(100.0 / 3.0));
  CHECK(s.min() == 10.0);
  CHECK(s.max() == 40.0);
  CHECK(*s.mean() == doctest::Approx(25.0));
  // Population variance: (225 + 25 + 25 + 225) / 4 = 125.
  CHECK(*s.stddev() == doctest::Approx(std::sqrt(125.0)));
  // Differences between consecutive received RTTs: |30-10|, |20-30|, |40-20| = 20, 10, 20.
  CHECK(*s.jitter() == doctest::Approx(50.0 / 3.0));
}

TEST_CASE("Summary: stddev is the population one, not the sample one") {
  Summary s = summary_of({1000.0, 2000.0, 3000.0, 4000.0});
  // Population variance 1.25e6 (sample variance would be 1.6667e6).
  CHECK(*s.stddev() == doctest::Approx(std::sqrt(1.25e6)));
  CHECK(*s.stddev() != doctest::Approx(std::sqrt(5e6 / 3.0)));
}

TEST_CASE("Summary: one received RTT") {
  Summary s = summary_of({std::nullopt, 7.5});
  CHECK(s.min() == 7.5);
  CHECK(s.max() == 7.5);
  CHECK(s.mean() == 7.5);
  CHECK(s.stddev() == 0.0);
  CHECK_FALSE(s.jitter());
  CHECK(s.loss_pct() == 50.0);
}

TEST_CASE("Summary: all lost") {
  Summary s = summary_of({std::nullopt, std::nullopt, std::nullopt});
  CHECK(s.sent() == 3);
  CHECK(s.received() == 0);
  CHECK(s.lost() == 3);
  CHECK(s.loss_pct() == 100.0);
  CHECK_FALSE(s.min());
  CHECK_FALSE(s.mean());
  CHECK_FALSE(s.stddev());
  CHECK_FALSE(s.jitter());

  Summary merged = s;
  merged.merge_after(summary_of({std::nullopt}));
  CHECK(merged.sent() == 4);
  CHECK(merged.loss_pct() == 100.0);
}

TEST_CASE("Summary: non-finite RTTs count as lost") {
  Summary s = summary_of({std::nan(""), INFINITY, 5.0});
  CHECK(s.sent() == 3);
  CHECK(s.received() == 1);
  CHECK(s.mean() == 5.0);
}

TEST_CASE("Summary: merging chunks in time order equals adding the concatenation") {
  const Samples all = random_samples(10000, 7);
  const Summary sequential = summary_of(all);
  // Split at assorted points, including empty chunks and chunks of only losses.
  for (std::size_t chunk : {1UL, 2UL, 3UL, 7UL, 100UL, 999UL, 5000UL, 10000UL}) {
    CAPTURE(chunk);
    Summary merged;
    for (std::size_t begin = 0; begin < all.size(); begin += chunk) {
      Samples part(all.begin() + static_cast<std::ptrdiff_t>(begin),
                   all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), begin + chunk)));
      merged.merge_after(summary_of(part));
      merged.merge_after(Summary{});  // empty chunks change nothing
    }
    check_same(merged, sequential);
  }
}

TEST_CASE("Summary: jitter across merged chunks equals jitter of the concatenation") {
  // A: 10, 20 | B: lost, 50, 40 | C: lost | D: 45.
  Summary a = summary_of({10.0, 20.0});
  Summary b = summary_of({std::nullopt, 50.0, 40.0});
  Summary c = summary_of({std::nullopt});
  Summary d = summary_of({45.0});
  Summary m = a;
  m.merge_after(b);
  m.merge_after(c);
  m.merge_after(d);
  // Differences: 10, 30, 10, 5 → mean 13.75.
  CHECK(*m.jitter() == doctest::Approx(13.75));
  CHECK(m.parts().jitter_count == 4);
  check_same(m, summary_of({10.0, 20.0, std::nullopt, 50.0, 40.0, std::nullopt, 45.0}));

  // Tree-shaped merge in time order: (A+B) + (C+D).
  Summary ab = a;
  ab.merge_after(b);
  Summary cd = c;
  cd.merge_after(d);
  ab.merge_after(cd);
  check_same(ab, m);
}

TEST_CASE("Summary: merge order matters only for jitter") {
  Summary a = summary_of({10.0, 20.0, std::nullopt});
  Summary b = summary_of({100.0, 90.0});
  Summary ab = a;
  ab.merge_after(b);
  Summary ba = b;
  ba.merge_after(a);
  CHECK(ab.sent() == ba.sent());
  CHECK(ab.received() == ba.received());
  CHECK(ab.min() == ba.min());
  CHECK(ab.max() == ba.max());
  CHECK(*ab.mean() == doctest::Approx(*ba.mean()));
  CHECK(*ab.stddev() == doctest::Approx(*ba.stddev()));
  // ab: 10, 80, 10; ba: 10, 80, 10 (the same by coincidence); the pair below differs.
  CHECK(*ab.jitter() == doctest::Approx(100.0 / 3.0));
  CHECK(*ba.jitter() == doctest::Approx(100.0 / 3.0));
  Summary c = summary_of({15.0, 95.0});
  Summary ac = a;
  ac.merge_after(c);  // 10, 5, 80
  Summary ca = c;
  ca.merge_after(a);  // 80, 85, 10
  CHECK(*ac.jitter() == doctest::Approx(95.0 / 3.0));
  CHECK(*ca.jitter() == doctest::Approx(175.0 / 3.0));
}

TEST_CASE("Summary: merge keeps precision for large offsets") {
  // Welford/Chan avoid the cancellation of sum-of-squares at large means.
  Samples v;
  for (int i = 0; i < 1000; ++i) v.push_back(1e9 + (i % 2 == 0 ? 1.0 : -1.0));
  Summary first = summary_of(Samples(v.begin(), v.begin() + 500));
  first.merge_after(summary_of(Samples(v.begin() + 500, v.end())));
  CHECK(*first.stddev() == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(*summary_of(v).stddev() == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("Summary: parts round trip and validation") {
  Summary s = summary_of(random_samples(1000, 8));
  auto back = Summary::from_parts(s.parts());
  REQUIRE(back);
  CHECK(*back == s);

  auto rejected = [](Summary::Parts p) {
    auto r = Summary::from_parts(p);
    return !r && r.error().kind == ErrorKind::invalid_input;
  };
  Summary::Parts p = s.parts();
  p.received = p.sent + 1;
  CHECK(rejected(p));
  p = s.parts();
  p.jitter_count = p.received;
  CHECK(rejected(p));
  p = s.parts();
  p.min = p.max + 1;
  CHECK(rejected(p));
  p = s.parts();
  p.m2 = std::nan("");
  CHECK(rejected(p));
  p = s.parts();
  p.mean = -1;
  CHECK(rejected(p));
  CHECK(rejected(Summary::Parts{.sent = 2, .jitter_count = 1}));
  CHECK_FALSE(rejected(Summary::Parts{.sent = 2}));
}

TEST_SUITE_END();
