#include "store/targets.hpp"

#include "store/db.hpp"
#include "store/refs.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace pk::store::targets {

namespace {

constexpr std::string_view k_columns =
    "id, name, host, family, probe, port, interval_ms, timeout_ms, payload_size, paused, job_only, "
    "description, tags, created_at, updated_at, removed_at";

std::string tags_to_json(const core::Tags& tags) {
  return nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Tags tags_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  core::Tags tags;
  if (!j.is_object()) return tags;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) tags[it.key()] = it.value().get<std::string>();
  }
  return tags;
}

core::Target read_row(const Statement& st) {
  core::Target t;
  t.id = st.int64(0);
  t.name = st.text(1);
  t.host = st.text(2);
  t.family = static_cast<core::Family>(st.int32(3));
  t.probe = st.text(4) == "tcp" ? core::ProbeKind::tcp : core::ProbeKind::icmp;
  if (auto port = st.opt_int64(5)) t.port = static_cast<int>(*port);
  t.interval = std::chrono::milliseconds{st.int64(6)};
  t.timeout = std::chrono::milliseconds{st.int64(7)};
  t.payload_size = st.int32(8);
  t.paused = st.int32(9) != 0;
  t.job_only = st.int32(10) != 0;
  t.description = st.text(11);
  t.tags = tags_from_json(st.text(12));
  t.created_at = util::from_epoch_us(st.int64(13));
  t.updated_at = util::from_epoch_us(st.int64(14));
  if (auto removed = st.opt_int64(15)) t.removed_at = util::from_epoch_us(*removed);
  return t;
}

// Binds the configurable fields as parameters 1..13 (name .. updated_at).
void bind_fields(Statement& st, const core::Target& t) {
  st.bind(1, t.name)
      .bind(2, t.host)
      .bind(3, static_cast<int>(t.family))
      .bind(4, core::to_string(t.probe))
      .bind(5, t.port)
      .bind(6, util::to_ms(t.interval))
      .bind(7, util::to_ms(t.timeout))
      .bind(8, t.payload_size)
      .bind(9, t.paused ? 1 : 0)
      .bind(10, t.job_only ? 1 : 0)
      .bind(11, t.description)
      .bind(12, tags_to_json(t.tags))
      .bind(13, util::to_epoch_us(t.updated_at));
}

bool name_taken(const Database& db, std::string_view name, std::int64_t except_id) {
  auto st = db.prepare("SELECT 1 FROM targets WHERE name = ?1 AND removed_at IS NULL AND id != ?2");
  st.bind(1, name).bind(2, except_id);
  return st.step();
}

std::optional<core::Target> lookup(const Database& db, std::string_view ref) {
  auto id = parse_id(ref);
  auto sql =
      fmt::format("SELECT {} FROM targets WHERE removed_at IS NULL AND {}", k_columns, id ? "id = ?1" : "name = ?1");
  auto st = db.prepare(sql);
  if (id) {
    st.bind(1, *id);
  } else {
    st.bind(1, ref);
  }
  if (!st.step()) return std::nullopt;
  return read_row(st);
}

std::unexpected<Error> unknown(std::string_view ref) {
  return not_found(fmt::format("target \"{}\" not found (see: pingkeeper target list)", ref));
}

