#include "store/samples.hpp"

#include "store/db.hpp"

#include <climits>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace pk::store::samples {

namespace {

constexpr std::string_view k_columns = "target_id, ts, rtt_us, status, ttl, detail";

core::Sample read_row(const Statement& st) {
  core::Sample s;
  s.target_id = st.int64(0);
  s.ts = util::from_epoch_us(st.int64(1));
  if (auto rtt = st.opt_int64(2)) s.rtt = util::Micros{*rtt};
  s.status = static_cast<core::SampleStatus>(st.int32(3));
  if (auto ttl = st.opt_int64(4)) s.ttl = static_cast<int>(*ttl);
  s.detail = st.opt_text(5);
  return s;
}

}  // namespace

Expected<void> insert_batch(const Database& db, std::span<const core::Sample> samples,
                            std::span<const RunCounts> runs) {
  if (samples.empty() && runs.empty()) return {};
  return guarded([&]() -> Expected<void> {
    Transaction tx(db);
    auto st = db.prepare(
        "INSERT OR REPLACE INTO samples (target_id, ts, rtt_us, status, ttl, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const auto& s : samples) {
      st.reset();
      st.bind(1, s.target_id).bind(2, util::to_epoch_us(s.ts)).bind(4, static_cast<int>(s.status));
      if (s.rtt) {
        st.bind(3, static_cast<std::int64_t>(s.rtt->count()));
      } else {
        st.bind_null(3);
      }
      st.bind(5, s.ttl).bind(6, s.detail);
      st.run();
    }
    auto add = db.prepare(
        "UPDATE job_runs SET sent = sent + ?2, received = received + ?3, errors = errors + ?4 WHERE id = ?1");
    for (const auto& r : runs) {
      add.reset();
      add.bind(1, r.run_id).bind(2, r.sent).bind(3, r.received).bind(4, r.errors);
      add.run();
    }
    tx.commit();
    return {};
  });
}

Expected<std::vector<core::Sample>> select(const Database& db, const Query& q) {
  return guarded([&]() -> Expected<std::vector<core::Sample>> {
    auto sql =
        fmt::format("SELECT {} FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts {} LIMIT ?4",
                    k_columns, q.newest_first ? "DESC" : "ASC");
    auto st = db.prepare(sql);
    st.bind(1, q.target_id)
        .bind(2, q.since ? util::to_epoch_us(*q.since) : INT64_MIN)
        .bind(3, q.until ? util::to_epoch_us(*q.until) : INT64_MAX)
        .bind(4, q.limit.value_or(-1));
    std::vector<core::Sample> out;
    while (st.step()) out.push_back(read_row(st));
    return out;
  });
}

Expected<std::vector<core::Sample>> after(const Database& db, std::span<const std::int64_t> target_ids,
                                          util::SysMicros after_ts, std::int64_t limit) {
  return guarded([&]() -> Expected<std::vector<core::Sample>> {
    std::vector<core::Sample> out;
    auto st = db.prepare(
        fmt::format("SELECT {} FROM samples WHERE target_id = ?1 AND ts > ?2 ORDER BY ts LIMIT ?3", k_columns));
    for (auto id : target_ids) {
      st.reset();
      st.bind(1, id).bind(2, util::to_epoch_us(after_ts)).bind(3, limit);
      while (st.step()) out.push_back(read_row(st));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return std::tie(a.ts, a.target_id) < std::tie(b.ts, b.target_id); });
    if (static_cast<std::int64_t>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
    return out;
  });
}

Expected<std::int64_t> count(const Database& db, std::int64_t target_id) {
  return guarded([&]() -> Expected<std::int64_t> {
    auto st = db.prepare("SELECT count(*) FROM samples WHERE target_id = ?1");
    st.bind(1, target_id);
    st.step();
    return st.int64(0);
  });
}

}  // namespace pk::store::samples
