#pragma once

#include "store/db.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pk::cli {

enum class Format { table, json, csv };

// The default database path: $XDG_DATA_HOME/pingkeeper/pingkeeper.db, else
// ~/.local/share/pingkeeper/pingkeeper.db.
std::string default_db_path();

// Global options and the command chosen by parsing.
struct Context {
  std::string db_path;  // empty: the default path
  bool json = false;
  bool csv = false;
  bool utc = false;
  bool quiet = false;
  int verbose = 0;
  std::string tz;  // display zone; empty: local
  util::SysMicros now = util::now_utc();
  std::function<Expected<void>()> action;
  // The exit code when the action succeeds (check: its Nagios state).
  int exit_code = 0;
  // Set when `check` is being parsed: every failure, usage errors included,
  // is UNKNOWN (exit 3) with a "PINGKEEPER UNKNOWN - ..." line on stdout.
  bool nagios = false;
  std::vector<std::string> raw_args;  // argv as typed, after the program name

  Format format() const { return json ? Format::json : csv ? Format::csv : Format::table; }
  // The zone for displayed times: --utc, --tz, else the machine's zone.
  Expected<const date::time_zone*> display_zone() const;
  // CLI11 reads a word "[a,b]" given to a list of positionals as the two
  // values a and b. Hosts and names never hold brackets, so such a word is a
  // mistake ("[::1]"): invalid_input naming `what` when `values` came from one.
  Expected<void> reject_bracket_lists(std::string_view what, const std::vector<std::string>& values) const;
  // The database file: --db / $PINGKEEPER_DB / config, else the default path.
  std::string db_file() const { return db_path.empty() ? default_db_path() : db_path; }
  // Opens (creating and migrating if needed) the database.
  Expected<store::Database> open_db() const;
  // open_db for a command that changes the inventory or maintains the file:
  // first a quick_check of the small tables (targets, jobs, runs, settings),
  // of everything when `whole_if_small` and the file is under 256 MiB; a
  // damaged database is refused before anything is written.
  Expected<store::Database> open_db_to_change(bool whole_if_small = false) const;
};

// Command groups: each adds its subcommands to `app`; their callbacks set
// ctx.action.
void register_init(CLI::App& app, Context& ctx);
void register_target(CLI::App& app, Context& ctx);
void register_job(CLI::App& app, Context& ctx);
void register_ping(CLI::App& app, Context& ctx);
void register_run(CLI::App& app, Context& ctx);
void register_logs(CLI::App& app, Context& ctx);
void register_maintain(CLI::App& app, Context& ctx);
void register_stats(CLI::App& app, Context& ctx);
void register_series(CLI::App& app, Context& ctx);
void register_downtime(CLI::App& app, Context& ctx);
void register_check(CLI::App& app, Context& ctx);
void register_demo(CLI::App& app, Context& ctx);
void register_export(CLI::App& app, Context& ctx);
void register_traceroute(CLI::App& app, Context& ctx);
void register_serve(CLI::App& app, Context& ctx);

}  // namespace pk::cli
