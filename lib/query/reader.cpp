#include "query/reader.hpp"

#include "store/rollups.hpp"

namespace pk::query {

Expected<Reader> Reader::open(const store::Database& db) {
  auto snapshot = store::ReadSnapshot::begin(db);
  if (!snapshot) return std::unexpected(snapshot.error());
  auto coverage = store::rollups::coverage(db);
  if (!coverage) return std::unexpected(coverage.error());
  return Reader(std::move(*snapshot), db, analyze::TierExtent{coverage->watermark, coverage->horizon});
}

bool Reader::raw_kept_from(util::SysMicros t) const {
  const auto& horizon = m_extent.horizon[static_cast<std::size_t>(analyze::Tier::raw)];
  return !horizon || t >= *horizon;
}

}  // namespace pk::query
