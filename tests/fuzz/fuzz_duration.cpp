// Durations (lib/util/duration.hpp): --interval, --timeout, --last, query
// parameters. Invariant: what parses formats back to text that parses to the
// same duration.
#include "fuzz_target.hpp"
#include "util/duration.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = pk::fuzz::as_text(data, size);
  const auto d = pk::util::parse_duration(text);
  if (!d) {
    PK_FUZZ_CHECK(!d.error().message.empty());
    return 0;
  }
  PK_FUZZ_CHECK(d->count() >= 0);
  const auto formatted = pk::util::format_duration(*d);
  const auto again = pk::util::parse_duration(formatted);
  PK_FUZZ_CHECK(again.has_value() && *again == *d);
  return 0;
}
