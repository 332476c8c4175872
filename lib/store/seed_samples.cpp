#include "store/seed_samples.hpp"

#include "store/db.hpp"
#include "store/sample_row.hpp"
#include "store/scans.hpp"

#include <climits>

#include <algorithm>
#include <queue>
#include <tuple>
#include <utility>

namespace pk::store::seed_samples {

namespace {

// One target's samples, newest first, read one row at a time.
struct Cursor {
  Statement statement;
  core::Sample head;
};

// Newest first; equal times by target id.
bool comes_after(const Cursor* a, const Cursor* b) {
  return std::tie(a->head.ts, b->head.target_id) < std::tie(b->head.ts, a->head.target_id);
}

}  // namespace

Expected<std::vector<core::Sample>> newest(const Database& db, std::span<const std::int64_t> target_ids,
                                           util::SysMicros since, std::int64_t limit, std::int64_t offset) {
  return guarded([&]() -> Expected<std::vector<core::Sample>> {
    std::vector<Cursor> cursors;
    cursors.reserve(target_ids.size());
    for (auto id : target_ids) {
      auto st = db.prepare(
          "SELECT target_id, ts, rtt_us, status, ttl, detail FROM samples WHERE target_id = ?1 AND ts >= ?2 "
          "ORDER BY ts DESC");
      st.bind(1, id).bind(2, util::to_epoch_us(since));
      if (st.step()) {
        auto head = read_sample_row(st);
        cursors.push_back(Cursor{std::move(st), std::move(head)});
      }
    }
    std::priority_queue<Cursor*, std::vector<Cursor*>, decltype(&comes_after)> heap(&comes_after);
    for (auto& c : cursors) heap.push(&c);
    std::vector<core::Sample> out;
    for (std::int64_t seen = 0; !heap.empty() && std::cmp_less(out.size(), limit); ++seen) {
      auto* c = heap.top();
      heap.pop();
      if (seen >= offset) out.push_back(c->head);
      if (c->statement.step()) {
        c->head = read_sample_row(c->statement);
        heap.push(c);
      }
    }
    return out;
  });
}

Expected<std::vector<core::Sample>> latest(const Database& db, std::span<const std::int64_t> target_ids) {
  return guarded([&]() -> Expected<std::vector<core::Sample>> {
    auto st = db.prepare(
        "SELECT target_id, ts, rtt_us, status, ttl, detail FROM samples WHERE target_id = ?1 ORDER BY ts DESC LIMIT 1");
    std::vector<core::Sample> out;
    out.reserve(target_ids.size());
    for (auto id : target_ids) {
      st.reset();
      st.bind(1, id);
      if (st.step()) out.push_back(read_sample_row(st));
    }
    return out;
  });
}

Expected<std::int64_t> count(const Database& db, std::optional<std::span<const std::int64_t>> target_ids,
                             std::optional<util::SysMicros> since) {
  return guarded([&]() -> Expected<std::int64_t> {
    if (!target_ids && !since) {
      auto st = db.prepare("SELECT count(*) FROM samples");
      st.step();
      return st.int64(0);
    }
    std::vector<std::int64_t> all;
    if (!target_ids) all = distinct_target_ids(db, "samples");
    auto ids = target_ids ? *target_ids : std::span<const std::int64_t>(all);
    auto st = db.prepare("SELECT count(*) FROM samples WHERE target_id = ?1 AND ts >= ?2");
    std::int64_t n = 0;
    for (auto id : ids) {
      st.reset();
      st.bind(1, id).bind(2, since ? util::to_epoch_us(*since) : INT64_MIN);
      st.step();
      n += st.int64(0);
    }
    return n;
  });
}

}  // namespace pk::store::seed_samples
