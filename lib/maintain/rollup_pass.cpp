#include "maintain/rollup_pass.hpp"

#include "analyze/aggregate.hpp"
#include "analyze/source.hpp"
#include "maintain/pacer.hpp"
#include "store/rollups.hpp"
#include "store/samples.hpp"
#include "store/transact.hpp"

#include <climits>

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace pk::maintain {

namespace {

using analyze::Tier;
using store::rollups::Row;
using namespace std::chrono_literals;

constexpr std::array<Tier, 3> k_tiers{Tier::m1, Tier::h1, Tier::d1};
// Rows (plus targets) written per transaction: a few milliseconds of lock.
constexpr std::size_t k_rows_per_transaction = 1000;
// Dirty marks handled per transaction (each reads at most one bucket).
constexpr std::int64_t k_marks_per_transaction = 200;
const util::SysMicros k_beginning = util::from_epoch_us(INT64_MIN);

std::size_t at(Tier t) { return static_cast<std::size_t>(t); }
Tier finer(Tier t) { return static_cast<Tier>(static_cast<int>(t) - 1); }
Tier coarser(Tier t) { return static_cast<Tier>(static_cast<int>(t) + 1); }
util::Micros width(Tier t) { return analyze::tier_width(t); }

// How much time one step of the pass covers: a multiple of the tier's width.
util::Micros chunk_width(Tier t) {
  switch (t) {
    case Tier::m1: return 1h;
    case Tier::h1: return 24h;
    default: return 30 * 24h;
  }
}

template <typename T>
std::unexpected<Error> fail(const Expected<T>& e) {
  return std::unexpected(e.error());
}

class Pass {
 public:
  Pass(const store::Database& db, util::SysMicros now, const RollupOptions& options)
      : m_db(db), m_now(now), m_options(options), m_pacer(options.paced) {}

  Expected<RollupReport> run();

 private:
  Expected<void> handle_marks(Tier tier);
  Expected<void> handle_mark(Tier tier, const store::rollups::Mark& mark);
  Expected<void> merge_late(Tier tier, std::int64_t target_id, util::SysMicros fine_bucket,
                            const analyze::Aggregate& late);
  Expected<void> roll_forward(Tier tier);
  Expected<std::vector<Row>> build(Tier tier, std::int64_t target_id, util::SysMicros from, util::SysMicros to);
  Expected<std::vector<std::int64_t>> source_ids(Tier tier);
  Expected<std::optional<util::SysMicros>> next_source(Tier tier, util::SysMicros t);
  Expected<bool> source_has(Tier tier, std::int64_t target_id, util::SysMicros from, util::SysMicros to);
  Expected<void> write(Tier tier, util::SysMicros from, util::SysMicros to,
                       std::vector<std::pair<std::int64_t, std::vector<Row>>>& batch);
  // Can a bucket of `tier` be computed from the finer tier (all of it kept)?
  bool recomputable(Tier tier, util::SysMicros bucket) const {
    const auto& h = m_cov.horizon[at(finer(tier))];
    return !h || bucket >= *h;
  }
  bool stopped() const { return m_options.stop != nullptr && m_options.stop->load(); }
  // Is the bucket below the tier's watermark (rolled up, trusted)?
  bool rolled_up(Tier tier, util::SysMicros bucket) const {
    const auto& w = m_cov.watermark[at(tier)];
    return w && bucket < *w;
  }

  const store::Database& m_db;
  util::SysMicros m_now;
  const RollupOptions& m_options;
  store::rollups::Coverage m_cov;
  RollupReport m_report;
  Pacer m_pacer;
};

Expected<RollupReport> Pass::run() {
  auto cov = store::rollups::coverage(m_db);
  if (!cov) return fail(cov);
  m_cov = *cov;
  for (auto tier : k_tiers) {
    if (stopped()) break;
    if (auto ok = handle_marks(tier); !ok) return fail(ok);
    if (auto ok = roll_forward(tier); !ok) return fail(ok);
  }
  m_report.watermark = m_cov.watermark;
  return m_report;
}

Expected<void> Pass::handle_marks(Tier tier) {
  bool more = true;
  while (more && !stopped()) {
    auto ok = m_pacer.run([&] {
      return store::transact(m_db, [&]() -> Expected<void> {
        auto marks = store::rollups::marks(m_db, tier, k_marks_per_transaction);
        if (!marks) return fail(marks);
        more = static_cast<std::int64_t>(marks->size()) == k_marks_per_transaction;
        for (const auto& m : *marks) {
          if (auto done = handle_mark(tier, m); !done) return done;
          if (auto done = store::rollups::unmark(m_db, tier, m); !done) return done;
        }
        m_report.dirty_handled[at(tier)] += static_cast<std::int64_t>(marks->size());
        return {};
      });
    });
    if (!ok) return ok;
  }
  return {};
}

// Runs inside handle_marks' transaction.
Expected<void> Pass::handle_mark(Tier tier, const store::rollups::Mark& m) {
  // At or above the watermark, rolling forward computes the bucket anyway.
  if (!rolled_up(tier, m.bucket)) return {};
  const auto end = m.bucket + width(tier);
  if (recomputable(tier, m.bucket)) {
    auto rows = build(tier, m.target_id, m.bucket, end);
    if (!rows) return fail(rows);
    if (auto ok = store::rollups::replace(m_db, tier, m.target_id, m.bucket, end, *rows); !ok) return ok;
    m_report.rows_written[at(tier)] += static_cast<std::int64_t>(rows->size());
    if (tier != Tier::d1 && rolled_up(coarser(tier), m.bucket)) {
      return store::rollups::mark(m_db, coarser(tier),
                                  {m.target_id, analyze::floor_to(m.bucket, width(coarser(tier)))});
    }
    return {};
  }
  // Only a 1m bucket gets here with something to do: raw samples that arrived
  // after their time was pruned. Merge them into what is kept, then drop them.
  if (tier != Tier::m1) return {};
  auto late = build(tier, m.target_id, m.bucket, end);
  if (!late) return fail(late);
  if (late->empty()) return {};
  if (auto ok = merge_late(tier, m.target_id, m.bucket, late->front().aggregate); !ok) return ok;
  auto erased = store::samples::erase_range(m_db, m.target_id, m.bucket, end);
  if (!erased) return fail(erased);
  m_report.late_samples_merged += *erased;
  return {};
}

Expected<void> Pass::merge_late(Tier tier, std::int64_t target_id, util::SysMicros fine_bucket,
                                const analyze::Aggregate& late) {
  const auto bucket = analyze::floor_to(fine_bucket, width(tier));
  if (!rolled_up(tier, bucket)) return {};
  if (tier != Tier::m1 && recomputable(tier, bucket)) {
    // The finer rows now hold the late samples: recompute from them.
    return store::rollups::mark(m_db, tier, {target_id, bucket});
  }
  const auto& kept_from = m_cov.horizon[at(tier)];
  if (!kept_from || bucket >= *kept_from) {
    auto existing = store::rollups::range(m_db, tier, target_id, bucket, bucket + width(tier));
    if (!existing) return fail(existing);
    Row row{target_id, bucket, existing->empty() ? analyze::Aggregate{} : existing->front().aggregate};
    row.aggregate.merge_after(late);
    if (auto ok = store::rollups::upsert(m_db, tier, std::span<const Row>(&row, 1)); !ok) return ok;
    m_report.rows_written[at(tier)] += 1;
  }
  if (tier == Tier::d1) return {};
  return merge_late(coarser(tier), target_id, bucket, late);
}

Expected<void> Pass::roll_forward(Tier tier) {
  const auto w = width(tier);
  util::SysMicros end{};
  if (tier == Tier::m1) {
    end = analyze::floor_to(m_now - m_options.settle, w);
  } else {
    const auto& source_mark = m_cov.watermark[at(finer(tier))];
    if (!source_mark) return {};
    end = analyze::floor_to(*source_mark, w);
  }
  auto& mark = m_cov.watermark[at(tier)];
  util::SysMicros from{};
  if (mark) {
    from = *mark;
  } else {
    if (tier == Tier::m1) {
      // Claimed before looking for the oldest sample: one committed meanwhile
      // below it is marked dirty, not missed.
      if (auto ok = store::rollups::set_claim(m_db, end); !ok) return ok;
    }
    auto oldest = next_source(tier, k_beginning);
    if (!oldest) return fail(oldest);
    if (!*oldest) return {};
    from = analyze::floor_to(**oldest, w);
    if (const auto& h = m_cov.horizon[at(finer(tier))]) from = std::max(from, analyze::ceil_to(*h, w));
  }
  const auto start = from;
  while (from < end) {
    auto next = next_source(tier, from);
    if (!next) return fail(next);
    auto to = end;
    if (*next && **next < end) to = std::min(end, std::max(from, analyze::floor_to(**next, w)) + chunk_width(tier));
    if (tier == Tier::m1) {
      if (auto ok = m_pacer.run([&] { return store::rollups::set_claim(m_db, to); }); !ok) return ok;
    }
    // Listed after the claim: a target whose first sample lands now is seen.
    auto source = source_ids(tier);
    if (!source) return fail(source);
    auto existing = store::rollups::target_ids(m_db, tier);
    if (!existing) return fail(existing);
    std::vector<std::int64_t> ids;
    std::set_union(source->begin(), source->end(), existing->begin(), existing->end(), std::back_inserter(ids));
    std::vector<std::pair<std::int64_t, std::vector<Row>>> batch;
    std::size_t pending = 0;
    for (auto id : ids) {
      if (stopped()) return {};
      auto rows = build(tier, id, from, to);
      if (!rows) return fail(rows);
      pending += rows->size() + 1;
      batch.emplace_back(id, std::move(*rows));
      if (pending >= k_rows_per_transaction) {
        if (auto ok = write(tier, from, to, batch); !ok) return ok;
        pending = 0;
      }
    }
    if (auto ok = write(tier, from, to, batch); !ok) return ok;
    if (auto ok = m_pacer.run([&] { return store::rollups::set_watermark(m_db, tier, to); }); !ok) return ok;
    mark = to;
    if (m_options.progress) {
      m_options.progress(tier == Tier::m1   ? "rollup 1m"
                         : tier == Tier::h1 ? "rollup 1h"
                                            : "rollup 1d",
                         static_cast<double>((to - start).count()) / static_cast<double>((end - start).count()));
    }
    from = to;
  }
  return {};
}

Expected<void> Pass::write(Tier tier, util::SysMicros from, util::SysMicros to,
                           std::vector<std::pair<std::int64_t, std::vector<Row>>>& batch) {
  if (batch.empty()) return {};
  auto ok = m_pacer.run([&] {
    return store::transact(m_db, [&]() -> Expected<void> {
      for (auto& [id, rows] : batch) {
        // Rows read from a target removed meanwhile are not written back.
        if (!rows.empty()) {
          auto still = source_has(tier, id, from, to);
          if (!still) return fail(still);
          if (!*still) rows.clear();
        }
        if (auto done = store::rollups::replace(m_db, tier, id, from, to, rows); !done) return done;
        m_report.rows_written[at(tier)] += static_cast<std::int64_t>(rows.size());
      }
      return {};
    });
  });
  batch.clear();
  return ok;
}

Expected<std::vector<Row>> Pass::build(Tier tier, std::int64_t target_id, util::SysMicros from, util::SysMicros to) {
  std::vector<Row> rows;
  const auto w = width(tier);
  auto bucket_of = [&](util::SysMicros t) -> analyze::Aggregate& {
    auto b = analyze::floor_to(t, w);
    if (rows.empty() || rows.back().bucket != b) rows.push_back({target_id, b, {}});
    return rows.back().aggregate;
  };
  if (tier == Tier::m1) {
    auto n = store::samples::scan(m_db, target_id, from, to,
                                  [&](const core::Sample& sample) { bucket_of(sample.ts).add(sample); });
    if (!n) return fail(n);
    m_report.samples_read += *n;
    return rows;
  }
  auto source = store::rollups::range(m_db, finer(tier), target_id, from, to);
  if (!source) return fail(source);
  for (const auto& r : *source) bucket_of(r.bucket).merge_after(r.aggregate);
  return rows;
}

Expected<std::vector<std::int64_t>> Pass::source_ids(Tier tier) {
  if (tier == Tier::m1) return store::samples::target_ids(m_db);
  return store::rollups::target_ids(m_db, finer(tier));
}

Expected<std::optional<util::SysMicros>> Pass::next_source(Tier tier, util::SysMicros t) {
  auto ids = source_ids(tier);
  if (!ids) return fail(ids);
  std::optional<util::SysMicros> first;
  for (auto id : *ids) {
    auto next = tier == Tier::m1 ? store::samples::first_at_or_after(m_db, id, t)
                                 : store::rollups::first_at_or_after(m_db, finer(tier), id, t);
    if (!next) return fail(next);
    if (*next && (!first || **next < *first)) first = *next;
  }
  return first;
}

Expected<bool> Pass::source_has(Tier tier, std::int64_t target_id, util::SysMicros from, util::SysMicros to) {
  if (tier == Tier::m1) return store::samples::any_in(m_db, target_id, from, to);
  return store::rollups::any_in(m_db, finer(tier), target_id, from, to);
}

}  // namespace

Expected<RollupReport> run_rollup(const store::Database& db, util::SysMicros now, const RollupOptions& options) {
  return Pass(db, now, options).run();
}

Expected<RollupReport> rebuild_rollups(const store::Database& db, util::SysMicros now, const RollupOptions& options) {
  auto cov = store::rollups::coverage(db);
  if (!cov) return fail(cov);
  for (auto tier : k_tiers) {
    const auto& mark = cov->watermark[at(tier)];
    if (!mark) continue;
    // Back to where the finer tier is fully kept: from the start without a horizon.
    std::optional<util::SysMicros> back;
    if (const auto& h = cov->horizon[at(finer(tier))]) back = std::min(*mark, analyze::ceil_to(*h, width(tier)));
    if (auto ok = store::rollups::set_watermark(db, tier, back); !ok) return fail(ok);
  }
  return run_rollup(db, now, options);
}

}  // namespace pk::maintain
