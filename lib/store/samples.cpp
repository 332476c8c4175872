#include "store/samples.hpp"

#include "analyze/aggregate.hpp"
#include "store/db.hpp"
#include "store/sample_row.hpp"
#include "store/scans.hpp"

#include <climits>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <unordered_map>

namespace pk::store::samples {

namespace {

constexpr std::string_view k_columns = "target_id, ts, rtt_us, status, ttl, detail";

// The 1-minute rollup's claim: samples before it are (being) rolled up, so
// a new one there must mark its bucket dirty. nullopt: nothing claimed yet.
std::optional<std::int64_t> rollup_threshold(const Database& db) {
  auto st = db.prepare(
      "SELECT max(CAST(value AS INTEGER)) FROM settings WHERE key IN ('rollup.watermark.1m', 'rollup.claim.1m')");
  st.step();
  return st.opt_int64(0);
}

}  // namespace

Expected<std::int64_t> insert_batch(const Database& db, std::span<const core::Sample> samples,
                                    std::span<const RunCounts> runs) {
  if (samples.empty() && runs.empty()) return 0;
  return guarded([&]() -> Expected<std::int64_t> {
    Transaction tx(db);
    auto st = db.prepare(
        "INSERT OR REPLACE INTO samples (target_id, ts, rtt_us, status, ttl, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    const auto threshold = samples.empty() ? std::nullopt : rollup_threshold(db);
    auto mark = db.prepare("INSERT OR IGNORE INTO rollup_dirty (tier, target_id, bucket) VALUES ('1m', ?1, ?2)");
    // Per target of the batch: until when it takes samples (nullopt: gone).
    auto lookup = db.prepare("SELECT coalesce(removed_at, ?2) FROM targets WHERE id = ?1");
    std::unordered_map<std::int64_t, std::optional<std::int64_t>> takes_until;
    std::int64_t stored = 0;
    for (const auto& s : samples) {
      auto known = takes_until.find(s.target_id);
      if (known == takes_until.end()) {
        lookup.reset();
        lookup.bind(1, s.target_id).bind(2, INT64_MAX);
        std::optional<std::int64_t> until;
        if (lookup.step()) until = lookup.int64(0);
        known = takes_until.emplace(s.target_id, until).first;
      }
      if (!known->second || util::to_epoch_us(s.ts) >= *known->second) continue;
      ++stored;
      if (threshold && util::to_epoch_us(s.ts) < *threshold) {
        mark.reset();
        mark.bind(1, s.target_id).bind(2, util::to_epoch_us(analyze::floor_to(s.ts, std::chrono::minutes{1}))).run();
      }
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
    return stored;
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
    while (st.step()) out.push_back(read_sample_row(st));
    return out;
  });
}

Expected<std::int64_t> scan_full(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                                 const std::function<bool(const core::Sample&)>& fn) {
  return guarded([&]() -> Expected<std::int64_t> {
    auto st = db.prepare(
        fmt::format("SELECT {} FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts", k_columns));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    std::int64_t n = 0;
    while (st.step()) {
      ++n;
      if (!fn(read_sample_row(st))) break;
    }
    return n;
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
      while (st.step()) out.push_back(read_sample_row(st));
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

Expected<std::optional<util::SysMicros>> newest(const Database& db) {
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto us = newest_key(db, "samples", "ts");
    if (!us) return std::nullopt;
    return util::from_epoch_us(*us);
  });
}

Expected<std::vector<std::int64_t>> target_ids(const Database& db) {
  return guarded([&]() -> Expected<std::vector<std::int64_t>> { return distinct_target_ids(db, "samples"); });
}

Expected<std::optional<util::SysMicros>> first_at_or_after(const Database& db, std::int64_t target_id,
                                                           util::SysMicros t) {
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto st = db.prepare("SELECT ts FROM samples WHERE target_id = ?1 AND ts >= ?2 ORDER BY ts LIMIT 1");
    st.bind(1, target_id).bind(2, util::to_epoch_us(t));
    if (!st.step()) return std::nullopt;
    return util::from_epoch_us(st.int64(0));
  });
}

Expected<bool> any_in(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to) {
  return guarded([&]() -> Expected<bool> {
    auto st = db.prepare("SELECT 1 FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3 LIMIT 1");
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    return st.step();
  });
}

Expected<std::int64_t> scan(const Database& db, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                            const SampleVisitor& fn) {
  return guarded([&]() -> Expected<std::int64_t> {
    auto st = db.prepare(std::string(k_scan_sql));
    return run_scan(st, target_id, from, to, fn);
  });
}

Expected<std::int64_t> erase_range(const Database& db, std::int64_t target_id, util::SysMicros from,
                                   util::SysMicros to) {
  return guarded([&]() -> Expected<std::int64_t> {
    db.prepare("DELETE FROM samples WHERE target_id = ?1 AND ts >= ?2 AND ts < ?3")
        .bind(1, target_id)
        .bind(2, util::to_epoch_us(from))
        .bind(3, util::to_epoch_us(to))
        .run();
    return db.changes();
  });
}

Expected<std::int64_t> erase_before(const Database& db, std::int64_t target_id, util::SysMicros before,
                                    std::int64_t max_rows) {
  return guarded([&]() -> Expected<std::int64_t> {
    // The oldest max_rows keys form a range: delete up to the first key after them.
    std::int64_t end = util::to_epoch_us(before);
    {
      auto next = db.prepare("SELECT ts FROM samples WHERE target_id = ?1 AND ts < ?2 ORDER BY ts LIMIT 1 OFFSET ?3");
      next.bind(1, target_id).bind(2, end).bind(3, max_rows);
      if (next.step()) end = next.int64(0);
    }
    db.prepare("DELETE FROM samples WHERE target_id = ?1 AND ts < ?2").bind(1, target_id).bind(2, end).run();
    return db.changes();
  });
}

}  // namespace pk::store::samples
