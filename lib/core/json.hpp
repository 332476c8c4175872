#pragma once

#include "core/job.hpp"
#include "core/sample.hpp"
#include "core/target.hpp"
#include "core/trace.hpp"

#include <nlohmann/json.hpp>

#include <optional>

// The JSON shapes of domain objects, shared by `--json` output and `serve`.
// Field names and units are a documented interface (README "JSON output"):
// times are ISO 8601 UTC with Z, durations are integer milliseconds (*_ms).
namespace pk::core {

// Keeps fields in the order they are written, for people reading the output.
using Json = nlohmann::ordered_json;

Json to_json(const Target& t);

// A job with its live state at the time of the call and its latest run.
Json to_json(const Job& j, const JobState& state, const std::optional<JobRun>& latest_run);

Json to_json(const JobRun& r);

// A sample of target `target_name`: time, rtt_ms (null when lost), status,
// ttl, detail.
Json to_json(const Sample& s, std::string_view target_name);

// A trace: id (null when not stored), target, host, address, probe, port
// (null for icmp), started_at, duration_ms, first_ttl, max_hops, queries,
// reached, hop_count, path_hash and path_changed (null when not stored), and
// hops: one per TTL with its distinct responder addresses (in order of first
// answer), their names where known, and each probe (query, address,
// hostname, rtt_ms, reply, icmp_type, icmp_code, mark).
Json to_json(const Trace& t);

// An RTT in milliseconds with microsecond precision (0.045), or null.
Json rtt_ms(const std::optional<util::Micros>& rtt);

}  // namespace pk::core
