#include "context.hpp"
#include "output.hpp"

#include "core/job_options.hpp"
#include "core/json.hpp"
#include "store/jobs.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace pk::cli {

namespace {

using core::JobOptions;

void add_job_options(CLI::App& cmd, JobOptions& o, bool edit) {
  cmd.add_option("--targets", o.targets, edit ? "Replace the member targets" : "Member targets (names or ids)")
      ->option_text("T1,T2");
  if (edit) {
    cmd.add_option("--add-targets", o.add_targets, "Add member targets")->option_text("T1,T2");
    cmd.add_option("--remove-targets", o.remove_targets, "Remove member targets")->option_text("T1,T2");
    cmd.add_option("--name", o.rename, "Rename the job")->option_text("NAME");
  }
  cmd.add_option("--interval", o.interval, "Probe interval inside windows (default 5s)")->option_text("DURATION");
  cmd.add_option("--count", o.count, "Pings per round, 1..100 (default 1)")->option_text("N");
  cmd.add_option("--start", o.start, edit ? "Start time, or none" : "Start time (default: now)")->option_text("TIME");
  cmd.add_option("--end", o.end, edit ? "End time, or none" : "End time (default: never)")->option_text("TIME");
  cmd.add_option("--window", o.windows,
                 "Weekly window, e.g. 'mon-fri 09:00-17:00; sat 10:00-12:00' (repeatable; "
                 "'always' for none)")
      ->option_text("SPEC")
      ->allow_extra_args(false);
  cmd.add_option("--tz", o.tz,
                 edit ? "IANA time zone of the windows and times"
                      : "IANA time zone of the windows and times "
                        "(default: the machine's zone)")
      ->option_text("ZONE");
  cmd.add_option("--metrics", o.metrics, "What to collect: rtt,loss,jitter,ttl,path (default rtt,loss,jitter,ttl)")
      ->option_text("LIST");
  cmd.add_option("--path-every", o.path_every, "Traceroute interval with the path metric (default 10m)")
      ->option_text("DURATION");
  cmd.add_option("--description", o.description, "Free text")->option_text("TEXT");
}

struct JobView {
  core::Job job;
  core::JobState state;
  std::optional<core::JobRun> latest;
};

Expected<JobView> view(const store::Database& db, core::Job job, util::SysMicros now) {
  auto state = core::job_state(job, now);
  if (!state) return std::unexpected(state.error());
  auto run = store::jobs::latest_run(db, job.id);
  if (!run) return std::unexpected(run.error());
  return JobView{std::move(job), *state, *run};
}

std::string member_names(const core::Job& j) {
  std::vector<std::string> names;
  for (const auto& m : j.targets) names.push_back(m.name);
  return util::join(names, ",");
}

std::string run_text(const std::optional<core::JobRun>& r) {
  if (!r) return "-";
  return fmt::format("{}/{} received", r->received, r->sent);
}

Expected<void> print_jobs(const Context& ctx, const std::vector<JobView>& jobs) {
  if (ctx.format() == Format::json) {
    auto doc = core::Json::array();
    for (const auto& v : jobs) doc.push_back(core::to_json(v.job, v.state, v.latest));
    print_json(doc);
    return {};
  }
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"id",      "name", "targets", "interval_ms", "count",  "start",      "end",
                     "windows", "tz",   "metrics", "state",       "status", "next_change"};
    for (const auto& v : jobs) {
      auto j = core::to_json(v.job, v.state, v.latest);
      auto text = [](const core::Json& x) { return x.is_null() ? std::string() : x.get<std::string>(); };
      table.rows.push_back({std::to_string(v.job.id), v.job.name, member_names(v.job),
                            std::to_string(util::to_ms(v.job.interval)), std::to_string(v.job.count), text(j["start"]),
                            text(j["end"]), v.job.windows.to_string(), v.job.tz, core::format_metrics(v.job.metrics),
                            text(j["state"]), text(j["status"]), text(j["next_change"])});
    }
    table.print_csv();
    return {};
  }
  table.headers = {"ID", "NAME", "TARGETS", "INTERVAL", "WINDOWS", "TZ", "STATUS", "NEXT CHANGE", "LAST RUN"};
  for (const auto& v : jobs) {
    table.rows.push_back(
        {std::to_string(v.job.id), v.job.name, member_names(v.job), util::format_duration(v.job.interval),
         v.job.windows.always_open() ? "always" : v.job.windows.to_string(), v.job.tz,
         std::string(core::to_string(v.state.status)),
         v.state.next_change ? util::format_table_time(*v.state.next_change, *zone) : "-", run_text(v.latest)});
  }
  table.print_aligned();
  return {};
}

