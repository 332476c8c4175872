#pragma once

#include "context.hpp"

#include "core/target.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>

namespace pk::cli {

// `traceroute T --history [--since ..]`: the stored traces of `target`,
// oldest first, each marked when its hop sequence differs from the previous
// trace of the same method and port. Table: time, probe, hops, reached,
// duration, a "changed" mark and the path (analyze::path_text); --json: an
// array of core::to_json(Trace) objects; --csv: one row per trace.
Expected<void> print_trace_history(const Context& ctx, const core::Target& target,
                                   std::optional<util::SysMicros> since);

}  // namespace pk::cli
