#include "app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>

#include "context.hpp"

namespace pk::cli {

namespace {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return 2;
    case ErrorKind::not_found: return 3;
    case ErrorKind::permission: return 4;
    case ErrorKind::busy: return 5;
    case ErrorKind::io:
    case ErrorKind::database: break;
  }
  return 1;
}

void print_error(std::string_view message) { fmt::print(stderr, "pingkeeper: error: {}\n", message); }

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  CLI::App app{"pingkeeper: network latency monitoring with an embedded SQLite store", "pingkeeper"};
  app.fallthrough();  // global options are accepted after the subcommand too
  app.require_subcommand(1);
  app.set_version_flag("--version", PK_VERSION);
  app.set_config("--config", "", "Read options from a TOML or INI file")->option_text("FILE");
  app.footer(
      "Exit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 not found, 4 permission, 5 already running.\n"
      "Database: --db, else $PINGKEEPER_DB, else " +
      default_db_path());

  app.add_option("--db", ctx.db_path, "SQLite database file")->envname("PINGKEEPER_DB")->option_text("PATH");
  auto* json = app.add_flag("--json", ctx.json, "Print one JSON document");
  app.add_flag("--csv", ctx.csv, "Print CSV (RFC 4180) with a header row")->excludes(json);
  auto* utc = app.add_flag("--utc", ctx.utc, "Show times in UTC");
  app.add_option("--tz", ctx.tz, "Show times in this IANA time zone (default: local)")
      ->option_text("ZONE")
      ->excludes(utc);
  app.add_flag("-q,--quiet", ctx.quiet, "Print nothing on success except requested data");
  app.add_flag("-v,--verbose", ctx.verbose, "More detail (repeatable)");

  register_init(app, ctx);
  register_target(app, ctx);
  register_job(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    fmt::print(stderr, "Run with --help for usage.\n");
    return 2;
  }

  try {
    if (!ctx.action) return 0;
    auto result = ctx.action();
    if (!result) {
      print_error(result.error().message);
      return exit_code(result.error().kind);
    }
    return 0;
  } catch (const std::exception& e) {
    print_error(fmt::format("internal error: {}", e.what()));
    return 1;
  }
}

}  // namespace pk::cli
