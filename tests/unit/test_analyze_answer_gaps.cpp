#include "analyze/aggregate.hpp"
#include "analyze/answer_gaps.hpp"

#include <doctest/doctest.h>

#include <random>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using analyze::AnswerGaps;

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'000'000'000);

struct Probe {
  util::Micros at;
  bool answered;
};

AnswerGaps of(const std::vector<Probe>& probes) {
  AnswerGaps g;
  for (const auto& p : probes) g.add(k_t0 + p.at, p.answered);
  return g;
}

// Irregular probes: bursts, long silences and loss runs, from a seed.
std::vector<Probe> irregular(std::uint32_t seed, std::size_t n) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> step(1, 4000);
  std::bernoulli_distribution silence(0.02);
  std::bernoulli_distribution flip(0.1);
  std::vector<Probe> out;
  util::Micros at{};
  bool up = true;
  for (std::size_t i = 0; i < n; ++i) {
    at += std::chrono::milliseconds(step(rng)) + (silence(rng) ? 10min : 0min);
    if (flip(rng)) up = !up;
    out.push_back({at, up});
  }
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("analyze.answer_gaps");

TEST_CASE("AnswerGaps: empty, and losses change nothing") {
  CHECK(of({}) == AnswerGaps{});
  CHECK_FALSE(of({}).any());
  auto lost = of({{0s, false}, {5s, false}});
  CHECK(lost == AnswerGaps{});
}

TEST_CASE("AnswerGaps: one answer has no gap") {
  auto g = of({{1s, false}, {2s, true}, {9s, false}});
  CHECK(g.count == 1);
  CHECK(g.first == k_t0 + 2s);
  CHECK(g.last == k_t0 + 2s);
  CHECK(g.max_gap == 0s);
}

TEST_CASE("AnswerGaps: the largest time between consecutive answers, losses between them or not") {
  auto g = of({{0s, true}, {1s, true}, {2s, false}, {3s, false}, {7s, true}, {8s, true}, {20s, true}, {21s, false}});
  CHECK(g.count == 5);
  CHECK(g.first == k_t0);
  CHECK(g.last == k_t0 + 20s);
  CHECK(g.max_gap == 12s);  // 8 s -> 20 s: no loss between, a pause
}

TEST_CASE("AnswerGaps: merging in time order equals adding the concatenation, whatever the split") {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    auto probes = irregular(seed, 300);
    const auto whole = of(probes);
    for (std::size_t a = 0; a <= probes.size(); a += 37) {
      for (std::size_t b = a; b <= probes.size(); b += 53) {
        auto left = of({probes.begin(), probes.begin() + static_cast<std::ptrdiff_t>(a)});
        auto middle =
            of({probes.begin() + static_cast<std::ptrdiff_t>(a), probes.begin() + static_cast<std::ptrdiff_t>(b)});
        auto right = of({probes.begin() + static_cast<std::ptrdiff_t>(b), probes.end()});
        auto ab = left;
        ab.merge_after(middle);
        ab.merge_after(right);
        CHECK(ab == whole);
        auto bc = middle;  // associative: left + (middle + right)
        bc.merge_after(right);
        auto a_bc = left;
        a_bc.merge_after(bc);
        CHECK(a_bc == whole);
      }
    }
  }
}

TEST_CASE("AnswerGaps: the gap across merged runs counts, empty runs in between included") {
  auto early = of({{0s, true}, {2s, true}});
  auto silent = of({{30s, false}, {40s, false}});
  auto late = of({{50s, true}, {51s, true}});
  auto g = early;
  g.merge_after(silent);
  g.merge_after(AnswerGaps{});
  g.merge_after(late);
  CHECK(g.count == 4);
  CHECK(g.first == k_t0);
  CHECK(g.last == k_t0 + 51s);
  CHECK(g.max_gap == 48s);
  auto from_empty = AnswerGaps{};
  from_empty.merge_after(late);
  CHECK(from_empty == late);
  auto single = of({{5s, true}});
  single.merge_after(of({{6s, true}}));
  CHECK(single.max_gap == 1s);
}

TEST_CASE("AnswerGaps: out of time order, first and last hold and the gaps stay consistent") {
  auto a = of({{0s, true}, {1s, true}});
  auto b = of({{60s, true}, {70s, true}});
  auto ab = a;
  ab.merge_after(b);
  CHECK(ab == of({{0s, true}, {1s, true}, {60s, true}, {70s, true}}));
  auto ba = b;
  ba.merge_after(a);
  CHECK(ba.count == 4);
  CHECK(ba.first == k_t0);
  CHECK(ba.last == k_t0 + 70s);
  CHECK(ba.max_gap == 10s);  // the 59 s between the runs is not seen
  CHECK(AnswerGaps::from_parts(ba.count, ba.first, ba.last, ba.max_gap));
  auto inside = of({{0s, true}, {100s, true}});
  inside.merge_after(of({{50s, true}}));  // a late answer inside the gap
  CHECK(inside.first == k_t0);
  CHECK(inside.last == k_t0 + 100s);
  CHECK(inside.max_gap == 100s);
}

TEST_CASE("AnswerGaps: from_parts accepts what add builds and refuses the rest") {
  for (const auto& g : {AnswerGaps{}, of({{3s, true}}), of({{0s, true}, {4s, false}, {9s, true}})}) {
    auto back = AnswerGaps::from_parts(g.count, g.first, g.last, g.max_gap);
    REQUIRE(back);
    CHECK(*back == g);
  }
  const auto t = k_t0;
  CHECK_FALSE(AnswerGaps::from_parts(-1, std::nullopt, std::nullopt, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(0, t, t, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(1, std::nullopt, std::nullopt, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(2, t, std::nullopt, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(2, std::nullopt, t, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(2, t + 1s, t, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(1, t, t + 1s, 0s));
  CHECK_FALSE(AnswerGaps::from_parts(2, t, t + 5s, -1us));
  CHECK_FALSE(AnswerGaps::from_parts(2, t, t + 5s, 6s));
  CHECK_FALSE(AnswerGaps::from_parts(0, std::nullopt, std::nullopt, 1s));
  auto bad = AnswerGaps::from_parts(1, t, t, 1s);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::invalid_input);
}

TEST_CASE("Aggregate: samples feed the answer gaps (refused is an answer), RTTs alone do not") {
  analyze::Aggregate a;
  core::Sample s;
  s.ts = k_t0;
  s.rtt = 5ms;
  a.add(s);
  s.ts = k_t0 + 10s;
  s.rtt.reset();
  s.status = core::SampleStatus::timeout;
  a.add(s);
  s.ts = k_t0 + 20s;
  s.rtt = 1ms;
  s.status = core::SampleStatus::refused;
  a.add(s);
  CHECK(a.answers == of({{0s, true}, {20s, true}}));
  CHECK(a.answers.count == 2);
  CHECK(a.summary.received() == 2);

  analyze::Aggregate b;
  b.add(std::optional<double>{5000.0});
  CHECK_FALSE(b.answers.any());

  analyze::Aggregate c = a;
  c.answers.max_gap = 1s;
  CHECK_FALSE(c == a);  // equality includes the gaps
  analyze::Aggregate later;
  s.ts = k_t0 + 45s;
  later.add(s);
  a.merge_after(later);
  CHECK(a.answers.max_gap == 25s);
  CHECK(a.answers.last == k_t0 + 45s);
}

TEST_SUITE_END();
