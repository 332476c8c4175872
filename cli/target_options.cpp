#include "target_options.hpp"

#include <CLI/CLI.hpp>

namespace pk::cli {

void add_target_options(CLI::App& cmd, TargetOptions& o, TargetCommand which) {
  if (which != TargetCommand::import) {
    cmd.add_option("--name", o.name, "Name (default: the host); unique among targets")->option_text("NAME");
  }
  if (which == TargetCommand::edit) cmd.add_option("--host", o.host, "New host")->option_text("HOST");
  cmd.add_option("--interval", o.interval, "Probe interval, 100ms..1d (default 1s)")->option_text("DURATION");
  cmd.add_option("--timeout", o.timeout, "Reply timeout, 100ms..60s (default 1s)")->option_text("DURATION");
  cmd.add_option("--probe", o.probe, "Probe kind: icmp (default) or tcp")->option_text("icmp|tcp");
  cmd.add_option("--port", o.port, "TCP port for --probe tcp (default 443)")->option_text("PORT");
  cmd.add_option("--size", o.size, "ICMP payload bytes, 0..65000 (default 56)")->option_text("BYTES");
  auto* v4 = cmd.add_flag("-4", o.ipv4, "Use IPv4 only");
  auto* v6 = cmd.add_flag("-6", o.ipv6, "Use IPv6 only")->excludes(v4);
  if (which == TargetCommand::edit) cmd.add_flag("--any-family", o.any_family, "Use IPv4 or IPv6")->excludes(v4, v6);
  cmd.add_option("--tag", o.tags, "Tag key=value (repeatable)")->option_text("K=V")->allow_extra_args(false);
  if (which == TargetCommand::edit) {
    cmd.add_option("--untag", o.untags, "Remove tag KEY (repeatable)")->option_text("KEY")->allow_extra_args(false);
  }
  cmd.add_option("--description", o.description, "Free text")->option_text("TEXT");
  auto* paused = cmd.add_flag("--paused", o.paused, "Do not probe until `target resume`");
  if (which == TargetCommand::edit) cmd.add_flag("--no-paused", o.unpaused, "Probe again")->excludes(paused);
  auto* job_only = cmd.add_flag("--job-only", o.job_only, "Probe only inside the windows of its jobs");
  if (which == TargetCommand::edit) {
    cmd.add_flag("--continuous", o.continuous, "Probe at its own interval, not only in jobs")->excludes(job_only);
  }
}

}  // namespace pk::cli
