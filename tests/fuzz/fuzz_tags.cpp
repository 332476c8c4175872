// Tags (lib/core/target.hpp): "key=value" of --tag, and the tags cell of
// `target list --csv` / `target import`. Invariants: a parsed tag parses
// again from "key=value"; tags read from a cell survive format_tags_cell
// and split_tags_cell unchanged (';' and '\' in values included).
#include "fuzz_target.hpp"
#include "core/target.hpp"

#include <cstdint>
#include <string>

namespace {

using namespace pk::core;

Tags parse_cell(std::string_view cell) {
  Tags tags;
  for (const auto& text : split_tags_cell(cell)) {
    if (auto tag = parse_tag(text)) tags.insert_or_assign(tag->first, tag->second);
  }
  return tags;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = pk::fuzz::as_text(data, size);
  if (auto tag = parse_tag(text)) {
    const auto again = parse_tag(tag->first + "=" + tag->second);
    PK_FUZZ_CHECK(again.has_value() && *again == *tag);
  }
  const auto tags = parse_cell(text);
  PK_FUZZ_CHECK(parse_cell(format_tags_cell(tags)) == tags);
  return 0;
}
