// Points in time (lib/util/time.hpp, parse_time_point): --since, --until,
// job start and end, query parameters, in UTC and in a zone with DST, at a
// fixed "now" (the night Europe/Berlin moves its clocks forward). Invariant:
// a parsed instant, printed as ISO 8601 UTC, parses back to itself.
#include "fuzz_target.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <vector>

namespace {

using namespace pk::util;

const std::vector<const date::time_zone*>& zones() {
  static const auto list = [] {
    std::vector<const date::time_zone*> out;
    for (const char* name : {"UTC", "Europe/Berlin", "Australia/Lord_Howe"}) {
      if (auto z = locate_zone(name)) out.push_back(*z);
    }
    if (out.empty()) pk::fuzz::fail("no time zone data", __FILE__, __LINE__);
    return out;
  }();
  return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = pk::fuzz::as_text(data, size);
  const auto now = from_epoch_us(1'774'746'000'000'000);  // 2026-03-29T01:00:00Z
  for (const auto* zone : zones()) {
    const auto t = parse_time_point(text, now, zone);
    if (!t) {
      PK_FUZZ_CHECK(!t.error().message.empty());
      continue;
    }
    const auto iso = format_iso_utc(*t);
    const auto again = parse_time_point(iso, now, zone);
    PK_FUZZ_CHECK(again.has_value() && *again == *t);
  }
  return 0;
}
