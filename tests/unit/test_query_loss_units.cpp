#include "query/loss_units.hpp"
#include "query_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using test::k_monday;

namespace {

struct Fixture {
  test::QueryDb f;
  std::vector<core::Sample> samples = test::irregular_samples(f.target.id);

  explicit Fixture(util::SysMicros rolled_until) {
    f.insert(samples);
    f.roll_up(samples, rolled_until);
  }

  std::vector<query::LossUnit> units(util::SysMicros from, util::SysMicros to, util::Micros min_duration) {
    auto reader = f.reader();
    auto u = query::loss_units(reader, f.target.id, from, to, min_duration);
    REQUIRE(u);
    return *u;
  }
};

std::string show(const std::vector<query::LossUnit>& units) {
  std::string out;
  for (const auto& u : units) {
    out += util::format_iso_utc(u.from) + " .. " + util::format_iso_utc(u.to) + (u.raw ? "" : " (bucket)") + "\n";
  }
  return out;
}

// What loss_units promises where every tier is rolled up and raw samples are
// kept, computed from the samples: before the first answer, after the last,
// from an answer to the next one min_duration or more later, and a 1-minute
// bucket from its first answer to its last when such a pair lies inside it;
// joined where they meet.
std::vector<query::LossUnit> promised(const std::vector<core::Sample>& all, util::SysMicros from, util::SysMicros to,
                                      util::Micros min_duration) {
  std::vector<util::SysMicros> answers;
  for (const auto& s : test::between(all, from, to)) {
    if (core::answered(s.status)) answers.push_back(s.ts);
  }
  std::vector<std::pair<util::SysMicros, util::SysMicros>> spans;
  if (answers.empty()) return {{from, to, true, 0, 0}};
  spans.emplace_back(from, answers.front() + 1us);
  for (std::size_t i = 1; i < answers.size(); ++i) {
    const auto a = answers[i - 1];
    const auto b = answers[i];
    if (b - a < min_duration) continue;
    const auto minute = analyze::floor_to(a, 1min);
    if (minute != analyze::floor_to(b, 1min)) {
      spans.emplace_back(a, b + 1us);
      continue;
    }
    auto first = std::lower_bound(answers.begin(), answers.end(), minute);
    auto after = std::lower_bound(answers.begin(), answers.end(), minute + 1min);
    spans.emplace_back(*first, *std::prev(after) + 1us);
  }
  spans.emplace_back(answers.back(), to);
  std::sort(spans.begin(), spans.end());
  std::vector<query::LossUnit> out;
  for (const auto& [a, b] : spans) {
    if (!out.empty() && out.back().to >= a) {
      out.back().to = std::max(out.back().to, b);
    } else {
      out.push_back({a, b, true, 0, 0});
    }
  }
  return out;
}

std::size_t samples_in(const std::vector<core::Sample>& all, const std::vector<query::LossUnit>& units) {
  std::size_t n = 0;
  for (const auto& u : units) n += test::between(all, u.from, u.to).size();
  return n;
}

}  // namespace

TEST_SUITE_BEGIN("query.loss_units");

TEST_CASE("rolled up: the units are exactly the spans between answers far enough apart, and the edges") {
  Fixture x(k_monday + 72h);
  for (util::Micros min : {1s, 29s, 30s, 31s, 60s, 61s, 300s, 3600s, 10'800s}) {
    for (auto [from, to] : {std::pair{k_monday, k_monday + 72h}, std::pair{k_monday + 6h, k_monday + 30h},
                            std::pair{k_monday + 72h - 3min, k_monday + 72h}}) {
      CAPTURE(util::format_duration(min));
      CAPTURE(util::format_iso_utc(from));
      auto got = x.units(from, to, min);
      auto want = promised(x.samples, from, to, min);
      INFO("got:\n" << show(got) << "want:\n" << show(want));
      CHECK(got == want);
    }
  }
}

TEST_CASE("rolled up: at 30 s only a small part of the samples is read; a minimum of 0 reads everything") {
  Fixture x(k_monday + 72h);
  const auto read = samples_in(x.samples, x.units(k_monday, k_monday + 72h, 30s));
  CHECK(read > 0);
  CHECK(read * 50 < x.samples.size());
  CHECK(x.units(k_monday, k_monday + 72h, 0s) == std::vector<query::LossUnit>{{k_monday, k_monday + 72h, true, 0, 0}});
}

TEST_CASE("raw parts of the plan are units, joined to the answers around them") {
  Fixture x(k_monday + 60h + 17min);  // raw tail from 60:17
  const auto from = k_monday + 12h + 30s + 250ms;
  const auto to = k_monday + 61h + 5s;
  auto u = x.units(from, to, 30s);
  REQUIRE(!u.empty());
  // The partial minute at the start, up to the first answer after it.
  CHECK(u.front().from == from);
  CHECK(u.front().to == k_monday + 12h + 1min + 1us);
  // The tail after the 1-minute watermark, from the last answer before it.
  const auto& tail = u.back();
  CHECK(tail.to == to);
  CHECK(tail.from < k_monday + 60h + 17min);
  CHECK(tail.from > k_monday + 60h + 17min - 30s);
  // Every unit starts at `from` or an answer and ends at `to` or just after one.
  auto answered_at = [&](util::SysMicros t) {
    return std::any_of(x.samples.begin(), x.samples.end(),
                       [&](const auto& s) { return s.ts == t && core::answered(s.status); });
  };
  for (const auto& unit : u) {
    CAPTURE(util::format_iso_utc(unit.from));
    CHECK(unit.raw);
    CHECK((unit.from == from || answered_at(unit.from)));
    CHECK((unit.to == to || answered_at(unit.to - 1us)));
  }
}

TEST_CASE("where raw samples were pruned, rollup buckets are units, and raw units go on after them") {
  Fixture x(k_monday + 72h);
  x.f.prune_raw(k_monday + 15h);
  auto u = x.units(k_monday, k_monday + 20h, 30s);
  REQUIRE(!u.empty());
  CHECK_FALSE(u.front().raw);
  CHECK(u.front().from == k_monday);
  auto first_raw = std::find_if(u.begin(), u.end(), [](const auto& unit) { return unit.raw; });
  REQUIRE(first_raw != u.end());
  CHECK(std::all_of(u.begin(), first_raw, [](const auto& unit) { return unit.to <= k_monday + 15h; }));
  // From the end of the last bucket standing in to the first answer.
  CHECK(first_raw->from == std::prev(first_raw)->to);
  CHECK(first_raw->to == k_monday + 15h + 1us);
  CHECK(std::all_of(first_raw, u.end(), [](const auto& unit) { return unit.raw; }));
}

TEST_SUITE_END();
