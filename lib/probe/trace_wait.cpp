#include "probe/trace_wait.hpp"

#include <algorithm>

namespace pk::probe {

std::vector<std::int64_t> give_up_after(std::span<const std::int64_t> rtt_ns, int queries, std::int64_t wait_ns) {
  const auto per_hop = static_cast<std::size_t>(std::max(queries, 1));
  const std::size_t hops = (rtt_ns.size() + per_hop - 1) / per_hop;
  std::vector<std::int64_t> slowest(hops, -1);  // per TTL, the slowest answer
  for (std::size_t i = 0; i < rtt_ns.size(); ++i) slowest[i / per_hop] = std::max(slowest[i / per_hop], rtt_ns[i]);
  std::vector<std::int64_t> later(hops, -1);  // per TTL, the slowest answer of any later TTL
  for (std::size_t h = hops; h-- > 1;) later[h - 1] = std::max(later[h], slowest[h]);
  std::vector<std::int64_t> out(rtt_ns.size(), wait_ns);
  for (std::size_t i = 0; i < rtt_ns.size(); ++i) {
    const std::size_t h = i / per_hop;
    if (slowest[h] >= 0) out[i] = std::min(out[i], std::max(k_min_give_up_ns, k_here_factor * slowest[h]));
    if (later[h] >= 0) out[i] = std::min(out[i], std::max(k_min_give_up_ns, k_near_factor * later[h]));
  }
  return out;
}

}  // namespace pk::probe
