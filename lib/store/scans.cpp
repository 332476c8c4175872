#include "store/scans.hpp"

#include "store/db.hpp"

#include <climits>
#include <fmt/format.h>

namespace pk::store {

std::int64_t run_scan(Statement& st, std::int64_t target_id, util::SysMicros from, util::SysMicros to,
                      const std::function<void(const core::Sample&)>& fn) {
  st.bind(1, target_id).bind(2, util::to_epoch_us(from)).bind(3, util::to_epoch_us(to));
  std::int64_t n = 0;
  core::Sample sample;
  sample.target_id = target_id;
  while (st.step()) {
    auto rtt = st.opt_int64(1);
    sample.ts = util::from_epoch_us(st.int64(0));
    sample.rtt = rtt ? std::optional<util::Micros>{util::Micros{*rtt}} : std::nullopt;
    sample.status = static_cast<core::SampleStatus>(st.int32(2));
    fn(sample);
    ++n;
  }
  return n;
}

std::vector<std::int64_t> distinct_target_ids(const Database& db, std::string_view table) {
  auto st = db.prepare(fmt::format("SELECT target_id FROM {} WHERE target_id > ?1 ORDER BY target_id LIMIT 1", table));
  std::vector<std::int64_t> out;
  std::int64_t after = INT64_MIN;
  while (true) {
    st.reset();
    st.bind(1, after);
    if (!st.step()) break;
    after = st.int64(0);
    out.push_back(after);
  }
  return out;
}

std::optional<std::int64_t> newest_key(const Database& db, std::string_view table, std::string_view column) {
  auto st = db.prepare(fmt::format("SELECT max({}) FROM {} WHERE target_id = ?1", column, table));
  std::optional<std::int64_t> newest;
  for (auto id : distinct_target_ids(db, table)) {
    st.reset();
    st.bind(1, id);
    if (!st.step()) continue;
    if (auto v = st.opt_int64(0); v && (!newest || *v > *newest)) newest = v;
  }
  return newest;
}

}  // namespace pk::store
