#include "collect/open_prober.hpp"

#include "store/targets.hpp"

#include <algorithm>

namespace pk::collect {

Expected<std::unique_ptr<probe::Prober>> open_prober(const store::Database& db) {
  auto prober = probe::Prober::open(true);
  if (prober || prober.error().kind != ErrorKind::permission) return prober;
  auto targets = store::targets::list(db);
  if (!targets) return std::unexpected(targets.error());
  bool needs_icmp = std::any_of(targets->begin(), targets->end(),
                                [](const core::Target& t) { return t.probe == core::ProbeKind::icmp; });
  if (needs_icmp) return prober;
  return probe::Prober::open(false);
}

}  // namespace pk::collect
