#pragma once

#include "util/expected.hpp"

#include <cstdint>
#include <string>

namespace pk::store {
class Database;
}

namespace pk::store::inventory {

// A cheap summary of targets, jobs and memberships that changes whenever any
// of them is added, edited, paused, removed or re-membered. The collector
// compares it after PRAGMA data_version moves to tell configuration changes
// from mere sample inserts.
Expected<std::string> fingerprint(const Database& db);

// PRAGMA data_version of this connection: changes when another connection
// commits.
Expected<std::int64_t> data_version(const Database& db);

}  // namespace pk::store::inventory
