#include "analyze/path.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace pk::analyze {

PathSignature path_signature(const core::Trace& trace) {
  PathSignature s;
  s.first_ttl = trace.first_ttl;
  s.reached = trace.reached;
  for (const core::TraceProbe& p : trace.probes) {
    if (p.ttl < trace.first_ttl) continue;
    const auto index = static_cast<std::size_t>(p.ttl - trace.first_ttl);
    if (s.hops.size() <= index) s.hops.resize(index + 1);
    if (p.address) s.hops[index].push_back(*p.address);
  }
  for (auto& hop : s.hops) {
    std::sort(hop.begin(), hop.end());
    hop.erase(std::unique(hop.begin(), hop.end()), hop.end());
  }
  while (!s.hops.empty() && s.hops.back().empty()) s.hops.pop_back();
  return s;
}

namespace {

std::string canonical(const PathSignature& s) {
  std::string text = fmt::format("{}{}", s.reached ? "reached" : "open", s.first_ttl);
  for (const auto& hop : s.hops) {
    text += hop.empty() ? std::string(";*") : fmt::format(";{}", fmt::join(hop, ","));
  }
  return text;
}

}  // namespace

std::string path_hash(const PathSignature& signature) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
  for (char c : canonical(signature)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

bool path_changed(const PathSignature& previous, const PathSignature& current) {
  if (previous.reached != current.reached) return true;
  // Compare TTL by TTL, whatever first TTL each trace started from.
  const int first = std::max(previous.first_ttl, current.first_ttl);
  const auto end_of = [](const PathSignature& s) { return s.first_ttl + static_cast<int>(s.hops.size()); };
  // Both reached: the destination's distance is part of the path. Neither
  // did: the last answering hop may just have been silent this time.
  if (previous.reached && end_of(previous) != end_of(current)) return true;
  const int last = std::min(end_of(previous), end_of(current));
  for (int ttl = first; ttl < last; ++ttl) {
    const auto& a = previous.hops[static_cast<std::size_t>(ttl - previous.first_ttl)];
    const auto& b = current.hops[static_cast<std::size_t>(ttl - current.first_ttl)];
    if (!a.empty() && !b.empty() && a != b) return true;
  }
  return false;
}

PathSignature reference_path(std::span<const PathSignature> newest_first) {
  if (newest_first.empty()) return {};
  PathSignature ref = newest_first.front();
  for (std::size_t i = 0; i < ref.hops.size(); ++i) {
    if (!ref.hops[i].empty()) continue;
    const int ttl = ref.first_ttl + static_cast<int>(i);
    for (const PathSignature& older : newest_first.subspan(1)) {
      const int index = ttl - older.first_ttl;
      if (index < 0 || static_cast<std::size_t>(index) >= older.hops.size()) continue;
      const auto& hop = older.hops[static_cast<std::size_t>(index)];
      if (hop.empty()) continue;
      ref.hops[i] = hop;
      break;
    }
  }
  return ref;
}

std::string path_text(const PathSignature& signature) {
  std::string text;
  for (const auto& hop : signature.hops) {
    if (!text.empty()) text += " > ";
    text += hop.empty() ? std::string("*") : fmt::format("{}", fmt::join(hop, "|"));
  }
  return text.empty() ? std::string("*") : text;
}

}  // namespace pk::analyze