Expected<void> show_job(const Context& ctx, const JobView& v) {
  if (ctx.format() == Format::json) {
    print_json(core::to_json(v.job, v.state, v.latest));
    return {};
  }
  if (ctx.format() == Format::csv) return print_jobs(ctx, {v});
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto time_or = [&](const std::optional<util::SysMicros>& t, const char* none) {
    return t ? util::format_table_time(*t, *zone) : std::string(none);
  };
  const auto& j = v.job;
  print_fields({
      {"id", std::to_string(j.id)},
      {"name", j.name},
      {"targets", member_names(j)},
      {"interval", util::format_duration(j.interval)},
      {"count", std::to_string(j.count)},
      {"start", time_or(j.starts_at, "at creation")},
      {"end", time_or(j.ends_at, "never")},
      {"windows", j.windows.always_open() ? "always" : j.windows.to_string()},
      {"tz", j.tz},
      {"metrics", core::format_metrics(j.metrics)},
      {"state", j.stopped ? "stopped" : "active"},
      {"status", std::string(core::to_string(v.state.status))},
      {"next change", time_or(v.state.next_change, "-")},
      {"last run", run_text(v.latest)},
      {"description", j.description},
  });
  return {};
}

// Runs `change` on an open database and prints the job it returns.
template <typename Fn>
Expected<void> change_job(const Context& ctx, std::string_view verb, Fn&& change) {
  auto db = ctx.open_db_to_change();
  if (!db) return std::unexpected(db.error());
  auto job = change(*db);
  if (!job) return std::unexpected(job.error());
  if (ctx.format() != Format::table) {
    auto v = view(*db, std::move(*job), ctx.now);
    if (!v) return std::unexpected(v.error());
    return show_job(ctx, *v);
  }
  note(ctx.quiet, fmt::format("{} job {}, id {}", verb, job->name, job->id));
  return {};
}

void register_add_edit(CLI::App& group, Context& ctx) {
  auto* add = group.add_subcommand("add", "Create a job: targets probed on a schedule, e.g. business hours");
  auto name = std::make_shared<std::string>();
  auto opts = std::make_shared<JobOptions>();
  add->add_option("NAME", *name, "Job name")->required();
  add_job_options(*add, *opts, false);
  add->get_option("--targets")->required();
  add->callback([&ctx, name, opts] {
    ctx.action = [&ctx, name, opts]() -> Expected<void> {
      auto patch = core::to_patch(*opts);
      if (!patch) return std::unexpected(patch.error());
      patch->name = *name;
      return change_job(ctx, "added", [&](const store::Database& db) { return store::jobs::add(db, *patch, ctx.now); });
    };
  });

  auto* edit = group.add_subcommand("edit", "Change a job");
  auto ref = std::make_shared<std::string>();
  auto eopts = std::make_shared<JobOptions>();
  edit->add_option("J", *ref, "Job name or id")->required();
  add_job_options(*edit, *eopts, true);
  edit->callback([&ctx, ref, eopts] {
    ctx.action = [&ctx, ref, eopts]() -> Expected<void> {
      auto patch = core::to_patch(*eopts);
      if (!patch) return std::unexpected(patch.error());
      return change_job(ctx, "updated",
                        [&](const store::Database& db) { return store::jobs::edit(db, *ref, *patch, ctx.now); });
    };
  });
}

void register_list_show(CLI::App& group, Context& ctx) {
  auto* list = group.add_subcommand("list", "List jobs with their live status");
  list->callback([&ctx] {
    ctx.action = [&ctx]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      auto jobs = store::jobs::list(*db);
      if (!jobs) return std::unexpected(jobs.error());
      std::vector<JobView> views;
      for (auto& j : *jobs) {
        auto v = view(*db, std::move(j), ctx.now);
        if (!v) return std::unexpected(v.error());
        views.push_back(std::move(*v));
      }
      return print_jobs(ctx, views);
    };
  });

  auto* show = group.add_subcommand("show", "Show one job");
  auto ref = std::make_shared<std::string>();
  show->add_option("J", *ref, "Job name or id")->required();
  show->callback([&ctx, ref] {
    ctx.action = [&ctx, ref]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      auto job = store::jobs::find(*db, *ref);
      if (!job) return std::unexpected(job.error());
      auto v = view(*db, std::move(*job), ctx.now);
      if (!v) return std::unexpected(v.error());
      return show_job(ctx, *v);
    };
  });
}

void register_rm_start_stop(CLI::App& group, Context& ctx) {
  struct Simple {
    const char* name;
    const char* help;
    const char* verb;
  };
  for (auto s : {Simple{"rm", "Delete a job and its runs (targets and samples stay)", "removed"},
                 Simple{"start", "Start a stopped job (it collects inside its windows)", "started"},
                 Simple{"stop", "Stop a job until `job start`", "stopped"}}) {
    auto* cmd = group.add_subcommand(s.name, s.help);
    auto ref = std::make_shared<std::string>();
    cmd->add_option("J", *ref, "Job name or id")->required();
    std::string which = s.name;
    std::string verb = s.verb;
    cmd->callback([&ctx, ref, which, verb] {
      ctx.action = [&ctx, ref, which, verb]() -> Expected<void> {
        return change_job(ctx, verb, [&](const store::Database& db) {
          if (which == "rm") return store::jobs::remove(db, *ref);
          return store::jobs::set_stopped(db, *ref, which == "stop", ctx.now);
        });
      };
    });
  }
}

}  // namespace

void register_job(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("job", "Manage jobs: targets probed on a schedule");
  group->require_subcommand(1);
  register_add_edit(*group, ctx);
  register_list_show(*group, ctx);
  register_rm_start_stop(*group, ctx);
}

}  // namespace pk::cli
