#include "query/check.hpp"
#include "query_data.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

// Statistics of `sent` probes of which `lost` were lost; answered ones take
// RTTs 1..n ms, so p95 is known.
query::Stats stats_of(int sent, int lost) {
  query::Stats s;
  std::vector<double> rtts;
  for (int i = 0; i < sent; ++i) {
    if (i < lost) {
      s.aggregate.add(std::optional<double>{});
    } else {
      s.aggregate.add(1000.0 * (i - lost + 1));
    }
  }
  s.p95 = s.aggregate.sketch.quantile(0.95);
  return s;
}

query::CheckThresholds levels(std::optional<double> warn_loss, std::optional<double> crit_loss,
                              std::optional<util::Micros> warn_p95 = {}, std::optional<util::Micros> crit_p95 = {}) {
  return {warn_loss, crit_loss, warn_p95, crit_p95};
}

}  // namespace

TEST_SUITE_BEGIN("query.check");

TEST_CASE("parse_loss_level: 5 or 5%, 0..100") {
  CHECK(*query::parse_loss_level("--max-loss", "5") == 5.0);
  CHECK(*query::parse_loss_level("--max-loss", "5%") == 5.0);
  CHECK(*query::parse_loss_level("--max-loss", "2.5%") == 2.5);
  CHECK(*query::parse_loss_level("--max-loss", "0") == 0.0);
  CHECK(*query::parse_loss_level("--max-loss", "100%") == 100.0);
  for (auto bad : {"", "%", "-1", "101", "abc", "5%%", "5 %", ".5", "+5", "nan", "inf", "5ms"}) {
    auto r = query::parse_loss_level("--warn-loss", bad);
    REQUIRE_MESSAGE(!r, bad);
    CHECK(r.error().kind == ErrorKind::invalid_input);
    CHECK(r.error().message == "invalid value \"" + std::string(bad) +
                                   "\" for --warn-loss: expected a loss in percent from 0 to 100, e.g. 5 or 5%");
  }
}

TEST_CASE("validate: warning levels may not exceed critical ones") {
  CHECK(query::validate(levels(5, 10)));
  CHECK(query::validate(levels(5, 5)));
  CHECK(query::validate(levels(5, std::nullopt)));
  auto loss = query::validate(levels(10, 5));
  REQUIRE_FALSE(loss);
  CHECK(loss.error().message == "--warn-loss 10% is above --max-loss 5%");
  auto p95 = query::validate(levels(std::nullopt, std::nullopt, 200ms, 150ms));
  REQUIRE_FALSE(p95);
  CHECK(p95.error().message == "--warn-p95 200ms is above --max-p95 150ms");
}

TEST_CASE("evaluate: OK, WARNING, CRITICAL, UNKNOWN") {
  using query::CheckState;
  SUBCASE("nothing sent is UNKNOWN") { CHECK(query::evaluate(stats_of(0, 0), levels(5, 10)) == CheckState::unknown); }
  SUBCASE("without thresholds only a total loss is CRITICAL") {
    CHECK(query::evaluate(stats_of(100, 99), {}) == CheckState::ok);
    CHECK(query::evaluate(stats_of(100, 100), {}) == CheckState::critical);
  }
  SUBCASE("a total loss is CRITICAL whatever the levels") {
    CHECK(query::evaluate(stats_of(10, 10), levels(std::nullopt, std::nullopt, std::nullopt, 1h)) ==
          CheckState::critical);
  }
  SUBCASE("loss levels: equal is fine, above alerts") {
    CHECK(query::evaluate(stats_of(100, 2), levels(2, 5)) == CheckState::ok);
    CHECK(query::evaluate(stats_of(100, 3), levels(2, 5)) == CheckState::warning);
    CHECK(query::evaluate(stats_of(100, 5), levels(2, 5)) == CheckState::warning);
    CHECK(query::evaluate(stats_of(100, 6), levels(2, 5)) == CheckState::critical);
    CHECK(query::evaluate(stats_of(100, 6), levels(std::nullopt, 5)) == CheckState::critical);
    CHECK(query::evaluate(stats_of(100, 4), levels(std::nullopt, 5)) == CheckState::ok);
  }
  SUBCASE("p95 levels") {
    // RTTs 1..100 ms: p95 is the value of rank 94, 95 ms (within 1 %).
    auto s = stats_of(100, 0);
    CHECK(query::evaluate(s, levels(std::nullopt, std::nullopt, 100ms, 150ms)) == CheckState::ok);
    CHECK(query::evaluate(s, levels(std::nullopt, std::nullopt, 90ms, 150ms)) == CheckState::warning);
    CHECK(query::evaluate(s, levels(std::nullopt, std::nullopt, 50ms, 90ms)) == CheckState::critical);
    CHECK(query::evaluate(s, levels(std::nullopt, std::nullopt, std::nullopt, 90ms)) == CheckState::critical);
  }
  SUBCASE("the worse state wins") {
    CHECK(query::evaluate(stats_of(100, 3), levels(2, 5, std::nullopt, 10ms)) == CheckState::critical);
  }
}

