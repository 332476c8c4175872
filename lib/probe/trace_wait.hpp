#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pk::probe {

inline constexpr std::int64_t k_here_factor = 3;              // traceroute(8)'s HERE
inline constexpr std::int64_t k_near_factor = 10;             // traceroute(8)'s NEAR
inline constexpr std::int64_t k_min_give_up_ns = 10'000'000;  // 10 ms: routers slow to send ICMP

// How long each probe of a trace is waited for, from its send, as
// traceroute(8)'s -w MAX,HERE,NEAR (5,3,10) does (pure): at most `wait_ns`;
// once a probe of the same TTL has answered, k_here_factor times the slowest
// such answer; once a probe of a later TTL has answered (its packet went
// further), k_near_factor times the slowest such answer; never below
// k_min_give_up_ns (unless `wait_ns` itself is). `rtt_ns` has one entry per probe, ordered by TTL then
// query, `queries` per TTL: the RTT when answered, -1 otherwise.
std::vector<std::int64_t> give_up_after(std::span<const std::int64_t> rtt_ns, int queries, std::int64_t wait_ns);

}  // namespace pk::probe
