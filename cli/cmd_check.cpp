#include "context.hpp"
#include "query_options.hpp"

#include "query/check.hpp"
#include "store/targets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

struct CheckOptions {
  std::string target;
  std::optional<std::string> max_loss;
  std::optional<std::string> warn_loss;
  std::optional<std::string> max_p95;
  std::optional<std::string> warn_p95;
  std::string since = "5m";
};

Expected<query::CheckThresholds> thresholds(const CheckOptions& o) {
  query::CheckThresholds t;
  for (auto [option, text, level] : {std::tuple{"--max-loss", &o.max_loss, &t.crit_loss_pct},
                                     std::tuple{"--warn-loss", &o.warn_loss, &t.warn_loss_pct}}) {
    if (!*text) continue;
    auto v = query::parse_loss_level(option, **text);
    if (!v) return std::unexpected(v.error());
    *level = *v;
  }
  for (auto [option, text, level] :
       {std::tuple{"--max-p95", &o.max_p95, &t.crit_p95}, std::tuple{"--warn-p95", &o.warn_p95, &t.warn_p95}}) {
    if (!*text) continue;
    auto v = util::parse_duration(**text);
    if (!v) return std::unexpected(v.error());
    if (*v <= util::Micros{}) return invalid_input(fmt::format("{} must be more than 0", option));
    *level = *v;
  }
  if (auto ok = query::validate(t); !ok) return std::unexpected(ok.error());
  return t;
}

Expected<void> check(Context& ctx, const CheckOptions& o) {
  auto levels = thresholds(o);
  if (!levels) return std::unexpected(levels.error());
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto since = util::parse_time_point(o.since, ctx.now, *zone);
  if (!since) return std::unexpected(since.error());
  if (*since >= ctx.now) return invalid_input("--since must be in the past");
  return with_target(ctx, o.target, [&](query::Reader& reader, const core::Target& target) -> Expected<void> {
    auto result = query::check(reader, target, *since, ctx.now, *levels);
    if (!result) return std::unexpected(result.error());
    fmt::print("{}\n", result->line);
    ctx.exit_code = static_cast<int>(result->state);
    return {};
  });
}

}  // namespace

void register_check(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "check", "Nagios/Icinga plugin: OK, WARNING, CRITICAL or UNKNOWN for a target over the last --since");
  auto o = std::make_shared<CheckOptions>();
  cmd->preparse_callback([&ctx](std::size_t) { ctx.nagios = true; });
  cmd->add_option("T", o->target, "Target name or id")->required();
  cmd->add_option("--max-loss", o->max_loss, "CRITICAL above this loss (5 or 5%)")->option_text("PCT");
  cmd->add_option("--warn-loss", o->warn_loss, "WARNING above this loss")->option_text("PCT");
  cmd->add_option("--max-p95", o->max_p95, "CRITICAL above this p95 RTT (e.g. 150ms)")->option_text("D");
  cmd->add_option("--warn-p95", o->warn_p95, "WARNING above this p95 RTT")->option_text("D");
  cmd->add_option("--since", o->since, "The window checked, up to now (default 5m)")->option_text("TIME");
  cmd->footer(
      "Without levels only a total loss is CRITICAL. Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no "
      "samples, unknown target, any error).");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return check(ctx, *o); }; });
}

}  // namespace pk::cli