TEST_CASE("check: the status line and perfdata") {
  test::QueryDb f;
  // Five minutes at 2 s: 150 probes, RTTs 10.000 .. 10.149 ms, 3 lost.
  std::vector<core::Sample> samples;
  for (int i = 0; i < 150; ++i) {
    std::optional<std::int64_t> rtt = 10'000 + i;
    if (i % 50 == 7) rtt.reset();
    samples.push_back(test::make_sample(f.target.id, k_monday + 2s * i, rtt));
  }
  f.insert(samples);
  auto reader = f.reader();
  const auto from = k_monday;
  const auto to = k_monday + 5min;

  auto ok = query::check(reader, f.target, from, to, levels(std::nullopt, 5));
  REQUIRE(ok);
  CHECK(ok->state == query::CheckState::ok);
  // Exact p95 from raw: rank floor(0.95 * 146) = 138 of the sorted answered RTTs.
  CHECK(ok->line ==
        "PINGKEEPER OK - lo: loss 2.0%, p95 10.1 ms (150 probes in 5m) | loss=2.0%;;5;0;100 p95=10.141ms;; "
        "rta=10.075ms");

  auto warn = query::check(reader, f.target, from, to, levels(1, 5, 10ms, 20ms));
  REQUIRE(warn);
  CHECK(warn->state == query::CheckState::warning);
  CHECK(warn->line ==
        "PINGKEEPER WARNING - lo: loss 2.0%, p95 10.1 ms (150 probes in 5m) | loss=2.0%;1;5;0;100 "
        "p95=10.141ms;10;20 rta=10.075ms");

  auto crit = query::check(reader, f.target, from, to, levels(std::nullopt, 1.5));
  REQUIRE(crit);
  CHECK(crit->state == query::CheckState::critical);
  CHECK(crit->line.starts_with("PINGKEEPER CRITICAL - lo: loss 2.0%"));

  auto none = query::check(reader, f.target, k_monday + 1h, k_monday + 1h + 5min, {});
  REQUIRE(none);
  CHECK(none->state == query::CheckState::unknown);
  CHECK(none->line == "PINGKEEPER UNKNOWN - lo: no samples in the last 5m");

  SUBCASE("all lost: CRITICAL with undetermined RTT values") {
    test::QueryDb g;
    std::vector<core::Sample> lost;
    for (int i = 0; i < 3; ++i) lost.push_back(test::make_sample(g.target.id, k_monday + 2s * i, std::nullopt));
    g.insert(lost);
    auto r = g.reader();
    auto down = query::check(r, g.target, from, k_monday + 1min, {});
    REQUIRE(down);
    CHECK(down->state == query::CheckState::critical);
    CHECK(down->line ==
          "PINGKEEPER CRITICAL - lo: loss 100.0%, p95 n/a (3 probes in 1m) | loss=100.0%;;;0;100 p95=U;; rta=U");
  }
}

TEST_SUITE_END();
