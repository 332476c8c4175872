#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace pk::probe {

// Reverse DNS for traceroute hops without blocking the trace: each address
// is looked up (getnameinfo with NI_NAMEREQD) on a worker thread as soon as
// it is requested, at most a few at once; lookups that have not finished by
// the deadline given to names() are left behind (their threads end on their
// own and the results are dropped), so a slow resolver delays a trace by at
// most that deadline.
class ReverseDns {
 public:
  ReverseDns();
  ~ReverseDns();
  ReverseDns(const ReverseDns&) = delete;
  ReverseDns& operator=(const ReverseDns&) = delete;

  // Starts a lookup of a numeric IPv4 / IPv6 address; repeats are ignored.
  void request(const std::string& address);

  // The names found so far, waiting until `deadline` for lookups still in
  // progress. Addresses without a name (or not done in time) are absent.
  std::map<std::string, std::string> names(std::chrono::steady_clock::time_point deadline);

 private:
  struct State;
  std::shared_ptr<State> m_state;
};

}  // namespace pk::probe
