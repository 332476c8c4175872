#pragma once

#include "context.hpp"

#include "core/target.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>

namespace pk::cli {

// The known target that HOST names (by name or id), for ad-hoc commands that
// take a host or a target (ping, traceroute): the database is opened, into
// `db`, when it exists or `open_anyway` asks for it; nullopt when HOST names
// no target (or there is no database).
Expected<std::optional<core::Target>> find_known_target(const Context& ctx, const std::string& host, bool open_anyway,
                                                        std::optional<store::Database>& db);

}  // namespace pk::cli
