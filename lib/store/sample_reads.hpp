#pragma once

#include "analyze/source.hpp"
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
// columns statistics need are read (no detail text, no sketch decoding).
// Ranges are half-open, [from, to). Borrows `db`, which must outlive it.
class SampleReader {
 public:
  explicit SampleReader(const Database& db) : m_db(db) {}

  // One raw sample as statistics see it.
  struct Probe {
    util::SysMicros ts{};
    std::optional<std::int64_t> rtt_us;  // nullopt = lost
    bool answered = false;               // core::answered(status)
  };
  // Calls fn for every sample of the target in [from, to), oldest first.
  Expected<void> for_each(std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                          const std::function<void(const Probe&)>& fn);

  // The time of the first answered sample in [from, to), if any.
  Expected<std::optional<util::SysMicros>> first_answer(std::int64_t target_id, util::SysMicros from,
                                                        util::SysMicros to);

  // A rollup row's counts.
  struct BucketCount {
    util::SysMicros bucket{};
    std::int64_t sent = 0;
    std::int64_t received = 0;
    friend bool operator==(const BucketCount&, const BucketCount&) = default;
  };
  // The rows of rollup tier `tier` (not raw) with bucket start in [from, to),
  // oldest first; with only_lossy, only rows with received < sent.
  Expected<std::vector<BucketCount>> bucket_counts(analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                                                   util::SysMicros to, bool only_lossy);

 private:
  const Database& m_db;
  std::optional<Statement> m_probes;
  std::optional<Statement> m_first_answer;
  std::array<std::optional<Statement>, 8> m_counts;  // [tier * 2 + only_lossy]
};

}  // namespace pk::store
