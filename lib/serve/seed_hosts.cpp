#include "serve/seed_hosts.hpp"

#include "core/host.hpp"
#include "serve/seed_api.hpp"
#include "store/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pk::serve::seed {

namespace {

Expected<core::Json> answer(const store::Database& db, std::string message) {
  auto hosts = monitored_hosts(db);
  if (!hosts) return std::unexpected(hosts.error());
  return core::Json{{"message", std::move(message)}, {"current_hosts", std::move(*hosts)}};
}

}  // namespace

Expected<core::Json> add_host(ServeState& state, std::string_view host) {
  if (auto kind = core::classify_host(host); !kind) return std::unexpected(kind.error());
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto live = store::targets::list(**db);
  if (!live) return std::unexpected(live.error());
  auto named = std::find_if(live->begin(), live->end(), [&](const auto& t) { return t.name == host; });
  if (named != live->end() && !named->paused) {
    return answer(**db, fmt::format("Host {} is already being monitored", host));
  }
  if (named != live->end()) {
    const std::vector<std::string> refs{std::to_string(named->id)};
    if (auto resumed = store::targets::set_paused(**db, refs, false, state.clock()); !resumed) {
      return std::unexpected(resumed.error());
    }
  } else {
    auto target = core::make_target(host, {});
    if (!target) return std::unexpected(target.error());
    if (auto added = store::targets::add(**db, {std::move(*target)}, state.clock()); !added) {
      return std::unexpected(added.error());
    }
  }
  return answer(**db, fmt::format("Host {} added to monitoring", host));
}

Expected<core::Json> remove_host(ServeState& state, std::string_view host) {
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  auto targets = resolve_host(**db, host);
  if (!targets) return std::unexpected(targets.error());
  std::vector<std::string> refs;
  for (const auto& t : *targets) refs.push_back(std::to_string(t.id));
  if (auto paused = store::targets::set_paused(**db, refs, true, state.clock()); !paused) {
    return std::unexpected(paused.error());
  }
  return answer(**db, fmt::format("Host {} removed from monitoring", host));
}

}  // namespace pk::serve::seed
