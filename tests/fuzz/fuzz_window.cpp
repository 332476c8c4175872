// Job windows (lib/core/window.hpp, WeeklySchedule::parse): --window and the
// v1 "windows" field. Invariants: the canonical text parses to the same
// rules and is a fixed point; the windows of a week in a DST zone are in
// order, disjoint, non-empty and inside the range asked for.
#include "fuzz_target.hpp"
#include "core/window.hpp"
#include "util/time.hpp"

#include <cstdint>

namespace {

using namespace pk;

const date::time_zone* berlin() {
  static const auto* zone = [] {
    auto z = util::locate_zone("Europe/Berlin");
    if (!z) fuzz::fail("no time zone data", __FILE__, __LINE__);
    return *z;
  }();
  return zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto schedule = core::WeeklySchedule::parse(fuzz::as_text(data, size));
  if (!schedule) return 0;
  const auto text = schedule->to_string();
  const auto again = core::WeeklySchedule::parse(text);
  PK_FUZZ_CHECK(again.has_value());
  PK_FUZZ_CHECK(again->rules() == schedule->rules());
  PK_FUZZ_CHECK(again->to_string() == text);

  // The week around the spring-forward night of 2026.
  const auto from = util::from_epoch_us(1'774'483'200'000'000);  // 2026-03-26T00:00:00Z
  const auto to = from + std::chrono::days{7};
  const auto windows = schedule->intervals(from, to, berlin());
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const auto& w = windows[i];
    PK_FUZZ_CHECK(w.begin < w.end && w.begin >= from && w.end <= to);
    if (i > 0) PK_FUZZ_CHECK(w.begin > windows[i - 1].end);  // touching windows are merged
  }
  if (auto open = schedule->next_open(from, berlin())) PK_FUZZ_CHECK(*open > from);
  if (auto close = schedule->next_close(from, berlin())) PK_FUZZ_CHECK(*close > from);
  return 0;
}
