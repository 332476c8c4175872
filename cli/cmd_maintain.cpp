#include "context.hpp"
#include "output.hpp"
#include "progress_line.hpp"

#include "analyze/source.hpp"
#include "collect/lock.hpp"
#include "core/json.hpp"
#include "maintain/clock_guard.hpp"
#include "maintain/lock.hpp"
#include "maintain/retention.hpp"
#include "maintain/rollup_pass.hpp"
#include "store/rollups.hpp"
#include "store/settings.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace pk::cli {

namespace {

using analyze::Tier;

constexpr std::array<Tier, 4> k_all_tiers{Tier::raw, Tier::m1, Tier::h1, Tier::d1};
constexpr std::array<Tier, 3> k_rollup_tiers{Tier::m1, Tier::h1, Tier::d1};

std::size_t at(Tier t) { return static_cast<std::size_t>(t); }

struct MaintainOptions {
  bool rollup = false;
  bool prune = false;
  bool vacuum = false;
  bool rebuild = false;
  bool trust_clock = false;
};

// Maintenance progress ("pingkeeper: rollup 1m  42%") on a ProgressLine.
maintain::Progress progress_callback(ProgressLine& line) {
  if (!line.enabled()) return {};
  return [&line](std::string_view stage, double fraction) {
    line.show(fmt::format("pingkeeper: {} {:3d}%", stage, static_cast<int>(std::floor(fraction * 100.0))));
  };
}

core::Json time_or_null(const std::optional<util::SysMicros>& t) {
  return t ? core::Json(util::format_iso_utc(*t)) : core::Json(nullptr);
}

std::string time_or_dash(const std::optional<util::SysMicros>& t, const date::time_zone* zone) {
  return t ? util::format_table_time(*t, zone) : "-";
}

core::Json rollup_json(const maintain::RollupReport& r, bool rebuilt) {
  core::Json rows = core::Json::object();
  core::Json dirty = core::Json::object();
  core::Json marks = core::Json::object();
  for (auto t : k_rollup_tiers) {
    auto name = std::string(analyze::to_string(t));
    rows[name] = r.rows_written[at(t)];
    dirty[name] = r.dirty_handled[at(t)];
    marks[name] = time_or_null(r.watermark[at(t)]);
  }
  return {{"rebuilt", rebuilt},
          {"rows_written", rows},
          {"samples_read", r.samples_read},
          {"dirty_handled", dirty},
          {"late_samples_merged", r.late_samples_merged},
          {"rolled_up_until", marks}};
}

core::Json prune_json(const maintain::PruneReport& r) {
  core::Json deleted = core::Json::object();
  core::Json horizons = core::Json::object();
  for (auto t : k_all_tiers) {
    auto name = std::string(analyze::to_string(t));
    deleted[name] = r.rows_deleted[at(t)];
    horizons[name] = time_or_null(r.horizon[at(t)]);
  }
  return {{"rows_deleted", deleted},
          {"oldest_kept", horizons},
          {"dirty_marks_dropped", r.marks_dropped},
          {"traces_deleted", r.traces_deleted}};
}

std::vector<std::pair<std::string, std::string>> rollup_fields(const maintain::RollupReport& r, bool rebuilt,
                                                               const date::time_zone* zone) {
  std::vector<std::string> rows;
  std::vector<std::string> marks;
  for (auto t : k_rollup_tiers) {
    rows.push_back(fmt::format("{} {}", analyze::to_string(t), r.rows_written[at(t)]));
    marks.push_back(fmt::format("{} {}", analyze::to_string(t), time_or_dash(r.watermark[at(t)], zone)));
  }
  auto dirty = r.dirty_handled[1] + r.dirty_handled[2] + r.dirty_handled[3];
  std::vector<std::pair<std::string, std::string>> fields{
      {rebuilt ? "rebuilt rows" : "rollup rows",
       fmt::format("{} (from {} samples)", util::join(rows, ", "), r.samples_read)},
      {"dirty buckets", std::to_string(dirty)},
  };
  if (r.late_samples_merged > 0) fields.emplace_back("late samples merged", std::to_string(r.late_samples_merged));
  fields.emplace_back("rolled up until", util::join(marks, ", "));
  return fields;
}

std::pair<std::string, std::string> prune_field(const maintain::PruneReport& r) {
  std::vector<std::string> parts;
  for (auto t : k_all_tiers) {
    parts.push_back(fmt::format("{} {}", analyze::to_string(t), r.rows_deleted[at(t)]));
  }
  parts.push_back(fmt::format("traces {}", r.traces_deleted));
  return {"deleted rows", util::join(parts, ", ")};
}

Expected<void> maintain_cmd(const Context& ctx, MaintainOptions o) {
  if (ctx.format() == Format::csv) return invalid_input("maintain has no CSV output: use --json");
  if (!o.rollup && !o.prune && !o.vacuum && !o.rebuild) o.rollup = o.prune = o.vacuum = true;
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto db = ctx.open_db_to_change(/*whole_if_small=*/true);
  if (!db) return std::unexpected(db.error());
  auto lock = maintain::MaintenanceLock::acquire(db->path(), /*wait=*/false);
  if (!lock && lock.error().kind == ErrorKind::busy) {
    if (ctx.format() == Format::table && !ctx.quiet) {
      fmt::print(stderr, "pingkeeper: waiting for the maintenance already running on {}\n", db->path());
    }
    lock = maintain::MaintenanceLock::acquire(db->path(), /*wait=*/true);
  }
  if (!lock) return std::unexpected(lock.error());

  // A clock far beyond the newest data is refused; otherwise maintenance
  // never acts past the newest data plus a margin.
  auto clock = maintain::check_clock(*db, ctx.now);
  if (!clock) return std::unexpected(clock.error());
  if (clock->far_ahead && !o.trust_clock) return invalid_input(maintain::clock_refusal(*clock).message + " (--trust-clock)");
  const auto now = o.trust_clock ? ctx.now : clock->now;
  ProgressLine progress(!ctx.quiet && stderr_is_terminal());
  core::Json doc = {{"rollup", nullptr}, {"prune", nullptr}, {"vacuum", nullptr}};
  std::vector<std::pair<std::string, std::string>> fields;
  if (o.rollup || o.rebuild) {
    maintain::RollupOptions ro;
    ro.progress = progress_callback(progress);
    ro.paced = collect::CollectorLock::held(*db);  // no collector: nothing to make way for
    auto r = o.rebuild ? maintain::rebuild_rollups(*db, now, ro) : maintain::run_rollup(*db, now, ro);
    progress.clear();
    if (!r) return std::unexpected(r.error());
    doc["rollup"] = rollup_json(*r, o.rebuild);
    auto more = rollup_fields(*r, o.rebuild, *zone);
    fields.insert(fields.end(), more.begin(), more.end());
  }
  if (o.prune) {
    auto r = maintain::prune(*db, now, progress_callback(progress));
    progress.clear();
    if (!r) return std::unexpected(r.error());
    doc["prune"] = prune_json(*r);
    fields.push_back(prune_field(*r));
  }
  if (o.vacuum) {
    auto r = maintain::vacuum(*db, progress_callback(progress));
    progress.clear();
    if (!r) return std::unexpected(r.error());
    doc["vacuum"] = {{"pages_freed", r->pages_freed}, {"bytes_freed", r->bytes_freed}};
    fields.emplace_back("vacuum", fmt::format("{} pages freed ({} bytes)", r->pages_freed, r->bytes_freed));
  }
  if (ctx.format() == Format::json) {
    print_json(doc);
  } else if (!ctx.quiet) {
    print_fields(fields);
  }
  return {};
}

Expected<void> show_retention(const Context& ctx, const store::Database& db) {
  auto keep = store::settings::retention(db);
  if (!keep) return std::unexpected(keep.error());
  auto cov = store::rollups::coverage(db);
  if (!cov) return std::unexpected(cov.error());
  if (ctx.format() == Format::json) {
    auto doc = core::Json::array();
    for (auto t : k_all_tiers) {
      const auto& k = (*keep)[at(t)];
      doc.push_back({{"tier", analyze::to_string(t)},
                     {"keep", store::settings::keep_text(k)},
                     {"keep_seconds", k ? core::Json(k->count() / 1000000) : core::Json(nullptr)},
                     {"oldest_kept", time_or_null(cov->horizon[at(t)])},
                     {"rolled_up_until", time_or_null(cov->watermark[at(t)])}});
    }
    print_json(doc);
    return {};
  }
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  const bool csv = ctx.format() == Format::csv;
  Table table;
  table.headers = csv ? std::vector<std::string>{"tier", "keep", "oldest_kept", "rolled_up_until"}
                      : std::vector<std::string>{"TIER", "KEEP", "OLDEST_KEPT", "ROLLED_UP_UNTIL"};
  for (auto t : k_all_tiers) {
    const auto& horizon = cov->horizon[at(t)];
    const auto& mark = cov->watermark[at(t)];
    if (csv) {
      table.rows.push_back({std::string(analyze::to_string(t)), store::settings::keep_text((*keep)[at(t)]),
                            horizon ? util::format_iso_utc(*horizon) : "", mark ? util::format_iso_utc(*mark) : ""});
    } else {
      table.rows.push_back({std::string(analyze::to_string(t)), store::settings::keep_text((*keep)[at(t)]),
                            time_or_dash(horizon, *zone), time_or_dash(mark, *zone)});
    }
  }
  if (csv) {
    table.print_csv();
  } else {
    table.print_aligned();
  }
  return {};
}

Expected<void> set_retention(const Context& ctx, const std::vector<std::string>& args) {
  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  auto current = store::settings::retention(*db);
  if (!current) return std::unexpected(current.error());
  auto keep = maintain::apply_retention_args(*current, args);
  if (!keep) return std::unexpected(keep.error());
  if (auto ok = store::settings::set_retention(*db, *keep); !ok) return ok;
  if (ctx.format() == Format::table && ctx.quiet) return {};
  return show_retention(ctx, *db);
}

}  // namespace

