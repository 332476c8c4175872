#include "store/sample_reads.hpp"

#include <fmt/format.h>

namespace pk::store {

namespace {

// Statuses that count as an answer (core::answered): ok and refused.
constexpr std::string_view k_answered = "status IN (0, 4)";

Statement& prepared(const Database& db, std::optional<Statement>& slot, const std::string& sql) {
  if (!slot) slot.emplace(db.prepare(sql));
  slot->reset();
  return *slot;
}

}  // namespace

Expected<void> SampleReader::for_each(std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                                      const std::function<void(const Probe&)>& fn) {
  return guarded([&]() -> Expected<void> {
    auto& st = prepared(m_db, m_probes,
                        fmt::format("SELECT ts, rtt_us, {} FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 "
                                    "ORDER BY ts",
                                    k_answered));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    Probe probe;
    while (st.step()) {
      probe.ts = util::from_epoch_us(st.int64(0));
      probe.rtt_us = st.opt_int64(1);
      probe.answered = st.int64(2) != 0;
      fn(probe);
    }
    return {};
  });
}

Expected<std::optional<util::SysMicros>> SampleReader::first_answer(std::int64_t target_id, util::SysMicros from,
                                                                    util::SysMicros to) {
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto& st = prepared(m_db, m_first_answer,
                        fmt::format("SELECT ts FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 AND {} "
                                    "ORDER BY ts LIMIT 1",
                                    k_answered));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    std::optional<util::SysMicros> found;
    if (st.step()) found = util::from_epoch_us(st.int64(0));
    st.reset();  // ends the statement's read
    return found;
  });
}

Expected<std::vector<SampleReader::BucketCount>> SampleReader::bucket_counts(analyze::Tier tier, std::int64_t target_id,
                                                                             util::SysMicros from, util::SysMicros to,
                                                                             bool only_lossy) {
  if (tier == analyze::Tier::raw) return invalid_input("raw samples have no rollup table");
  return guarded([&]() -> Expected<std::vector<BucketCount>> {
    auto& st = prepared(m_db, m_counts[static_cast<std::size_t>(tier) * 2 + (only_lossy ? 1 : 0)],
                        fmt::format("SELECT bucket, sent, received FROM rollup_{} WHERE target_id = ?1 AND "
                                    "bucket >= ?2 AND bucket < ?3{} ORDER BY bucket",
                                    analyze::to_string(tier), only_lossy ? " AND received < sent" : ""));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    std::vector<BucketCount> out;
    while (st.step()) out.push_back({util::from_epoch_us(st.int64(0)), st.int64(1), st.int64(2)});
    return out;
  });
}

}  // namespace pk::store
