#include "context.hpp"
#include "output.hpp"

#include "store/migrations.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace pk::cli {

void register_init(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Create the database (or migrate it) and print where it is");
  cmd->callback([&ctx] {
    ctx.action = [&ctx]() -> Expected<void> {
      auto db = ctx.open_db();
      if (!db) return std::unexpected(db.error());
      if (ctx.format() == Format::json) {
        print_json({{"database", db->path()}, {"schema_version", db->user_version()}});
      } else {
        note(ctx.quiet, fmt::format("database {} is ready (schema version {})", db->path(), db->user_version()));
      }
      return {};
    };
  });
}

}  // namespace pk::cli