void register_maintain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "maintain", "Roll up new samples, prune expired data and vacuum the file (all three when no flag is given)");
  auto o = std::make_shared<MaintainOptions>();
  cmd->add_flag("--rollup", o->rollup, "Roll raw samples up into 1m, 1h and 1d rows (and recompute late ones)");
  cmd->add_flag("--prune", o->prune, "Delete what each tier's retention lets go (see `retention show`)");
  cmd->add_flag("--vacuum", o->vacuum, "Give free pages back to the file system (incremental vacuum)");
  cmd->add_flag("--rebuild-rollups", o->rebuild, "Recompute every rollup tier wherever its source data is still kept");
  cmd->add_flag("--trust-clock", o->trust_clock,
                "Prune and roll up by the clock even when it is more than a day past the newest stored data");
  cmd->footer(
      "A running collector (`run`) rolls up every minute and prunes every hour by itself; `maintain` is for cron\n"
      "and for databases without a collector. Prune deletes in small transactions, so collection never stalls.\n"
      "One maintenance at a time: a second one waits for the first. A progress line shows on a terminal.\n"
      "Against a wrong clock, maintenance never acts past the newest stored data plus 10 minutes, and refuses\n"
      "(exit 2) when the clock is more than a day past it, unless --trust-clock says the clock is right.");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return maintain_cmd(ctx, *o); }; });

  auto* retention = app.add_subcommand("retention", "Show or set how long each tier (raw, 1m, 1h, 1d) is kept");
  retention->require_subcommand(1);
  auto* show = retention->add_subcommand("show", "Each tier's retention, oldest kept data and rollup progress");
  show->callback([&ctx] {
    ctx.action = [&ctx]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      return show_retention(ctx, *db);
    };
  });
  auto* set = retention->add_subcommand("set", "Set the retention of some tiers, e.g. raw=7d 1h=5y 1d=forever");
  auto args = std::make_shared<std::vector<std::string>>();
  set->add_option("TIER=KEEP", *args, "raw, 1m, 1h or 1d = a duration (90d, 5y) or forever")->required();
  set->footer(
      "Defaults: raw=30d 1m=90d 1h=5y 1d=forever. Minimums: raw and 1m 1h, 1h and 1d 1d. A rollup tier is kept\n"
      "at least as long as the finer one it is built from. Data goes at the next prune (hourly in the collector,\n"
      "or `maintain --prune`); raw samples go only once they are rolled up.");
  set->callback([&ctx, args] { ctx.action = [&ctx, args] { return set_retention(ctx, *args); }; });
}

}  // namespace pk::cli
