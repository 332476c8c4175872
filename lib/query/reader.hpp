#pragma once

#include "analyze/cover.hpp"
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
// each tier holds (store::rollups::coverage, read once when opened). Borrows
// `db`, which must outlive it.
class Reader {
 public:
  static Expected<Reader> open(const store::Database& db);

  const store::Database& db() const { return *m_db; }
  store::SampleReader& samples() { return m_samples; }
  const analyze::TierExtent& extent() const { return m_extent; }

  // Is every raw sample at or after `t` kept (not pruned)?
  bool raw_kept_from(util::SysMicros t) const;

 private:
  Reader(const store::Database& db, analyze::TierExtent extent) : m_db(&db), m_samples(db), m_extent(extent) {}

  const store::Database* m_db;
  store::SampleReader m_samples;
  analyze::TierExtent m_extent;
};

}  // namespace pk::query
