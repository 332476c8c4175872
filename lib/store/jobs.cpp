#include "store/jobs.hpp"

#include "store/db.hpp"
#include "store/refs.hpp"
#include "store/targets.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

namespace pk::store::jobs {

namespace {

constexpr std::string_view k_columns =
    "id, name, interval_ms, count, starts_at, ends_at, windows, tz, metrics, path_every_ms, state, "
    "description, created_at, updated_at";

std::optional<std::int64_t> opt_us(const std::optional<util::SysMicros>& t) {
  if (!t) return std::nullopt;
  return util::to_epoch_us(*t);
}

std::optional<util::SysMicros> opt_time(const std::optional<std::int64_t>& us) {
  if (!us) return std::nullopt;
  return util::from_epoch_us(*us);
}

std::vector<core::JobMember> members(const Database& db, std::int64_t job_id) {
  auto st = db.prepare(
      "SELECT t.id, t.name FROM job_targets jt JOIN targets t ON t.id = jt.target_id "
      "WHERE jt.job_id = ?1 ORDER BY t.name, t.id");
  st.bind(1, job_id);
  std::vector<core::JobMember> out;
  while (st.step()) out.push_back({st.int64(0), st.text(1)});
  return out;
}

core::Job read_row(const Database& db, const Statement& st) {
  core::Job j;
  j.id = st.int64(0);
  j.name = st.text(1);
  j.interval = std::chrono::milliseconds{st.int64(2)};
  j.count = st.int32(3);
  j.starts_at = opt_time(st.opt_int64(4));
  j.ends_at = opt_time(st.opt_int64(5));
  // Stored windows were validated on the way in; a row that no longer parses
  // (edited by hand) is an error, never silently "always".
  auto windows = core::WeeklySchedule::parse(st.text(6));
  if (!windows) throw SqlError(SQLITE_CORRUPT, fmt::format("job \"{}\": {}", j.name, windows.error().message));
  j.windows = *windows;
  j.tz = st.text(7);
  if (auto m = core::parse_metrics(st.text(8))) j.metrics = *m;
  j.path_every = std::chrono::milliseconds{st.int64(9)};
  j.stopped = st.text(10) == "stopped";
  j.description = st.text(11);
  j.created_at = util::from_epoch_us(st.int64(12));
  j.updated_at = util::from_epoch_us(st.int64(13));
  j.targets = members(db, j.id);
  return j;
}

std::optional<core::Job> lookup(const Database& db, std::string_view ref) {
  auto id = parse_id(ref);
  auto st = db.prepare(fmt::format("SELECT {} FROM jobs WHERE {}", k_columns, id ? "id = ?1" : "name = ?1"));
  if (id) {
    st.bind(1, *id);
  } else {
    st.bind(1, ref);
  }
  if (!st.step()) return std::nullopt;
  return read_row(db, st);
}

std::unexpected<Error> unknown(std::string_view ref) {
  return not_found(fmt::format("job \"{}\" not found (see: pingkeeper job list)", ref));
}

bool name_taken(const Database& db, std::string_view name, std::int64_t except_id) {
  auto st = db.prepare("SELECT 1 FROM jobs WHERE name = ?1 AND id != ?2");
  st.bind(1, name).bind(2, except_id);
  return st.step();
}

// Binds parameters 1..12 (name .. updated_at).
void bind_fields(Statement& st, const core::Job& j) {
  st.bind(1, j.name)
      .bind(2, util::to_ms(j.interval))
      .bind(3, j.count)
      .bind(4, opt_us(j.starts_at))
      .bind(5, opt_us(j.ends_at))
      .bind(6, j.windows.to_string())
      .bind(7, j.tz)
      .bind(8, core::format_metrics(j.metrics))
      .bind(9, util::to_ms(j.path_every))
      .bind(10, j.stopped ? "stopped" : "active")
      .bind(11, j.description)
      .bind(12, util::to_epoch_us(j.updated_at));
}

// Works out the new member list from the patch; not_found for unknown targets.
Expected<std::vector<core::JobMember>> new_members(const Database& db, std::vector<core::JobMember> current,
                                                   const core::JobPatch& patch) {
  auto resolve = [&](const std::vector<std::string>& refs) -> Expected<std::vector<core::JobMember>> {
    auto found = targets::find_all(db, refs);
    if (!found) return std::unexpected(found.error());
    std::vector<core::JobMember> out;
    for (const auto& t : *found) out.push_back({t.id, t.name});
    return out;
  };
  if (patch.targets) {
    auto replaced = resolve(*patch.targets);
    if (!replaced) return replaced;
    current = std::move(*replaced);
  }
  auto added = resolve(patch.add_targets);
  if (!added) return added;
  for (auto& m : *added) {
    if (std::find(current.begin(), current.end(), m) == current.end()) current.push_back(std::move(m));
  }
  auto removed = resolve(patch.remove_targets);
  if (!removed) return removed;
  std::erase_if(current, [&](const core::JobMember& m) {
    return std::find(removed->begin(), removed->end(), m) != removed->end();
  });
  if (current.empty()) return invalid_input("a job needs at least one target (--targets T1,T2)");
  std::sort(current.begin(), current.end(),
            [](const auto& a, const auto& b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
  return current;
}

void store_members(const Database& db, const core::Job& j) {
  db.prepare("DELETE FROM job_targets WHERE job_id = ?1").bind(1, j.id).run();
  auto st = db.prepare("INSERT INTO job_targets (job_id, target_id) VALUES (?1, ?2)");
  for (const auto& m : j.targets) {
    st.reset();
    st.bind(1, j.id).bind(2, m.id);
    st.run();
  }
}

core::JobRun read_run(const Statement& st) {
  core::JobRun r;
  r.id = st.int64(0);
  r.job_id = st.int64(1);
  r.started_at = util::from_epoch_us(st.int64(2));
  r.ended_at = opt_time(st.opt_int64(3));
  r.sent = st.int64(4);
  r.received = st.int64(5);
  r.errors = st.int64(6);
  return r;
}

}  // namespace

Expected<core::Job> add(const Database& db, const core::JobPatch& patch, util::SysMicros now) {
  return guarded([&]() -> Expected<core::Job> {
    if (!patch.name) return invalid_input("a job needs a name");
    if (!patch.targets || patch.targets->empty()) {
      return invalid_input("a job needs at least one target (--targets T1,T2)");
    }
    auto made = core::make_job(patch, now);
    if (!made) return std::unexpected(made.error());
    auto& job = *made;
    Transaction tx(db);
    if (name_taken(db, job.name, 0)) {
      return invalid_input(fmt::format("job \"{}\" already exists (choose another name)", job.name));
    }
    auto m = new_members(db, {}, patch);
    if (!m) return std::unexpected(m.error());
    job.targets = std::move(*m);
    job.created_at = job.updated_at = now;
    auto st = db.prepare(
        "INSERT INTO jobs (name, interval_ms, count, starts_at, ends_at, windows, tz, metrics, path_every_ms, "
        "state, description, updated_at, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
    bind_fields(st, job);
    st.run();
    job.id = db.last_insert_rowid();
    store_members(db, job);
    tx.commit();
    return std::move(job);
  });
}

Expected<core::Job> find(const Database& db, std::string_view ref) {
  return guarded([&]() -> Expected<core::Job> {
    auto j = lookup(db, ref);
    if (!j) return unknown(ref);
    return std::move(*j);
  });
}

Expected<std::vector<core::Job>> list(const Database& db) {
  return guarded([&]() -> Expected<std::vector<core::Job>> {
    auto st = db.prepare(fmt::format("SELECT {} FROM jobs ORDER BY name", k_columns));
    std::vector<core::Job> out;
    while (st.step()) out.push_back(read_row(db, st));
    return out;
  });
}

Expected<core::Job> edit(const Database& db, std::string_view ref, const core::JobPatch& patch, util::SysMicros now) {
  return guarded([&]() -> Expected<core::Job> {
    if (patch.empty()) return invalid_input("nothing to change: give at least one option (see job edit --help)");
    Transaction tx(db);
    auto j = lookup(db, ref);
    if (!j) return unknown(ref);
    if (auto ok = core::apply_patch(*j, patch, now); !ok) return std::unexpected(ok.error());
    if (name_taken(db, j->name, j->id)) {
      return invalid_input(fmt::format("job \"{}\" already exists (choose another name)", j->name));
    }
    auto m = new_members(db, j->targets, patch);
    if (!m) return std::unexpected(m.error());
    j->targets = std::move(*m);
    j->updated_at = now;
    auto st = db.prepare(
        "UPDATE jobs SET name = ?1, interval_ms = ?2, count = ?3, starts_at = ?4, ends_at = ?5, windows = ?6, "
        "tz = ?7, metrics = ?8, path_every_ms = ?9, state = ?10, description = ?11, updated_at = ?12 "
        "WHERE id = ?13");
    bind_fields(st, *j);
    st.bind(13, j->id);
    st.run();
    store_members(db, *j);
    tx.commit();
    return std::move(*j);
  });
}

Expected<core::Job> remove(const Database& db, std::string_view ref) {
  return guarded([&]() -> Expected<core::Job> {
    Transaction tx(db);
    auto j = lookup(db, ref);
    if (!j) return unknown(ref);
    db.prepare("DELETE FROM jobs WHERE id = ?1").bind(1, j->id).run();
    tx.commit();
    return std::move(*j);
  });
}

Expected<core::Job> set_stopped(const Database& db, std::string_view ref, bool stopped, util::SysMicros now) {
  return guarded([&]() -> Expected<core::Job> {
    Transaction tx(db);
    auto j = lookup(db, ref);
    if (!j) return unknown(ref);
    if (j->stopped != stopped) {
      j->stopped = stopped;
      j->updated_at = now;
      db.prepare("UPDATE jobs SET state = ?1, updated_at = ?2 WHERE id = ?3")
          .bind(1, stopped ? "stopped" : "active")
          .bind(2, util::to_epoch_us(now))
          .bind(3, j->id)
          .run();
    }
    tx.commit();
    return std::move(*j);
  });
}

Expected<std::int64_t> open_run(const Database& db, std::int64_t job_id, util::SysMicros at) {
  return guarded([&]() -> Expected<std::int64_t> {
    db.prepare("INSERT INTO job_runs (job_id, started_at) VALUES (?1, ?2)")
        .bind(1, job_id)
        .bind(2, util::to_epoch_us(at))
        .run();
    return db.last_insert_rowid();
  });
}

Expected<void> close_run(const Database& db, std::int64_t run_id, util::SysMicros at, std::string_view reason) {
  return guarded([&]() -> Expected<void> {
    db.prepare("UPDATE job_runs SET ended_at = ?2, end_reason = ?3 WHERE id = ?1 AND ended_at IS NULL")
        .bind(1, run_id)
        .bind(2, util::to_epoch_us(at))
        .bind(3, reason)
        .run();
    return {};
  });
}

Expected<int> close_open_runs(const Database& db, util::SysMicros at, std::string_view reason) {
  return guarded([&]() -> Expected<int> {
    db.prepare("UPDATE job_runs SET ended_at = max(started_at, ?1), end_reason = ?2 WHERE ended_at IS NULL")
        .bind(1, util::to_epoch_us(at))
        .bind(2, reason)
        .run();
    return db.changes();
  });
}

Expected<std::vector<core::JobRun>> runs(const Database& db, std::int64_t job_id, std::int64_t limit) {
  return guarded([&]() -> Expected<std::vector<core::JobRun>> {
    auto st = db.prepare(
        "SELECT id, job_id, started_at, ended_at, sent, received, errors FROM job_runs "
        "WHERE job_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2");
    st.bind(1, job_id);
    st.bind(2, limit);
    std::vector<core::JobRun> out;
    while (st.step()) out.push_back(read_run(st));
    return out;
  });
}

Expected<std::optional<core::JobRun>> latest_run(const Database& db, std::int64_t job_id) {
  auto found = runs(db, job_id, 1);
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::optional<core::JobRun>{};
  return std::optional<core::JobRun>{found->front()};
}

}  // namespace pk::store::jobs
