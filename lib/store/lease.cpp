#include "store/lease.hpp"

#include "store/db.hpp"

namespace pk::store::lease {

namespace {

std::optional<Lease> read_row(const Database& db) {
  auto st = db.prepare(
      "SELECT token, pid, start_ticks, boot_id, pid_ns, hostname, since_us, seen_us FROM collector_lease WHERE id = 1");
  if (!st.step()) return std::nullopt;
  Lease l;
  l.token = st.text(0);
  l.pid = st.int64(1);
  l.start_ticks = st.int64(2);
  l.boot_id = st.text(3);
  l.pid_ns = st.text(4);
  l.hostname = st.text(5);
  l.since = util::from_epoch_us(st.int64(6));
  l.seen = util::from_epoch_us(st.int64(7));
  return l;
}

}  // namespace

Expected<std::optional<Lease>> read(const Database& db) {
  return guarded([&]() -> Expected<std::optional<Lease>> { return read_row(db); });
}

Expected<std::optional<Lease>> claim(const Database& db, const Lease& mine,
                                     const std::function<bool(const Lease&)>& stale) {
  return guarded([&]() -> Expected<std::optional<Lease>> {
    Transaction tx(db);
    auto current = read_row(db);
    if (current && current->token != mine.token && !stale(*current)) return current;
    db.prepare(
          "INSERT OR REPLACE INTO collector_lease (id, token, pid, start_ticks, boot_id, pid_ns, hostname, since_us, "
          "seen_us) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(1, mine.token)
        .bind(2, mine.pid)
        .bind(3, mine.start_ticks)
        .bind(4, mine.boot_id)
        .bind(5, mine.pid_ns)
        .bind(6, mine.hostname)
        .bind(7, util::to_epoch_us(mine.since))
        .bind(8, util::to_epoch_us(mine.seen))
        .run();
    tx.commit();
    return std::nullopt;
  });
}

Expected<bool> refresh(const Database& db, const std::string& token, util::SysMicros now) {
  return guarded([&]() -> Expected<bool> {
    db.prepare("UPDATE collector_lease SET seen_us = ?2 WHERE id = 1 AND token = ?1")
        .bind(1, token)
        .bind(2, util::to_epoch_us(now))
        .run();
    return db.changes() == 1;
  });
}

Expected<void> release(const Database& db, const std::string& token) {
  return guarded([&]() -> Expected<void> {
    db.prepare("DELETE FROM collector_lease WHERE id = 1 AND token = ?1").bind(1, token).run();
    return {};
  });
}

}  // namespace pk::store::lease
