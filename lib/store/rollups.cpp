#include "store/rollups.hpp"

#include "store/db.hpp"
#include "store/scans.hpp"

#include <climits>
#include <fmt/format.h>

#include <charconv>
#include <string>

namespace pk::store::rollups {

namespace {

constexpr std::string_view k_columns =
    "target_id, bucket, sent, received, rtt_mean, rtt_m2, rtt_min, rtt_max, rtt_first, rtt_last, jitter_sum, "
    "jitter_count, sketch, ok_count, ok_first, ok_last, ok_gap_max";

std::string table_of(analyze::Tier tier) { return fmt::format("rollup_{}", analyze::to_string(tier)); }

Expected<void> check_tier(analyze::Tier tier) {
  if (tier == analyze::Tier::raw) return invalid_input("raw samples have no rollup table");
  return {};
}

std::optional<double> rtt_or_null(const analyze::Summary::Parts& p, double v) {
  if (p.received == 0) return std::nullopt;
  return v;
}

std::optional<std::int64_t> us_or_null(const std::optional<util::SysMicros>& t) {
  if (!t) return std::nullopt;
  return util::to_epoch_us(*t);
}

std::optional<util::SysMicros> time_or_null(const Statement& st, int column) {
  auto us = st.opt_int64(column);
  if (!us) return std::nullopt;
  return util::from_epoch_us(*us);
}

Error corrupt(analyze::Tier tier, std::int64_t target_id, std::int64_t bucket, const std::string& why) {
  return Error{ErrorKind::database, fmt::format("corrupt row in rollup_{} (target {}, bucket {}): {}",
                                                analyze::to_string(tier), target_id, bucket, why)};
}

// Reads the row under `st` (columns as k_columns).
Expected<Row> read_row(const Statement& st, analyze::Tier tier) {
  Row row;
  row.target_id = st.int64(0);
  auto bucket = st.int64(1);
  row.bucket = util::from_epoch_us(bucket);
  auto sent = st.int64(2);
  auto received = st.int64(3);
  auto jitter_count = st.int64(11);
  if (sent < 0 || received < 0 || jitter_count < 0) {
    return std::unexpected(corrupt(tier, row.target_id, bucket, "negative count"));
  }
  analyze::Summary::Parts p;
  p.sent = static_cast<std::uint64_t>(sent);
  p.received = static_cast<std::uint64_t>(received);
  if (p.received > 0) {
    for (int c = 4; c <= 9; ++c) {
      if (st.is_null(c)) return std::unexpected(corrupt(tier, row.target_id, bucket, "missing RTT column"));
    }
    p.mean = st.real(4);
    p.m2 = st.real(5);
    p.min = st.real(6);
    p.max = st.real(7);
    p.first_rtt = st.real(8);
    p.last_rtt = st.real(9);
  }
  p.jitter_sum = st.real(10);
  p.jitter_count = static_cast<std::uint64_t>(jitter_count);
  auto summary = analyze::Summary::from_parts(p);
  if (!summary) return std::unexpected(corrupt(tier, row.target_id, bucket, summary.error().message));
  auto sketch = analyze::Sketch::deserialize(st.text(12));
  if (!sketch) return std::unexpected(corrupt(tier, row.target_id, bucket, sketch.error().message));
  if (sketch->count() != p.received) {
    return std::unexpected(corrupt(tier, row.target_id, bucket, "sketch count differs from received"));
  }
  auto answers = analyze::AnswerGaps::from_parts(st.int64(13), time_or_null(st, 14), time_or_null(st, 15),
                                                 util::Micros{st.int64(16)});
  if (!answers) return std::unexpected(corrupt(tier, row.target_id, bucket, answers.error().message));
  if (answers->count > sent) return std::unexpected(corrupt(tier, row.target_id, bucket, "more answers than sent"));
  row.aggregate = analyze::Aggregate{*summary, std::move(*sketch), *answers};
  return row;
}

// INSERT OR REPLACE of `rows` into the tier's table. Throws SqlError.
void insert_rows(const Database& db, analyze::Tier tier, std::span<const Row> rows) {
  auto st =
      db.prepare(fmt::format("INSERT OR REPLACE INTO {} ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                             "?11, ?12, CAST(?13 AS BLOB), ?14, ?15, ?16, ?17)",
                             table_of(tier), k_columns));
  for (const auto& row : rows) {
    const auto& p = row.aggregate.summary.parts();
    st.reset();
    // RTT columns have INTEGER affinity: whole µs values are stored as
    // integers, anything else keeps its REAL value, so reading is exact.
    st.bind(1, row.target_id)
        .bind(2, util::to_epoch_us(row.bucket))
        .bind(3, static_cast<std::int64_t>(p.sent))
        .bind(4, static_cast<std::int64_t>(p.received))
        .bind(5, rtt_or_null(p, p.mean))
        .bind(6, rtt_or_null(p, p.m2))
        .bind(7, rtt_or_null(p, p.min))
        .bind(8, rtt_or_null(p, p.max))
        .bind(9, rtt_or_null(p, p.first_rtt))
        .bind(10, rtt_or_null(p, p.last_rtt))
        .bind(11, p.jitter_sum)
        .bind(12, static_cast<std::int64_t>(p.jitter_count));
    // Bound as text and cast: the bytes are stored unchanged, as a BLOB.
    st.bind(13, row.aggregate.sketch.serialize());
    const auto& a = row.aggregate.answers;
    st.bind(14, a.count)
        .bind(15, us_or_null(a.first))
        .bind(16, us_or_null(a.last))
        .bind(17, static_cast<std::int64_t>(a.max_gap.count()));
    st.run();
  }
}

std::string watermark_key(analyze::Tier tier) { return fmt::format("rollup.watermark.{}", analyze::to_string(tier)); }
std::string horizon_key(analyze::Tier tier) { return fmt::format("horizon.{}", analyze::to_string(tier)); }

}  // namespace

