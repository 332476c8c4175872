#include "probe/trace_wait.hpp"

#include <doctest/doctest.h>

#include <vector>

using pk::probe::give_up_after;

TEST_SUITE_BEGIN("probe");

namespace {

constexpr std::int64_t k_ms = 1'000'000;
constexpr std::int64_t k_wait = 1000 * k_ms;

}  // namespace

TEST_CASE("give_up_after: nothing answered: every probe gets the whole wait") {
  std::vector<std::int64_t> rtt(6, -1);
  CHECK(give_up_after(rtt, 3, k_wait) == std::vector<std::int64_t>(6, k_wait));
  CHECK(give_up_after({}, 3, k_wait).empty());
}

TEST_CASE("give_up_after: a silent hop before answering ones (NEAR)") {
  // TTL 1 answered at 2 ms, TTL 2 silent, TTL 3 answered at 4 and 6 ms (2 queries each).
  std::vector<std::int64_t> rtt{2 * k_ms, 2 * k_ms, -1, -1, 4 * k_ms, 6 * k_ms};
  auto out = give_up_after(rtt, 2, k_wait);
  CHECK(out[2] == 60 * k_ms);  // 10 x the slowest later answer
  CHECK(out[3] == 60 * k_ms);
  CHECK(out[0] == 10 * k_ms);  // the smaller of HERE (3 x 2 ms, raised to the 10 ms floor) and NEAR (60 ms)
  CHECK(out[4] == 18 * k_ms);  // the last TTL: only HERE, 3 x 6 ms
}

TEST_CASE("give_up_after: HERE, the floor and the cap") {
  // One TTL, the first query answered in 50 ms, the second silent.
  CHECK(give_up_after(std::vector<std::int64_t>{50 * k_ms, -1}, 2, k_wait)[1] == 150 * k_ms);
  // Fast answers: never below 10 ms.
  CHECK(give_up_after(std::vector<std::int64_t>{100'000, -1}, 2, k_wait)[1] == pk::probe::k_min_give_up_ns);
  // Slow answers: never above --wait.
  CHECK(give_up_after(std::vector<std::int64_t>{-1, 900 * k_ms}, 1, k_wait)[0] == k_wait);
  CHECK(give_up_after(std::vector<std::int64_t>{-1, 900 * k_ms}, 1, 5 * k_ms)[0] == 5 * k_ms);
}

TEST_CASE("give_up_after: only later TTLs count as NEAR, not earlier ones") {
  std::vector<std::int64_t> rtt{1 * k_ms, -1, -1};  // TTL 1 answered; TTLs 2 and 3 silent
  auto out = give_up_after(rtt, 1, k_wait);
  CHECK(out[1] == k_wait);
  CHECK(out[2] == k_wait);
}

TEST_SUITE_END();
