#include "context.hpp"
#include "output.hpp"
#include "target_options.hpp"

#include "core/json.hpp"
#include "core/target_import.hpp"
#include "store/targets.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pk::cli {

namespace {

std::string target_state(const core::Target& t) {
  if (t.removed_at) return "removed";
  if (t.paused) return "paused";
  if (t.job_only) return "job-only";
  return "active";
}

std::string probe_text(const core::Target& t) {
  if (t.probe == core::ProbeKind::tcp) return fmt::format("tcp/{}", t.port.value_or(core::k_default_tcp_port));
  return "icmp";
}

// "k=v,k2=v2" for people (CSV: core::format_tags_cell, as `target import` reads it).
std::string tags_text(const core::Tags& tags) {
  std::string out;
  for (const auto& [k, v] : tags) {
    if (!out.empty()) out += ',';
    out += k + "=" + v;
  }
  return out;
}

// Prints targets as a table, CSV or a JSON array.
void print_targets(const Context& ctx, const std::vector<core::Target>& targets) {
  if (ctx.format() == Format::json) {
    auto doc = core::Json::array();
    for (const auto& t : targets) doc.push_back(core::to_json(t));
    print_json(doc);
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"id",         "name", "host",   "family",   "probe", "port", "interval_ms",
                     "timeout_ms", "size", "paused", "job_only", "state", "tags", "description"};
    for (const auto& t : targets) {
      table.rows.push_back({std::to_string(t.id), t.name, t.host, std::string(core::to_string(t.family)),
                            std::string(core::to_string(t.probe)), t.port ? std::to_string(*t.port) : "",
                            std::to_string(util::to_ms(t.interval)), std::to_string(util::to_ms(t.timeout)),
                            std::to_string(t.payload_size), t.paused ? "true" : "false", t.job_only ? "true" : "false",
                            target_state(t), core::format_tags_cell(t.tags), t.description});
    }
    table.print_csv();
    return;
  }
  table.headers = {"ID", "NAME", "HOST", "PROBE", "INTERVAL", "TIMEOUT", "STATE", "TAGS"};
  for (const auto& t : targets) {
    table.rows.push_back({std::to_string(t.id), t.name, t.host, probe_text(t), util::format_duration(t.interval),
                          util::format_duration(t.timeout), target_state(t), tags_text(t.tags)});
  }
  table.print_aligned();
}

Expected<void> show_target(const Context& ctx, const core::Target& t) {
  if (ctx.format() == Format::json) {
    print_json(core::to_json(t));
    return {};
  }
  if (ctx.format() == Format::csv) {
    print_targets(ctx, {t});
    return {};
  }
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  std::vector<std::pair<std::string, std::string>> fields{
      {"id", std::to_string(t.id)},
      {"name", t.name},
      {"host", t.host},
      {"family", std::string(core::to_string(t.family))},
      {"probe", probe_text(t)},
      {"interval", util::format_duration(t.interval)},
      {"timeout", util::format_duration(t.timeout)},
      {"size", fmt::format("{} bytes", t.payload_size)},
      {"state", target_state(t)},
      {"tags", tags_text(t.tags)},
      {"description", t.description},
      {"created", util::format_table_time(t.created_at, *zone)},
      {"updated", util::format_table_time(t.updated_at, *zone)},
  };
  if (t.removed_at) fields.emplace_back("removed", util::format_table_time(*t.removed_at, *zone));
  print_fields(fields);
  return {};
}

// The most `target import` reads: far beyond any inventory (100,000 targets
// of 100 bytes), far below what hurts (`/dev/zero` given by mistake).
constexpr std::size_t k_max_import_bytes = std::size_t{32} << 20;

