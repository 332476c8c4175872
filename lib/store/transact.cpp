#include "store/transact.hpp"

#include "store/db.hpp"

namespace pk::store {

Expected<void> transact(const Database& db, const std::function<Expected<void>()>& fn) {
  return guarded([&]() -> Expected<void> {
    Transaction tx(db);
    auto result = fn();
    if (!result) return result;
    tx.commit();
    return {};
  });
}

}  // namespace pk::store