Expected<std::vector<Row>> range(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                                 util::SysMicros to) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::vector<Row>> {
    auto st =
        db.prepare(fmt::format("SELECT {} FROM {} WHERE target_id = ?1 AND bucket >= ?2 AND bucket < ?3 "
                               "ORDER BY bucket",
                               k_columns, table_of(tier)));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    std::vector<Row> out;
    while (st.step()) {
      auto row = read_row(st, tier);
      if (!row) return std::unexpected(row.error());
      out.push_back(std::move(*row));
    }
    return out;
  });
}

Expected<void> upsert(const Database& db, analyze::Tier tier, std::span<const Row> rows) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  if (rows.empty()) return {};
  return guarded([&]() -> Expected<void> {
    insert_rows(db, tier, rows);
    return {};
  });
}

Expected<Coverage> coverage(const Database& db) {
  return guarded([&]() -> Expected<Coverage> {
    Coverage c;
    auto st = db.prepare("SELECT key, value FROM settings WHERE key LIKE 'rollup.watermark.%' OR key LIKE 'horizon.%'");
    while (st.step()) {
      auto key = st.text(0);
      auto text = st.text(1);
      for (auto tier : {analyze::Tier::raw, analyze::Tier::m1, analyze::Tier::h1, analyze::Tier::d1}) {
        auto* slot = key == watermark_key(tier) && tier != analyze::Tier::raw ? &c.watermark
                     : key == horizon_key(tier)                               ? &c.horizon
                                                                              : nullptr;
        if (slot == nullptr) continue;
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
          return make_error(ErrorKind::database, fmt::format("setting {} holds \"{}\", not a time in µs", key, text));
        }
        (*slot)[static_cast<std::size_t>(tier)] = util::from_epoch_us(v);
      }
    }
    return c;
  });
}

Expected<void> set_watermark(const Database& db, analyze::Tier tier, std::optional<util::SysMicros> at) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<void> {
    if (at) {
      db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")
          .bind(1, watermark_key(tier))
          .bind(2, std::to_string(util::to_epoch_us(*at)))
          .run();
    } else {
      db.prepare("DELETE FROM settings WHERE key = ?1").bind(1, watermark_key(tier)).run();
    }
    return {};
  });
}

Expected<void> set_horizon(const Database& db, analyze::Tier tier, util::SysMicros at) {
  return guarded([&]() -> Expected<void> {
    db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")
        .bind(1, horizon_key(tier))
        .bind(2, std::to_string(util::to_epoch_us(at)))
        .run();
    return {};
  });
}

Expected<void> set_claim(const Database& db, util::SysMicros at) {
  return guarded([&]() -> Expected<void> {
    db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('rollup.claim.1m', ?1)")
        .bind(1, std::to_string(util::to_epoch_us(at)))
        .run();
    return {};
  });
}

Expected<std::optional<util::SysMicros>> newest_end(const Database& db, analyze::Tier tier) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto us = newest_key(db, table_of(tier), "bucket");
    if (!us) return std::nullopt;
    return util::from_epoch_us(*us) + analyze::tier_width(tier);
  });
}

Expected<std::vector<std::int64_t>> target_ids(const Database& db, analyze::Tier tier) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::vector<std::int64_t>> { return distinct_target_ids(db, table_of(tier)); });
}

