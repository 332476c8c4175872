#pragma once

#include "serve/state.hpp"
#include "util/expected.hpp"

#include <cstdint>

namespace pk::serve::seed {

// DELETE /ping-metrics/cleanup: deletes the raw samples older than `days`
// days, but only what the rollup pass has summarised: it takes the
// maintenance lock (waiting for a running pass or prune), runs the rollup
// pass, then moves the raw retention horizon (rollups.set_horizon) to
// min(now - days, the 1-minute watermark, the oldest pending 1-minute dirty
// mark), floored to the minute, and deletes the samples before it, as
// `maintain --prune` does with a raw keep of `days` (maintain::prune_raw). Statistics over the
// deleted range then come from the rollups. Returns how many samples were
// deleted (0 when the horizon is there already).
Expected<std::int64_t> cleanup(ServeState& state, std::int64_t days);

}  // namespace pk::serve::seed