Expected<std::vector<core::Target>> lookup_all(const Database& db, std::span<const std::string> refs) {
  std::vector<core::Target> out;
  std::set<std::int64_t> seen;
  for (const auto& ref : refs) {
    auto t = lookup(db, ref);
    if (!t) return unknown(ref);
    if (seen.insert(t->id).second) out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace

Expected<std::vector<core::Target>> add(const Database& db, std::vector<core::Target> targets, util::SysMicros now,
                                        std::span<const std::string> labels) {
  auto label = [&](std::size_t i) { return i < labels.size() ? labels[i] + ": " : std::string(); };
  return guarded([&]() -> Expected<std::vector<core::Target>> {
    Transaction tx(db);
    auto insert = db.prepare(
        "INSERT INTO targets (name, host, family, probe, port, interval_ms, timeout_ms, payload_size, paused, "
        "job_only, description, tags, updated_at, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)");
    std::set<std::string, std::less<>> batch_names;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto& t = targets[i];
      if (!batch_names.insert(t.name).second) {
        return invalid_input(fmt::format("{}target name \"{}\" is given twice", label(i), t.name));
      }
      if (name_taken(db, t.name, 0)) {
        return invalid_input(fmt::format("{}target \"{}\" already exists (choose another --name)", label(i), t.name));
      }
      t.created_at = t.updated_at = now;
      insert.reset();
      bind_fields(insert, t);
      insert.run();
      t.id = db.last_insert_rowid();
    }
    tx.commit();
    return std::move(targets);
  });
}

Expected<core::Target> find(const Database& db, std::string_view ref) {
  return guarded([&]() -> Expected<core::Target> {
    auto t = lookup(db, ref);
    if (!t) return unknown(ref);
    return std::move(*t);
  });
}

Expected<std::vector<core::Target>> find_all(const Database& db, std::span<const std::string> refs) {
  return guarded([&] { return lookup_all(db, refs); });
}

Expected<std::vector<core::Target>> list(const Database& db, bool include_removed) {
  return guarded([&]() -> Expected<std::vector<core::Target>> {
    auto st = db.prepare(
        fmt::format("SELECT {} FROM targets {}", k_columns, include_removed ? "" : "WHERE removed_at IS NULL"));
    std::vector<core::Target> out;
    while (st.step()) out.push_back(read_row(st));
    // Live first, then by name with numbers in numeric order (10.0.0.2 before 10.0.0.10).
    std::sort(out.begin(), out.end(), [](const core::Target& a, const core::Target& b) {
      if (a.removed_at.has_value() != b.removed_at.has_value()) return !a.removed_at.has_value();
      if (a.name != b.name) return util::natural_less(a.name, b.name);
      return a.id < b.id;
    });
    return out;
  });
}

Expected<core::Target> edit(const Database& db, std::string_view ref, const core::TargetPatch& patch,
                            util::SysMicros now) {
  return guarded([&]() -> Expected<core::Target> {
    if (patch.empty()) return invalid_input("nothing to change: give at least one option (see target edit --help)");
    Transaction tx(db);
    auto t = lookup(db, ref);
    if (!t) return unknown(ref);
    if (auto ok = core::apply_patch(*t, patch); !ok) return std::unexpected(ok.error());
    if (name_taken(db, t->name, t->id)) {
      return invalid_input(fmt::format("target \"{}\" already exists (choose another --name)", t->name));
    }
    t->updated_at = now;
    auto st = db.prepare(
        "UPDATE targets SET name = ?1, host = ?2, family = ?3, probe = ?4, port = ?5, interval_ms = ?6, "
        "timeout_ms = ?7, payload_size = ?8, paused = ?9, job_only = ?10, description = ?11, tags = ?12, "
        "updated_at = ?13 WHERE id = ?14");
    bind_fields(st, *t);
    st.bind(14, t->id);
    st.run();
    tx.commit();
    return std::move(*t);
  });
}

Expected<std::vector<core::Target>> set_paused(const Database& db, std::span<const std::string> refs, bool paused,
                                               util::SysMicros now) {
  return guarded([&]() -> Expected<std::vector<core::Target>> {
    Transaction tx(db);
    auto found = lookup_all(db, refs);
    if (!found) return found;
    auto st = db.prepare("UPDATE targets SET paused = ?1, updated_at = ?2 WHERE id = ?3 AND paused != ?1");
    for (auto& t : *found) {
      st.reset();
      st.bind(1, paused ? 1 : 0).bind(2, util::to_epoch_us(now)).bind(3, t.id);
      st.run();
      if (db.changes() > 0) t.updated_at = now;
      t.paused = paused;
    }
    tx.commit();
    return found;
  });
}

Expected<Removal> remove(const Database& db, std::string_view ref, bool keep_data, util::SysMicros now) {
  return guarded([&]() -> Expected<Removal> {
    Transaction tx(db);
    auto t = lookup(db, ref);
    if (!t) return unknown(ref);
    Removal r{std::move(*t), {}, 0};
    auto id = r.target.id;
    std::vector<std::string> last_of;
    auto jobs = db.prepare(
        "SELECT j.name, (SELECT count(*) FROM job_targets x WHERE x.job_id = j.id) FROM jobs j "
        "JOIN job_targets jt ON jt.job_id = j.id WHERE jt.target_id = ?1 ORDER BY j.name");
    jobs.bind(1, id);
    while (jobs.step()) {
      r.jobs.push_back(jobs.text(0));
      if (jobs.int64(1) == 1) last_of.push_back("\"" + jobs.text(0) + "\"");
    }
    if (!last_of.empty()) {
      return invalid_input(
          fmt::format("target \"{}\" is the only target of job {}: add another target to the job "
                      "(job edit J --add-targets T) or remove the job first",
                      r.target.name, fmt::join(last_of, ", ")));
    }
    db.prepare("DELETE FROM job_targets WHERE target_id = ?1").bind(1, id).run();
    if (keep_data) {
      db.prepare("UPDATE targets SET removed_at = ?1, updated_at = ?1 WHERE id = ?2")
          .bind(1, util::to_epoch_us(now))
          .bind(2, id)
          .run();
      r.target.removed_at = now;
    } else {
      db.prepare("DELETE FROM samples WHERE target_id = ?1").bind(1, id).run();
      r.samples_deleted = db.changes();
      for (auto table : {"rollup_1m", "rollup_1h", "rollup_1d", "rollup_dirty"}) {
        db.prepare(fmt::format("DELETE FROM {} WHERE target_id = ?1", table)).bind(1, id).run();
      }
      db.prepare("DELETE FROM targets WHERE id = ?1").bind(1, id).run();
    }
    tx.commit();
    return r;
  });
}

}  // namespace pk::store::targets