Expected<std::optional<util::SysMicros>> first_at_or_after(const Database& db, analyze::Tier tier,
                                                           std::int64_t target_id, util::SysMicros t) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto st = db.prepare(fmt::format(
        "SELECT bucket FROM {} WHERE target_id = ?1 AND bucket >= ?2 ORDER BY bucket LIMIT 1", table_of(tier)));
    st.bind(1, target_id).bind(2, util::to_epoch_us(t));
    if (!st.step()) return std::nullopt;
    return util::from_epoch_us(st.int64(0));
  });
}

Expected<bool> any_in(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                      util::SysMicros to) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<bool> {
    auto st = db.prepare(
        fmt::format("SELECT 1 FROM {} WHERE target_id = ?1 AND bucket >= ?2 AND bucket < ?3 LIMIT 1", table_of(tier)));
    st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
    return st.step();
  });
}

Expected<void> replace(const Database& db, analyze::Tier tier, std::int64_t target_id, util::SysMicros from,
                       util::SysMicros to, std::span<const Row> rows) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<void> {
    db.prepare(fmt::format("DELETE FROM {} WHERE target_id = ?1 AND bucket >= ?2 AND bucket < ?3", table_of(tier)))
        .bind(1, target_id)
        .bind(2, util::to_epoch_us(from))
        .bind(3, util::to_epoch_us(to))
        .run();
    insert_rows(db, tier, rows);
    return {};
  });
}

Expected<std::int64_t> erase_before(const Database& db, analyze::Tier tier, std::int64_t target_id,
                                    util::SysMicros before, std::int64_t max_rows) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::int64_t> {
    // The oldest max_rows keys form a range: delete up to the first key after them.
    std::int64_t end = util::to_epoch_us(before);
    {
      auto next = db.prepare(
          fmt::format("SELECT bucket FROM {} WHERE target_id = ?1 AND bucket < ?2 ORDER BY bucket LIMIT 1 OFFSET ?3",
                      table_of(tier)));
      next.bind(1, target_id).bind(2, end).bind(3, max_rows);
      if (next.step()) end = next.int64(0);
    }
    db.prepare(fmt::format("DELETE FROM {} WHERE target_id = ?1 AND bucket < ?2", table_of(tier)))
        .bind(1, target_id)
        .bind(2, end)
        .run();
    return db.changes();
  });
}

Expected<std::vector<Mark>> marks(const Database& db, analyze::Tier tier, std::int64_t limit) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::vector<Mark>> {
    auto st =
        db.prepare("SELECT target_id, bucket FROM rollup_dirty WHERE tier = ?1 ORDER BY target_id, bucket LIMIT ?2");
    st.bind(1, analyze::to_string(tier)).bind(2, limit);
    std::vector<Mark> out;
    while (st.step()) out.push_back({st.int64(0), util::from_epoch_us(st.int64(1))});
    return out;
  });
}

Expected<void> mark(const Database& db, analyze::Tier tier, const Mark& m) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<void> {
    db.prepare("INSERT OR IGNORE INTO rollup_dirty (tier, target_id, bucket) VALUES (?1, ?2, ?3)")
        .bind(1, analyze::to_string(tier))
        .bind(2, m.target_id)
        .bind(3, util::to_epoch_us(m.bucket))
        .run();
    return {};
  });
}

Expected<void> unmark(const Database& db, analyze::Tier tier, const Mark& m) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<void> {
    db.prepare("DELETE FROM rollup_dirty WHERE tier = ?1 AND target_id = ?2 AND bucket = ?3")
        .bind(1, analyze::to_string(tier))
        .bind(2, m.target_id)
        .bind(3, util::to_epoch_us(m.bucket))
        .run();
    return {};
  });
}

Expected<std::optional<util::SysMicros>> oldest_mark(const Database& db, analyze::Tier tier, util::SysMicros t) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto st = db.prepare("SELECT min(bucket) FROM rollup_dirty WHERE tier = ?1 AND bucket >= ?2");
    st.bind(1, analyze::to_string(tier)).bind(2, util::to_epoch_us(t));
    st.step();
    auto v = st.opt_int64(0);
    if (!v) return std::nullopt;
    return util::from_epoch_us(*v);
  });
}

Expected<std::int64_t> drop_marks_before(const Database& db, analyze::Tier tier, util::SysMicros before) {
  if (auto ok = check_tier(tier); !ok) return std::unexpected(ok.error());
  return guarded([&]() -> Expected<std::int64_t> {
    db.prepare("DELETE FROM rollup_dirty WHERE tier = ?1 AND bucket < ?2")
        .bind(1, analyze::to_string(tier))
        .bind(2, util::to_epoch_us(before))
        .run();
    return db.changes();
  });
}

}  // namespace pk::store::rollups
