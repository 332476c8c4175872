#pragma once

#include "core/target.hpp"
#include "probe/address.hpp"
#include "util/expected.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pk::probe {

// The result of resolving one host.
struct Resolution {
  std::uint32_t slot = 0;
  std::string host;
  Expected<Address> address;  // invalid_input-kind error with getaddrinfo's reason when it failed
};

// Resolves names off the caller's thread (getaddrinfo in a worker thread), so
// an event loop never blocks on DNS. Literals resolve at once. The address of
// the preferred family is chosen: `family` any prefers IPv4 then IPv6 (as
// ping(8) does), v4/v6 accept only that family. Up to four lookups run at
// once, in threads started as needed; re-resolving (periodically) is the
// caller's call to request() again. Destruction drops queued lookups and
// waits for those in progress.
class Resolver {
 public:
  Resolver();
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Queues a lookup; its Resolution comes back from take() later.
  void request(std::uint32_t slot, const std::string& host, core::Family family);

  // Finished lookups, without blocking.
  std::vector<Resolution> take();

  // A file descriptor that is readable while take() has results (eventfd),
  // for poll/epoll integration.
  int notify_fd() const;

  // Resolves on the calling thread (blocking): for one-shot commands.
  static Expected<Address> resolve_now(const std::string& host, core::Family family);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pk::probe
