#pragma once

#include "core/target.hpp"
#include "util/expected.hpp"

#include <string_view>
#include <vector>

namespace pk::core {

// A target read from an import file, with the line it came from.
struct ImportedTarget {
  int line = 0;
  Target target;
};

// Reads `target import` input. Two forms, told apart by the first meaningful line:
//  - one host per line; blank lines and '#' comments are skipped;
//  - CSV (RFC 4180) whose header names columns among host (required), name,
//    interval, timeout, probe, port, tags ("k=v;k2=v2"), size, family
//    (any|4|6|ipv4|ipv6), description, paused, job_only (true|false),
//    interval_ms, timeout_ms; id and state are ignored, so the output of
//    `target list --csv` imports back. Empty cells take the defaults.
// `defaults` (the command's options) applies to every line before the line's
// own fields. The first bad line fails the whole import:
// invalid_input "line N: <why>". An input with no hosts is invalid_input too,
// and so is a line longer than 8,192 bytes.
Expected<std::vector<ImportedTarget>> parse_target_import(std::string_view text, const TargetPatch& defaults);

}  // namespace pk::core
