// `target import` input (lib/core/target_import.hpp): host lists and CSV,
// with and without command-line defaults. Invariants: every target comes
// from a line of the input, in order, and is valid on its own.
#include "fuzz_target.hpp"
#include "core/target_import.hpp"

#include <algorithm>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pk::fuzz::Input in(data, size);
  pk::core::TargetPatch defaults;
  const auto mode = in.byte();
  if ((mode & 1) != 0) defaults.paused = true;
  if ((mode & 2) != 0) {
    defaults.probe = pk::core::ProbeKind::tcp;
    defaults.port = 443;
  }
  if ((mode & 4) != 0) defaults.set_tags = pk::core::Tags{{"site", "fuzz"}};
  const auto text = in.rest_text();
  const auto imported = pk::core::parse_target_import(text, defaults);
  if (!imported) {
    PK_FUZZ_CHECK(!imported.error().message.empty());
    return 0;
  }
  const auto lines = 1 + std::count(text.begin(), text.end(), '\n');
  int previous = 0;
  for (const auto& t : *imported) {
    PK_FUZZ_CHECK(t.line > previous && t.line <= lines);
    PK_FUZZ_CHECK(!t.target.host.empty() && !t.target.name.empty());
    previous = t.line;
  }
  return 0;
}
