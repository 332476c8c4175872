#pragma once

#include "analyze/answer_gaps.hpp"
#include "analyze/source.hpp"
#include "core/sample.hpp"
#include "store/db.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace pk::store {

// Read-only access for statistics, which issue many small range reads of one
// target: each statement is prepared on first use and then reused. Only the
// columns statistics need are read (no ttl or detail, no sketch decoding).
// Ranges are half-open, [from, to). Borrows `db`, which must outlive it.
class SampleReader {
 public:
  explicit SampleReader(const Database& db) : m_db(db) {}

  // Calls fn for every sample of the target in [from, to), oldest first,
  // with target_id, ts, rtt and status set.
  Expected<void> for_each(std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                          const std::function<void(const core::Sample&)>& fn);

  // A rollup row's counts and answer gaps.
  struct Bucket {
    util::SysMicros bucket{};
    std::int64_t sent = 0;
    std::int64_t received = 0;
    analyze::AnswerGaps answers;
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };
  // The rows of rollup tier `tier` (not raw) with bucket start in [from, to),
  // oldest first. A row whose gaps do not decode is an ErrorKind::database
  // error.
  Expected<std::vector<Bucket>> buckets(analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                                        util::SysMicros to);

 private:
  const Database& m_db;
  std::optional<Statement> m_samples;
  std::array<std::optional<Statement>, 4> m_buckets;  // by tier
};

}  // namespace pk::store
