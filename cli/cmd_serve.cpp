#include "context.hpp"
#include "output.hpp"
#include "signals.hpp"

#include "probe/privileges.hpp"
#include "serve/security.hpp"
#include "serve/server.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace pk::cli {

namespace {

struct ServeCliOptions {
  std::string listen = "127.0.0.1:8080";
  std::optional<std::string> token_file;
  bool token_reads = false;
  std::vector<std::string> cors;
  bool read_only = false;
  bool no_collect = false;
  bool insecure = false;
  int threads = 2;
  std::size_t max_clients = 20000;
  std::size_t ws_queue = 1024;
};

Expected<void> serve(const Context& ctx, const ServeCliOptions& o) {
  serve::ServeOptions options;
  options.db_path = ctx.db_file();
  options.listen = o.listen;
  if (o.token_file) {
    auto tokens = serve::read_token_file(*o.token_file);
    if (!tokens) return std::unexpected(tokens.error());
    options.tokens = std::move(*tokens);
  }
  options.token_reads = o.token_reads;
  options.cors_origins = o.cors;
  options.read_only = o.read_only;
  options.collect = !o.no_collect;
  options.insecure = o.insecure;
  options.threads = o.threads;
  options.max_ws_clients = o.max_clients;
  if (o.ws_queue < 1) return invalid_input("--ws-queue must be at least 1");
  options.ws_queue_limit = o.ws_queue;
  if (auto ok = serve::validate(options); !ok) return ok;

  const auto& stop = install_stop_signals();
  options.reload_requests = &reload_requests();
  options.flush_requests = &flush_requests();
  return serve::run(
      std::move(options), stop, [] { return probe::drop_privileges(); },
      [&](const serve::ServeReady& ready) {
        if (ctx.format() == Format::json) {
          print_json_line({{"url", ready.url}, {"collecting", ready.collecting}});
        } else {
          note(ctx.quiet, fmt::format("serving {} ({}; Ctrl-C to stop)", ready.url,
                                      ready.collecting ? "collecting" : "not collecting: --no-collect"));
        }
        std::fflush(stdout);
      });
}

}  // namespace

void register_serve(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("serve", "Serve the data over HTTP and WebSocket (and collect, unless --no-collect)");
  auto o = std::make_shared<ServeCliOptions>();
  cmd->add_option("--listen", o->listen, "Address and port to listen on; port 0 picks a free one")
      ->option_text("ADDR:PORT")
      ->default_str("127.0.0.1:8080");
  cmd->add_option("--token-file", o->token_file,
                  "Bearer tokens, one per line: required for every request that changes something")
      ->option_text("FILE");
  cmd->add_flag("--token-reads", o->token_reads, "Require a token for reads too");
  cmd->add_option("--cors-origin", o->cors, "Allow this browser origin (repeatable; * for any)")->option_text("ORIGIN");
  cmd->add_flag("--read-only", o->read_only, "Refuse every request that would change something (403)");
  cmd->add_flag("--no-collect", o->no_collect,
                "Do not probe: serve what another `pingkeeper run` stores (live updates still flow)");
  cmd->add_flag("--insecure", o->insecure, "Allow a non-loopback --listen without --token-file");
  cmd->add_option("--threads", o->threads, "I/O threads")->option_text("N")->default_str("2");
  cmd->add_option("--max-clients", o->max_clients, "WebSocket connections at most; more are refused (503)")
      ->option_text("N")
      ->default_str("20000");
  cmd->add_option("--ws-queue", o->ws_queue,
                  "Messages a WebSocket client may leave unread before it is closed (1008) as too slow")
      ->option_text("N")
      ->default_str("1024");
  cmd->footer(
      "Seed-compatible API under /api (ping-metrics, health, ws/ping-status), native API under /api/v1\n"
      "(GET /api/openapi.json), Prometheus metrics at /metrics. Stops cleanly on SIGINT/SIGTERM:\n"
      "WebSockets are closed with 1001 and every collected sample is stored.");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return serve(ctx, *o); }; });
}

}  // namespace pk::cli
