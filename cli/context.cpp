#include "context.hpp"

#include <cstdlib>

namespace pk::cli {

std::string default_db_path() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg == '/') {
    return std::string(xdg) + "/pingkeeper/pingkeeper.db";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.local/share/pingkeeper/pingkeeper.db";
}

Expected<const date::time_zone*> Context::display_zone() const {
  if (utc) return util::locate_zone("UTC");
  if (!tz.empty()) return util::locate_zone(tz);
  return util::local_zone();
}

Expected<store::Database> Context::open_db() const {
  if (db_path.empty()) return store::Database::open(default_db_path(), /*create_dirs=*/true);
  return store::Database::open(db_path);
}

}  // namespace pk::cli
