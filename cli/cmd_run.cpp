#include "context.hpp"
#include "output.hpp"
#include "signals.hpp"

#include "collect/collector.hpp"
#include "collect/lock.hpp"
#include "collect/open_prober.hpp"
#include "core/json.hpp"
#include "probe/privileges.hpp"
#include "probe/prober.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <system_error>

namespace pk::cli {

namespace {

struct RunOptions {
  bool once = false;
  std::optional<std::string> duration;
  std::optional<int> count;
};

Expected<void> run(const Context& ctx, const RunOptions& o) {
  collect::CollectOptions options;
  options.once = o.once;
  if (o.count) {
    if (*o.count < 1) return invalid_input("--count must be at least 1");
    options.count = *o.count;
  }
  auto duration = util::parse_optional_duration(o.duration);
  if (!duration) return std::unexpected(duration.error());
  if (*duration && **duration <= util::Micros::zero()) return invalid_input("--duration must be positive");
  options.duration = *duration;

  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  auto lock = collect::CollectorLock::acquire(db->path());
  if (!lock) return std::unexpected(lock.error());
  options.writer.lease_token = lock->token();
  auto prober = collect::open_prober(*db);
  if (!prober) return std::unexpected(prober.error());
  if (!o.once) {
    auto tracers = collect::open_path_tracers(*db);
    if (!tracers) return std::unexpected(tracers.error());
    options.tracers = std::move(*tracers);
  }
  // The sockets are open: give up what opened them (setcap / set-user-ID).
  if (auto dropped = probe::drop_privileges(); !dropped) return std::unexpected(dropped.error());

  const auto& stop = install_stop_signals();
  options.reload_requests = &reload_requests();
  options.flush_requests = &flush_requests();
  // `run -v | head`: when the reader goes, stop cleanly (everything stored) and quietly.
  ignore_sigpipe();
  bool output_closed = false;
  if (!o.once && ctx.format() == Format::table) {
    note(ctx.quiet, fmt::format("collecting into {} (Ctrl-C to stop)", db->path()));
  }
  collect::SampleObserver observer;
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  if (ctx.verbose > 0) {
    observer = [&](const core::Sample& s, const core::Target& t) {
      if (output_closed) return;
      try {
        if (ctx.format() == Format::json) {
          print_json_line(core::to_json(s, t.name));
        } else {
          fmt::print("{}  {}  {}  {}\n", util::format_table_time(s.ts, *zone, /*millis=*/true), t.name,
                     s.rtt ? fmt::format("{:.3f} ms", static_cast<double>(s.rtt->count()) / 1000.0) : "-",
                     core::to_string(s.status));
        }
        if (std::fflush(stdout) != 0) throw std::system_error(errno, std::generic_category());
      } catch (const std::system_error&) {
        output_closed = true;  // EPIPE: nobody reads any more
        request_stop();
      }
    };
  }
  collect::NoticeObserver notices = [](const collect::Notice& n) {
    fmt::print(stderr, "pingkeeper: warning: {}\n", n.message);
    std::fflush(stderr);
  };
  collect::Collector collector(*db, **prober, options);
  auto stats = collector.run(stop, observer, notices);
  if (!stats) return std::unexpected(stats.error());
  if (output_closed) {
    // The reader went away: nothing more to print; only a loss is worth an error.
    const auto& w = stats->writer;
    if (w.spooled > 0 || w.dropped > 0) {
      return make_error(ErrorKind::database, fmt::format("{} samples are not in the database", w.spooled + w.dropped));
    }
    return {};
  }
  if (const auto& failed = stats->maintenance.last_error) {
    // Collection went on; only the background rollup/prune failed (it is retried every round).
    fmt::print(stderr, "pingkeeper: warning: background rollup/prune failed: {}\n", failed->message);
  }
  if (ctx.format() == Format::json) {
    print_json({{"sent", stats->sent},
                {"answered", stats->answered},
                {"lost", stats->lost},
                {"stored", stats->stored},
                {"spooled", stats->writer.spooled},
                {"dropped", stats->writer.dropped},
                {"targets", stats->targets},
                {"traces", stats->path.stored},
                {"path_changes", stats->path.changes},
                {"trace_failures", stats->path.failed}});
  } else {
    note(ctx.quiet, fmt::format("{} targets: sent {}, answered {}, lost {}; stored {} samples", stats->targets,
                                stats->sent, stats->answered, stats->lost, stats->stored));
    if (stats->path.stored > 0 || stats->path.failed > 0) {
      note(ctx.quiet, fmt::format("path metric: stored {} traces, {} path changes, {} failed", stats->path.stored,
                                  stats->path.changes, stats->path.failed));
    }
  }
  if (const auto& failed = stats->path.last_error) {
    fmt::print(stderr, "pingkeeper: warning: {} traces failed, the last: {}\n", stats->path.failed, *failed);
  }
  const auto& w = stats->writer;
  if (w.spooled > 0 || w.dropped > 0) {
    return make_error(ErrorKind::database,
                      fmt::format("stored {} samples; {} are not in the database: {} wait in {}.spool (the next `run` "
                                  "stores them), {} were lost{}",
                                  w.committed, w.spooled + w.dropped, w.spooled, db->path(), w.dropped,
                                  w.last_error ? "; the last error: " + w.last_error->message : std::string()));
  }
  return {};
}

}  // namespace

void register_run(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("run", "Collect: probe every scheduled target and store each sample");
  auto o = std::make_shared<RunOptions>();
  cmd->add_flag("--once", o->once,
                "Probe every target whose schedule is active now once (or --count times), then exit (for cron)");
  cmd->add_option("--duration", o->duration, "Stop after this long, e.g. 10m")->option_text("DURATION");
  cmd->add_option("--count", o->count, "Probes per target, then stop")->option_text("N");
  cmd->footer(
      "Stops cleanly on SIGINT/SIGTERM (and when the reader of -v output goes away): probes in flight are\n"
      "awaited and every sample is stored. SIGHUP reloads targets and jobs at once; SIGUSR1 commits what waits.\n"
      "One collector per database: a second one exits 5 naming the first one's pid.\n"
      "Jobs with the path metric trace their targets every --path-every (ICMP targets with ICMP,\n"
      "TCP targets with TCP SYN to their port, UDP where that needs a privilege the collector lacks;\n"
      "raw tracer sockets are opened only when such a job exists at start). --once takes no traces.");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
}

}  // namespace pk::cli
