#include "store/traces.hpp"

#include "analyze/path.hpp"
#include "store/db.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <string>

namespace pk::store::traces {

namespace {

constexpr std::string_view k_columns =
    "tr.id, tr.target_id, tr.job_id, COALESCE(t.name, tr.host), tr.host, tr.address, tr.method, tr.port, "
    "tr.started_at, tr.duration_us, tr.first_ttl, tr.max_hops, tr.queries, tr.hop_count, tr.reached, "
    "tr.path_hash, tr.path_changed";

core::Trace read_trace(const Statement& st) {
  core::Trace t;
  t.id = st.int64(0);
  t.target_id = st.opt_int64(1);
  t.job_id = st.opt_int64(2);
  t.target = st.text(3);
  t.host = st.text(4);
  t.address = st.text(5);
  auto method = core::parse_trace_method(st.text(6));
  if (!method) throw SqlError(SQLITE_CORRUPT, fmt::format("trace {}: {}", t.id, method.error().message));
  t.method = *method;
  t.port = static_cast<std::uint16_t>(st.int32(7));
  t.started_at = util::from_epoch_us(st.int64(8));
  t.duration = util::Micros{st.int64(9)};
  t.first_ttl = st.int32(10);
  t.max_hops = st.int32(11);
  t.queries = st.int32(12);
  t.hop_count = st.int32(13);
  t.reached = st.int64(14) != 0;
  t.path_hash = st.text(15);
  t.path_changed = st.int64(16) != 0;
  return t;
}

void read_probes(const Database& db, core::Trace& t) {
  auto st = db.prepare(
      "SELECT hop, probe, address, hostname, rtt_us, reply, icmp_type, icmp_code FROM trace_hops "
      "WHERE trace_id = ?1 ORDER BY hop, probe");
  st.bind(1, t.id);
  while (st.step()) {
    core::TraceProbe p;
    p.ttl = st.int32(0);
    p.query = st.int32(1);
    p.address = st.opt_text(2);
    p.hostname = st.opt_text(3);
    if (auto rtt = st.opt_int64(4)) p.rtt = util::Micros{*rtt};
    if (auto reply = st.opt_text(5)) p.reply = core::parse_hop_reply(*reply).value_or(core::HopReply::none);
    if (auto type = st.opt_int64(6)) p.icmp_type = static_cast<int>(*type);
    if (auto code = st.opt_int64(7)) p.icmp_code = static_cast<int>(*code);
    t.probes.push_back(std::move(p));
  }
}

// How many earlier traces fill the silent hops of the previous one
// (analyze::reference_path).
constexpr int k_reference_traces = 10;

// The path before `t`: from the latest earlier traces of the same target (or
// ad-hoc host) taken the same way (method, port, first TTL, max hops), back
// to the newest one that was marked changed; nullopt when there is none.
std::optional<analyze::PathSignature> reference(const Database& db, const core::Trace& t) {
  auto st = db.prepare(fmt::format(
      "SELECT {} FROM traces tr LEFT JOIN targets t ON t.id = tr.target_id "
      "WHERE (tr.target_id = ?1 OR (?1 IS NULL AND tr.target_id IS NULL AND tr.host = ?2)) "
      "AND tr.method = ?3 AND tr.port = ?4 AND tr.first_ttl = ?5 AND tr.max_hops = ?6 AND tr.started_at <= ?7 "
      "ORDER BY tr.started_at DESC, tr.id DESC LIMIT ?8",
      k_columns));
  st.bind(1, t.target_id);
  st.bind(2, t.host);
  st.bind(3, core::to_string(t.method));
  st.bind(4, static_cast<int>(t.port));
  st.bind(5, t.first_ttl);
  st.bind(6, t.max_hops);
  st.bind(7, util::to_epoch_us(t.started_at));
  st.bind(8, k_reference_traces);
  std::vector<core::Trace> earlier;
  while (st.step()) {
    earlier.push_back(read_trace(st));
    if (earlier.back().path_changed) break;  // the path before it is not the path now
  }
  if (earlier.empty()) return std::nullopt;
  std::vector<analyze::PathSignature> signatures;
  for (auto& e : earlier) {
    read_probes(db, e);
    signatures.push_back(analyze::path_signature(e));
  }
  return analyze::reference_path(signatures);
}

template <typename T>
std::optional<std::int64_t> opt_int(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(v->count());
}

}  // namespace

Expected<void> save(const Database& db, core::Trace& trace) {
  return guarded([&]() -> Expected<void> {
    Transaction tx(db);
    // The target or job may have been removed while the trace ran.
    const auto exists = [&](std::string_view table, std::int64_t id) {
      auto st = db.prepare(fmt::format("SELECT 1 FROM {} WHERE id = ?1", table));
      st.bind(1, id);
      return st.step();
    };
    if (trace.target_id && !exists("targets", *trace.target_id)) {
      return make_error(ErrorKind::not_found, fmt::format("target {} was removed", *trace.target_id));
    }
    if (trace.job_id && !exists("jobs", *trace.job_id)) trace.job_id.reset();
    const analyze::PathSignature signature = analyze::path_signature(trace);
    const std::string hash = analyze::path_hash(signature);
    auto before = reference(db, trace);
    const bool changed = before && analyze::path_changed(*before, signature);
    auto st = db.prepare(
        "INSERT INTO traces (target_id, job_id, host, address, method, port, started_at, duration_us, first_ttl, "
        "max_hops, queries, hop_count, reached, path_hash, path_changed) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    st.bind(1, trace.target_id);
    st.bind(2, trace.job_id);
    st.bind(3, trace.host);
    st.bind(4, trace.address);
    st.bind(5, core::to_string(trace.method));
    st.bind(6, static_cast<int>(trace.port));
    st.bind(7, util::to_epoch_us(trace.started_at));
    st.bind(8, static_cast<std::int64_t>(trace.duration.count()));
    st.bind(9, trace.first_ttl);
    st.bind(10, trace.max_hops);
    st.bind(11, trace.queries);
    st.bind(12, trace.hop_count);
    st.bind(13, trace.reached ? 1 : 0);
    st.bind(14, hash);
    st.bind(15, changed ? 1 : 0);
    st.run();
    const std::int64_t id = db.last_insert_rowid();
    auto hop = db.prepare(
        "INSERT INTO trace_hops (trace_id, hop, probe, address, hostname, rtt_us, reply, icmp_type, icmp_code) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const core::TraceProbe& p : trace.probes) {
      hop.bind(1, id);
      hop.bind(2, p.ttl);
      hop.bind(3, p.query);
      hop.bind(4, p.address);
      hop.bind(5, p.hostname);
      hop.bind(6, opt_int(p.rtt));
      if (p.reply == core::HopReply::none) {
        hop.bind_null(7);
      } else {
        hop.bind(7, core::to_string(p.reply));
      }
      hop.bind(8, p.icmp_type);
      hop.bind(9, p.icmp_code);
      hop.run();
      hop.reset();
    }
    tx.commit();
    trace.id = id;
    trace.path_hash = hash;
    trace.path_changed = changed;
    return {};
  });
}

Expected<std::vector<core::Trace>> list(const Database& db, const HistoryQuery& query) {
  return guarded([&]() -> Expected<std::vector<core::Trace>> {
    auto snapshot = ReadSnapshot::begin(db);  // the traces and their probes from one state
    if (!snapshot) return std::unexpected(snapshot.error());
    auto st = db.prepare(
        fmt::format("SELECT * FROM (SELECT {} FROM traces tr LEFT JOIN targets t ON t.id = tr.target_id "
                    "WHERE (?1 IS NULL OR tr.target_id = ?1) AND (?2 IS NULL OR tr.started_at >= ?2) "
                    "AND (?3 IS NULL OR tr.started_at < ?3) ORDER BY tr.started_at DESC, tr.id DESC LIMIT ?4) "
                    "ORDER BY 9, 1",
                    k_columns));
    st.bind(1, query.target_id);
    st.bind(2, query.since ? std::optional<std::int64_t>(util::to_epoch_us(*query.since)) : std::nullopt);
    st.bind(3, query.until ? std::optional<std::int64_t>(util::to_epoch_us(*query.until)) : std::nullopt);
    st.bind(4, query.limit.value_or(-1));
    std::vector<core::Trace> out;
    while (st.step()) out.push_back(read_trace(st));
    for (auto& t : out) read_probes(db, t);
    return out;
  });
}

Expected<std::optional<util::SysMicros>> last_started(const Database& db, std::int64_t target_id) {
  return guarded([&]() -> Expected<std::optional<util::SysMicros>> {
    auto st = db.prepare("SELECT max(started_at) FROM traces WHERE target_id = ?1 AND job_id IS NOT NULL");
    st.bind(1, target_id);
    if (!st.step() || st.is_null(0)) return std::optional<util::SysMicros>{};
    return std::optional<util::SysMicros>{util::from_epoch_us(st.int64(0))};
  });
}

Expected<std::int64_t> erase_before(const Database& db, util::SysMicros cut, std::int64_t limit) {
  return guarded([&]() -> Expected<std::int64_t> {
    Transaction tx(db);
    // The newest trace of each series stays: the next one is compared with it.
    auto st = db.prepare(
        "DELETE FROM traces WHERE id IN (SELECT id FROM traces WHERE started_at < ?1 AND id NOT IN ("
        "SELECT max(id) FROM traces GROUP BY target_id, host, method, port, first_ttl, max_hops) "
        "ORDER BY started_at LIMIT ?2)");
    st.bind(1, util::to_epoch_us(cut));
    st.bind(2, limit);
    st.run();
    const std::int64_t n = db.changes();
    tx.commit();
    return n;
  });
}

Expected<core::Trace> get(const Database& db, std::int64_t id) {
  return guarded([&]() -> Expected<core::Trace> {
    auto st = db.prepare(
        fmt::format("SELECT {} FROM traces tr LEFT JOIN targets t ON t.id = tr.target_id WHERE tr.id = ?1", k_columns));
    st.bind(1, id);
    if (!st.step()) return make_error(ErrorKind::not_found, fmt::format("no trace with id {}", id));
    core::Trace t = read_trace(st);
    read_probes(db, t);
    return t;
  });
}

}  // namespace pk::store::traces
