#pragma once

#include "core/sample.hpp"
#include "store/db.hpp"

namespace pk::store {

// A sample from the current row of a statement whose first six columns are
// target_id, ts, rtt_us, status, ttl, detail (in that order).
core::Sample read_sample_row(const Statement& st);

}  // namespace pk::store
