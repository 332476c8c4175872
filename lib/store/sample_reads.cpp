#include "store/sample_reads.hpp"

#include "store/scans.hpp"

#include <fmt/format.h>

namespace pk::store {

namespace {

Statement& prepared(const Database& db, std::optional<Statement>& slot, const std::string& sql) {
  if (!slot) slot.emplace(db.prepare(sql));
  slot->reset();
  return *slot;
}

std::optional<util::SysMicros> time_or_null(const Statement& st, int column) {
  auto us = st.opt_int64(column);
  if (!us) return std::nullopt;
  return util::from_epoch_us(*us);
}

}  // namespace

Expected<void> SampleReader::for_each(std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                                      const std::function<void(const core::Sample&)>& fn) {
  return guarded([&]() -> Expected<void> {
    run_scan(prepared(m_db, m_samples, std::string(k_scan_sql)), target_id, from, to, fn);
    return {};
  });
}

Expected<std::vector<SampleReader::Bucket>> SampleReader::buckets(analyze::Tier tier, std::int64_t target_id,
                                                                  util::SysMicros from, util::SysMicros to) {
  if (tier == analyze::Tier::raw) return invalid_input("raw samples have no rollup table");
  return guarded([&]() -> Expected<std::vector<Bucket>> {
    auto& st =
        prepared(m_db, m_buckets[static_cast<std::size_t>(tier)],
                 fmt::format("SELECT bucket, sent, received, ok_count, ok_first, ok_last, ok_gap_max FROM rollup_{} "
                             "WHERE target_id = ?1 AND bucket >= ?2 AND bucket < ?3 ORDER BY bucket",
                             analyze::to_string(tier)));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    std::vector<Bucket> out;
    while (st.step()) {
      const auto bucket = util::from_epoch_us(st.int64(0));
      auto answers = analyze::AnswerGaps::from_parts(st.int64(3), time_or_null(st, 4), time_or_null(st, 5),
                                                     util::Micros{st.int64(6)});
      if (!answers) {
        st.reset();  // ends the statement's read
        return make_error(ErrorKind::database,
                          fmt::format("corrupt row in rollup_{} (target {}, bucket {}): {}", analyze::to_string(tier),
                                      target_id, util::to_epoch_us(bucket), answers.error().message));
      }
      out.push_back({bucket, st.int64(1), st.int64(2), *answers});
    }
    return out;
  });
}

}  // namespace pk::store
