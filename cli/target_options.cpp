#include "target_options.hpp"

#include "context.hpp"

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

Expected<core::TargetPatch> to_patch(const TargetOptions& o) {
  core::TargetPatch p;
  p.name = o.name;
  p.host = o.host;
  auto interval = parse_duration_option(o.interval);
  if (!interval) return std::unexpected(interval.error());
  p.interval = *interval;
  auto timeout = parse_duration_option(o.timeout);
  if (!timeout) return std::unexpected(timeout.error());
  p.timeout = *timeout;
  if (o.probe) {
    auto k = core::parse_probe_kind(*o.probe);
    if (!k) return std::unexpected(k.error());
    p.probe = *k;
  }
  p.port = o.port;
  p.payload_size = o.size;
  p.description = o.description;
  if (o.ipv4) p.family = core::Family::v4;
  if (o.ipv6) p.family = core::Family::v6;
  if (o.any_family) p.family = core::Family::any;
  for (const auto& text : o.tags) {
    auto tag = core::parse_tag(text);
    if (!tag) return std::unexpected(tag.error());
    p.set_tags[tag->first] = tag->second;
  }
  p.remove_tags = o.untags;
  if (o.paused > 0) p.paused = true;
  if (o.unpaused > 0) p.paused = false;
  if (o.job_only > 0) p.job_only = true;
  if (o.continuous > 0) p.job_only = false;
  return p;
}

}  // namespace pk::cli
