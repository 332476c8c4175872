#pragma once

#include "core/trace.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pk::store {
class Database;
}

// Repository of traceroute runs (tables traces and trace_hops). Every
// function is atomic.
namespace pk::store::traces {

// Stores `trace` and its probes in one transaction and sets trace.id,
// trace.path_hash and trace.path_changed: the hop sequence is compared
// (analyze::path_changed) with the previous stored trace of the same target,
// method and port (for a trace without a target: the same host), its silent
// hops filled in from up to 9 traces before it (analyze::reference_path);
// the first trace of a target is never marked changed.
Expected<void> save(const Database& db, core::Trace& trace);

struct HistoryQuery {
  std::optional<std::int64_t> target_id;  // nullopt: every trace
  std::optional<util::SysMicros> since;   // started_at >= since
  std::optional<util::SysMicros> until;   // started_at < until
  std::optional<std::int64_t> limit;      // the newest `limit`, still listed oldest first
};

// Stored traces with their probes (hostnames as stored), oldest first; the
// `target` field is the target's name (the host for traces without one).
Expected<std::vector<core::Trace>> list(const Database& db, const HistoryQuery& query);

// When the latest stored trace of the target started; nullopt when it has
// none (the collector's path schedule resumes from it after a restart).
Expected<std::optional<util::SysMicros>> last_started(const Database& db, std::int64_t target_id);

// Deletes up to `limit` of the oldest traces that started before `cut`, with
// their hops; returns how many (retention: traces are kept as long as raw
// samples).
Expected<std::int64_t> erase_before(const Database& db, util::SysMicros cut, std::int64_t limit);

// One stored trace by id; not_found when there is none.
Expected<core::Trace> get(const Database& db, std::int64_t id);

}  // namespace pk::store::traces