// Reads at most one byte more than limit, so an overlong input is told apart.
std::string read_bounded(std::istream& in, std::size_t limit) {
  std::string text;
  char buf[65536];
  while (text.size() <= limit && in.read(buf, sizeof buf).gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  return text;
}

Expected<std::string> read_input(const std::string& file) {
  std::string text;
  if (file == "-") {
    text = read_bounded(std::cin, k_max_import_bytes);
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
      return make_error(ErrorKind::io, fmt::format("cannot read {}: it is a folder", file));
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(ErrorKind::io, fmt::format("cannot read {}: {}", file, std::strerror(errno)));
    text = read_bounded(in, k_max_import_bytes);
  }
  if (text.size() > k_max_import_bytes) {
    return invalid_input(fmt::format("{} is larger than {} MiB, the most an import reads; split it",
                                     file == "-" ? "the input" : file, k_max_import_bytes >> 20));
  }
  return text;
}

// What a command that changed targets prints: the targets in the requested
// format, or a line each for people.
void report_changed(const Context& ctx, const std::vector<core::Target>& targets, std::string_view verb) {
  if (ctx.format() != Format::table) {
    print_targets(ctx, targets);
    return;
  }
  for (const auto& t : targets) {
    note(ctx.quiet, fmt::format("{} target {} ({}), id {}", verb, t.name, t.host, t.id));
  }
}

void register_add(CLI::App& group, Context& ctx) {
  auto* cmd = group.add_subcommand("add", "Add one or more targets (hosts to probe)");
  auto hosts = std::make_shared<std::vector<std::string>>();
  auto opts = std::make_shared<TargetOptions>();
  cmd->add_option("HOST", *hosts, "IPv4/IPv6 address or DNS name (several allowed)")->required();
  add_target_options(*cmd, *opts, TargetCommand::add);
  cmd->callback([&ctx, hosts, opts] {
    ctx.action = [&ctx, hosts, opts]() -> Expected<void> {
      if (auto ok = ctx.reject_bracket_lists("host", *hosts); !ok) return ok;
      if (opts->name && hosts->size() > 1) return invalid_input("--name applies to a single host");
      auto patch = core::to_patch(*opts);
      if (!patch) return std::unexpected(patch.error());
      std::vector<core::Target> targets;
      for (const auto& host : *hosts) {
        auto t = core::make_target(host, *patch);
        if (!t) return std::unexpected(t.error());
        targets.push_back(std::move(*t));
      }
      auto db = ctx.open_db_to_change();
      if (!db) return std::unexpected(db.error());
      auto added = store::targets::add(*db, std::move(targets), ctx.now);
      if (!added) return std::unexpected(added.error());
      report_changed(ctx, *added, "added");
      return {};
    };
  });
}

void register_import(CLI::App& group, Context& ctx) {
  auto* cmd = group.add_subcommand(
      "import", "Add targets from a file: one host per line, or CSV with a header (host,name,interval,...)");
  auto file = std::make_shared<std::string>();
  auto opts = std::make_shared<TargetOptions>();
  cmd->add_option("FILE", *file, "The file, or - for standard input")->required();
  add_target_options(*cmd, *opts, TargetCommand::import);
  cmd->callback([&ctx, file, opts] {
    ctx.action = [&ctx, file, opts]() -> Expected<void> {
      auto defaults = core::to_patch(*opts);
      if (!defaults) return std::unexpected(defaults.error());
      auto text = read_input(*file);
      if (!text) return std::unexpected(text.error());
      auto rows = core::parse_target_import(*text, *defaults);
      if (!rows) return std::unexpected(rows.error());
      std::vector<core::Target> targets;
      std::vector<std::string> labels;
      for (auto& row : *rows) {
        labels.push_back(fmt::format("line {}", row.line));
        targets.push_back(std::move(row.target));
      }
      auto db = ctx.open_db_to_change();
      if (!db) return std::unexpected(db.error());
      auto added = store::targets::add(*db, std::move(targets), ctx.now, labels);
      if (!added) return std::unexpected(added.error());
      if (ctx.format() != Format::table) {
        print_targets(ctx, *added);
      } else {
        note(ctx.quiet, fmt::format("imported {} targets", added->size()));
      }
      return {};
    };
  });
}

void register_list_show(CLI::App& group, Context& ctx) {
  auto* list = group.add_subcommand("list", "List targets");
  auto all = std::make_shared<bool>(false);
  list->add_flag("--all", *all, "Include removed targets whose data was kept");
  list->callback([&ctx, all] {
    ctx.action = [&ctx, all]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      auto targets = store::targets::list(*db, *all);
      if (!targets) return std::unexpected(targets.error());
      print_targets(ctx, *targets);
      return {};
    };
  });

  auto* show = group.add_subcommand("show", "Show one target");
  auto ref = std::make_shared<std::string>();
  show->add_option("T", *ref, "Target name or id")->required();
  show->callback([&ctx, ref] {
    ctx.action = [&ctx, ref]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      auto t = store::targets::find(*db, *ref);
      if (!t) return std::unexpected(t.error());
      return show_target(ctx, *t);
    };
  });
}

