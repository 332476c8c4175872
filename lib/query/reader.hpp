#pragma once

#include "analyze/cover.hpp"
#include "store/db.hpp"
#include "store/sample_reads.hpp"
#include "util/expected.hpp"

namespace pk::store {
class Database;
}

// Statistics over the store: `stats`, `series`, `downtime` and `check` (and
// later `serve`) ask these functions, which plan with lib/analyze and read
// through lib/store.
namespace pk::query {

// What every query reads with: the database, a SampleReader on it, and what
// each tier holds (store::rollups::coverage, read once when opened), all in
// one read snapshot (store::ReadSnapshot) so a prune or rollup pass committed
// meanwhile cannot change the data under a query. Borrows `db`, which must
// outlive it and must not be written through while it lives.
class Reader {
 public:
  static Expected<Reader> open(const store::Database& db);

  const store::Database& db() const { return *m_db; }
  store::SampleReader& samples() { return m_samples; }
  const analyze::TierExtent& extent() const { return m_extent; }

  // Is every raw sample at or after `t` kept (not pruned)?
  bool raw_kept_from(util::SysMicros t) const;

 private:
  Reader(store::ReadSnapshot snapshot, const store::Database& db, analyze::TierExtent extent)
      : m_snapshot(std::move(snapshot)), m_db(&db), m_samples(db), m_extent(extent) {}

  store::ReadSnapshot m_snapshot;  // first: ends after the statements below are gone
  const store::Database* m_db;
  store::SampleReader m_samples;
  analyze::TierExtent m_extent;
};

}  // namespace pk::query
