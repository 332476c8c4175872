#include "known_target.hpp"

#include "store/targets.hpp"

#include <filesystem>
#include <system_error>

namespace pk::cli {

Expected<std::optional<core::Target>> find_known_target(const Context& ctx, const std::string& host, bool open_anyway,
                                                        std::optional<store::Database>& db) {
  std::error_code ec;
  if (!open_anyway && !std::filesystem::exists(ctx.db_file(), ec)) return std::optional<core::Target>();
  auto opened = ctx.open_db();
  if (!opened) return std::unexpected(opened.error());
  db.emplace(std::move(*opened));
  auto t = store::targets::find(*db, host);
  if (t) return std::optional<core::Target>(std::move(*t));
  if (t.error().kind != ErrorKind::not_found) return std::unexpected(t.error());
  return std::optional<core::Target>();
}

}  // namespace pk::cli
