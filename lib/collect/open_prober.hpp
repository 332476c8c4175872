#pragma once

#include "probe/prober.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <memory>

namespace pk::collect {

// The collector's prober (`run`, `serve`): with ICMP when allowed; without
// ICMP permission, a database whose targets are all TCP still collects, and
// any ICMP target makes it the permission error (which says how to fix it).
Expected<std::unique_ptr<probe::Prober>> open_prober(const store::Database& db);

}  // namespace pk::collect