void register_edit_rm(CLI::App& group, Context& ctx) {
  auto* edit = group.add_subcommand("edit", "Change a target");
  auto ref = std::make_shared<std::string>();
  auto opts = std::make_shared<TargetOptions>();
  edit->add_option("T", *ref, "Target name or id")->required();
  add_target_options(*edit, *opts, TargetCommand::edit);
  edit->callback([&ctx, ref, opts] {
    ctx.action = [&ctx, ref, opts]() -> Expected<void> {
      auto patch = core::to_patch(*opts);
      if (!patch) return std::unexpected(patch.error());
      auto db = ctx.open_db_to_change();
      if (!db) return std::unexpected(db.error());
      auto t = store::targets::edit(*db, *ref, *patch, ctx.now);
      if (!t) return std::unexpected(t.error());
      if (ctx.format() != Format::table) return show_target(ctx, *t);
      note(ctx.quiet, fmt::format("updated target {} ({}), id {}", t->name, t->host, t->id));
      return {};
    };
  });

  auto* rm = group.add_subcommand("rm", "Remove a target and its data (or keep the data with --keep-data)");
  auto rm_ref = std::make_shared<std::string>();
  auto keep = std::make_shared<bool>(false);
  rm->add_option("T", *rm_ref, "Target name or id")->required();
  rm->add_flag("--keep-data", *keep, "Keep its samples and traces (listed by `target list --all`)");
  rm->callback([&ctx, rm_ref, keep] {
    ctx.action = [&ctx, rm_ref, keep]() -> Expected<void> {
      auto db = ctx.open_db_to_change();
      if (!db) return std::unexpected(db.error());
      auto r = store::targets::remove(*db, *rm_ref, *keep, ctx.now);
      if (!r) return std::unexpected(r.error());
      if (ctx.format() != Format::table) return show_target(ctx, r->target);
      const auto& t = r->target;
      if (*keep) {
        note(ctx.quiet, fmt::format("retired target {} ({}), id {}; its data is kept", t.name, t.host, t.id));
      } else {
        note(ctx.quiet, fmt::format("removed target {} ({}), id {}, and its {} samples", t.name, t.host, t.id,
                                    r->samples_deleted));
      }
      if (!r->jobs.empty()) note(ctx.quiet, fmt::format("taken out of jobs: {}", util::join(r->jobs, ", ")));
      return {};
    };
  });
}

void register_pause_resume(CLI::App& group, Context& ctx) {
  for (bool pause : {true, false}) {
    auto* cmd =
        group.add_subcommand(pause ? "pause" : "resume", pause ? "Stop probing targets" : "Probe targets again");
    auto refs = std::make_shared<std::vector<std::string>>();
    cmd->add_option("T", *refs, "Target names or ids")->required();
    cmd->callback([&ctx, refs, pause] {
      ctx.action = [&ctx, refs, pause]() -> Expected<void> {
        if (auto ok = ctx.reject_bracket_lists("target", *refs); !ok) return ok;
        auto db = ctx.open_db_to_change();
        if (!db) return std::unexpected(db.error());
        auto targets = store::targets::set_paused(*db, *refs, pause, ctx.now);
        if (!targets) return std::unexpected(targets.error());
        report_changed(ctx, *targets, pause ? "paused" : "resumed");
        return {};
      };
    });
  }
}

}  // namespace

void register_target(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("target", "Manage targets: the hosts that are probed");
  group->require_subcommand(1);
  register_add(*group, ctx);
  register_import(*group, ctx);
  register_list_show(*group, ctx);
  register_edit_rm(*group, ctx);
  register_pause_resume(*group, ctx);
}

}  // namespace pk::cli
