#pragma once

#include "core/trace.hpp"

#include <span>
#include <string>
#include <vector>

// The hop sequence of a trace and whether it changed (pure).
namespace pk::analyze {

// Per TTL from the trace's first_ttl to its last answering hop, the distinct
// responder addresses in sorted order (empty = every probe was silent), and
// whether the destination was reached. Trailing silent hops are dropped, so
// an unreached trace to max_hops and one that gave up earlier compare alike.
struct PathSignature {
  int first_ttl = 1;
  std::vector<std::vector<std::string>> hops;
  bool reached = false;
  friend bool operator==(const PathSignature&, const PathSignature&) = default;
};

PathSignature path_signature(const core::Trace& trace);

// 16 hex digits (FNV-1a 64) over the signature's canonical text; equal
// signatures have equal hashes.
std::string path_hash(const PathSignature& signature);

// Did the path change from `previous` to `current`? Yes when one reached the
// destination and the other did not, when both reached it at a different
// number of hops, or when a hop (TTL) answered in both from a different set
// of addresses. A hop silent in either (a router rate-limiting its ICMP) is
// not a change, nor is how far an unreached trace got.
bool path_changed(const PathSignature& previous, const PathSignature& current);

// What the path was before a new trace: the newest of `newest_first` with
// each silent hop filled in from the latest older signature in which that TTL
// answered, so that a change is not hidden behind a hop that happened to be
// silent in the one trace before. Empty input gives an empty signature.
PathSignature reference_path(std::span<const PathSignature> newest_first);

// One line per signature for listings: hops separated by " > ", several
// responders of one hop joined with "|", "*" for a silent hop, e.g.
// "10.0.1.1 > 10.0.2.1|10.0.2.9 > * > 10.0.4.2".
std::string path_text(const PathSignature& signature);

}  // namespace pk::analyze
