#include "app.hpp"

#include "context.hpp"

#include "query/check.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <exception>

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

// Errors may echo what was typed or read (a host, a line of a file): never a
// terminal escape, never a megabyte.
void print_error(std::string_view message) {
  fmt::print(stderr, "pingkeeper: error: {}\n", util::printable(message, 2000));
}

// A failure: the message, and the exit code for `kind`; under the Nagios
// convention (`check`) a status line on stdout too and always 3, UNKNOWN.
int fail(const Context& ctx, std::string_view message, ErrorKind kind) {
  print_error(message);
  if (!ctx.nagios) return exit_code(kind);
  fmt::print("{}\n", query::unknown_line(message));
  return 3;
}

// The innermost subcommand the parser had entered.
const CLI::App& deepest(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands()) return deepest(*sub);
  return app;
}

// Explains a parse error in the user's terms. CLI11 reports a missing
// subcommand or argument before an unknown word it could not place, so the
// unknown word, when there is one, is the better message.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ConfigError*>(&e) != nullptr) {
    constexpr std::string_view k_extras = "INI was not able to parse ";
    std::string_view what = e.what();
    if (what.starts_with(k_extras)) {
      return fmt::format("unknown setting \"{}\" in the --config file", what.substr(k_extras.size()));
    }
    return fmt::format("--config file: {}", what);
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    constexpr std::string_view k_prefix = "Could not convert: ";
    std::string_view what = e.what();
    auto eq = what.find(" = ");
    if (what.starts_with(k_prefix) && eq != std::string_view::npos) {
      auto name = what.substr(k_prefix.size(), eq - k_prefix.size());
      return fmt::format("invalid value \"{}\" for {}: expected a whole number", what.substr(eq + 3), name);
    }
    return e.what();
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) == nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) {
    return e.what();
  }
  const CLI::App& where = deepest(app);
  // With fallthrough, a word the subcommand could not place moves up to its parents.
  std::vector<std::string> extra;
  for (const auto* p = &where; p != nullptr && extra.empty(); p = p->get_parent()) extra = p->remaining(true);
  std::string path;
  for (const auto* p = &where; p != nullptr; p = p->get_parent())
    path.insert(0, (p == &app ? "" : " ") + p->get_name());
  if (extra.empty()) {
    if (where.get_require_subcommand_min() == 0 || !where.get_subcommands().empty()) return e.what();
    std::vector<std::string> names;
    for (const auto* sub : where.get_subcommands([](const CLI::App*) { return true; }))
      names.push_back(sub->get_name());
    return fmt::format("{} needs a command: {}", path, fmt::join(names, ", "));
  }
  const auto& word = extra.front();
  if (word.starts_with("-")) return fmt::format("unknown option \"{}\" for {}", word, path);
  if (where.get_require_subcommand_min() > 0) return fmt::format("unknown command \"{}\" for {}", word, path);
  return fmt::format("unexpected argument \"{}\" for {}", word, path);
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  ctx.raw_args.assign(argv + (argc > 0 ? 1 : 0), argv + argc);
  CLI::App app{"pingkeeper: network latency monitoring with an embedded SQLite store", "pingkeeper"};
  app.fallthrough();  // global options are accepted after the subcommand too
  app.require_subcommand(1);
  app.set_version_flag("--version", PK_VERSION);
  app.set_config("--config", "", "Read options from a TOML or INI file")->option_text("FILE");
  app.allow_config_extras(CLI::config_extras_mode::error);  // a typo in the file is an error
  app.footer(
      "Exit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 not found, 4 permission, 5 already running\n"
      "(check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).\n"
      "Database: --db, else $PINGKEEPER_DB, else " +
      default_db_path());

  app.add_option("--db", ctx.db_path, "SQLite database file (else $PINGKEEPER_DB, else --config's db)")
      ->option_text("PATH");
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
  register_ping(app, ctx);
  register_run(app, ctx);
  register_logs(app, ctx);
  register_maintain(app, ctx);
  register_stats(app, ctx);
  register_series(app, ctx);
  register_downtime(app, ctx);
  register_check(app, ctx);
  register_demo(app, ctx);
  register_export(app, ctx);
  register_traceroute(app, ctx);
  register_serve(app, ctx);

  if (argc <= 1) {
    print_error("a command is required");
    fmt::print(stderr, "{}", app.help());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    auto code = fail(ctx, parse_error_message(app, e), ErrorKind::invalid_input);
    fmt::print(stderr, "Run with --help for usage.\n");
    return code;
  }

  // Precedence: the command line, then the environment, then the config file.
  // (CLI11 would let the file beat the environment.)
  const bool db_on_command_line = std::any_of(ctx.raw_args.begin(), ctx.raw_args.end(), [](const std::string& a) {
    return a == "--db" || a.starts_with("--db=");
  });
  if (const char* env = std::getenv("PINGKEEPER_DB"); env != nullptr && *env != '\0' && !db_on_command_line) {
    ctx.db_path = env;
  }

  // A bad --tz is a usage error for every command, not only those that show
  // times. Only when given: loading the zone database costs ~7 ms, which
  // commands that show no time (traceroute, ping) need not pay.
  if (!ctx.tz.empty()) {
    if (auto zone = ctx.display_zone(); !zone) return fail(ctx, zone.error().message, ErrorKind::invalid_input);
  }

  try {
    if (!ctx.action) return 0;
    auto result = ctx.action();
    if (!result) return fail(ctx, result.error().message, result.error().kind);
    return ctx.exit_code;
  } catch (const std::exception& e) {
    return fail(ctx, fmt::format("internal error: {}", e.what()), ErrorKind::io);
  }
}

}  // namespace pk::cli
