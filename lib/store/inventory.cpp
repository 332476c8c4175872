#include "store/inventory.hpp"

#include "store/db.hpp"

#include <fmt/format.h>

namespace pk::store::inventory {

Expected<std::string> fingerprint(const Database& db) {
  return guarded([&]() -> Expected<std::string> {
    auto st = db.prepare(
        "SELECT (SELECT count(*) FROM targets), (SELECT coalesce(max(updated_at), 0) FROM targets), "
        "(SELECT count(*) FROM jobs), (SELECT coalesce(max(updated_at), 0) FROM jobs), "
        "(SELECT count(*) FROM job_targets)");
    st.step();
    return fmt::format("{}:{}:{}:{}:{}", st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4));
  });
}

Expected<std::int64_t> data_version(const Database& db) {
  return guarded([&]() -> Expected<std::int64_t> {
    auto st = db.prepare("PRAGMA data_version");
    st.step();
    return st.int64(0);
  });
}

}  // namespace pk::store::inventory
