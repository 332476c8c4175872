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

  bool answered_at(util::SysMicros t) const {
    auto it = std::lower_bound(samples.begin(), samples.end(), t, [](const auto& s, auto ts) { return s.ts < ts; });
    return it != samples.end() && it->ts == t && core::answered(it->status);
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

// What loss_units must cover, from the samples: before the first answer,
// after the last, and from an answer to the next one min_duration or more
// later with a loss between them.
std::vector<std::pair<util::SysMicros, util::SysMicros>> needed(const std::vector<core::Sample>& all,
                                                                util::SysMicros from, util::SysMicros to,
                                                                util::Micros min_duration) {
  const auto range = test::between(all, from, to);
  std::vector<std::pair<util::SysMicros, util::SysMicros>> out;
  std::optional<util::SysMicros> last_answer;
  bool lost = false;
  for (const auto& s : range) {
    if (!core::answered(s.status)) {
      lost = true;
      continue;
    }
    if (!last_answer) {
      out.emplace_back(from, s.ts + 1us);
    } else if (lost && s.ts - *last_answer >= min_duration) {
      out.emplace_back(*last_answer, s.ts + 1us);
    }
    last_answer = s.ts;
    lost = false;
  }
  out.emplace_back(last_answer.value_or(from), to);
  return out;
}

bool covered(const std::vector<query::LossUnit>& units, util::SysMicros from, util::SysMicros to) {
  return std::any_of(units.begin(), units.end(), [&](const auto& u) { return u.raw && u.from <= from && to <= u.to; });
}

std::size_t samples_in(const std::vector<core::Sample>& all, const std::vector<query::LossUnit>& units) {
  std::size_t n = 0;
  for (const auto& u : units) n += test::between(all, u.from, u.to).size();
  return n;
}

}  // namespace

TEST_SUITE_BEGIN("query.loss_units");

TEST_CASE("rolled up: the units cover every span that can hold a period, starting and ending at answers") {
  Fixture x(k_monday + 72h);
  for (util::Micros min : {0s, 1s, 29s, 30s, 31s, 60s, 61s, 300s, 3600s, 10'800s}) {
    for (auto [from, to] : {std::pair{k_monday, k_monday + 72h}, std::pair{k_monday + 6h, k_monday + 30h},
                            std::pair{k_monday + 72h - 3min, k_monday + 72h}}) {
      CAPTURE(util::format_duration(min));
      CAPTURE(util::format_iso_utc(from));
      auto got = x.units(from, to, min);
      INFO("units:\n" << show(got));
      for (const auto& [a, b] : needed(x.samples, from, to, min)) {
        CAPTURE(util::format_iso_utc(a));
        CHECK(covered(got, a, b));
      }
      for (const auto& unit : got) {
        CAPTURE(util::format_iso_utc(unit.from));
        CHECK(unit.raw);
        CHECK((unit.from == from || x.answered_at(unit.from)));
        CHECK((unit.to == to || x.answered_at(unit.to - 1us)));
      }
      for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i - 1].to < got[i].from);
    }
  }
}

TEST_CASE("rolled up: only a small part of the samples is read, and none around a pause without losses") {
  Fixture x(k_monday + 72h);
  const auto u = x.units(k_monday, k_monday + 72h, 30s);
  const auto read = samples_in(x.samples, u);
  CAPTURE(read);
  CHECK(read > 0);
  CHECK(read * 50 < x.samples.size());
  // The collector paused 13:00-13:10 with nothing lost: not even with a minimum of 0.
  for (util::Micros min : {0s, 30s}) {
    CHECK_FALSE(covered(x.units(k_monday, k_monday + 72h, min), k_monday + 12h + 59min + 59s, k_monday + 13h + 10min));
  }
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
  for (const auto& unit : u) {
    CAPTURE(util::format_iso_utc(unit.from));
    CHECK(unit.raw);
    CHECK((unit.from == from || x.answered_at(unit.from)));
    CHECK((unit.to == to || x.answered_at(unit.to - 1us)));
  }
  for (const auto& [a, b] : needed(x.samples, from, to, 30s)) CHECK(covered(u, a, b));
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
