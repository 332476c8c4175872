#include "context.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <filesystem>

#include <algorithm>
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

Expected<void> Context::reject_bracket_lists(std::string_view what, const std::vector<std::string>& values) const {
  for (const auto& raw : raw_args) {
    if (raw.size() < 2 || raw.front() != '[' || raw.back() != ']') continue;
    for (auto part : util::split(std::string_view(raw).substr(1, raw.size() - 2), ',')) {
      if (std::find(values.begin(), values.end(), util::trim(part)) != values.end()) {
        return invalid_input(
            fmt::format("invalid {} \"{}\": write each without brackets, separated by spaces "
                        "(an IPv6 address as ::1)",
                        what, raw));
      }
    }
  }
  return {};
}

Expected<store::Database> Context::open_db() const {
  const std::string path = db_file();
  if (verbose > 0) fmt::print(stderr, "pingkeeper: database {}\n", path);
  // The default folder is ours to create; a folder the user named must exist.
  return store::Database::open(path, /*create_dirs=*/db_path.empty());
}

Expected<store::Database> Context::open_db_to_change(bool whole_if_small) const {
  auto db = open_db();
  if (!db) return db;
  constexpr std::uintmax_t k_small = std::uintmax_t{256} << 20;
  std::error_code ec;
  const auto size = std::filesystem::file_size(db->path(), ec);
  if (whole_if_small && !ec && size < k_small) {
    if (auto ok = store::quick_check(*db); !ok) return std::unexpected(ok.error());
    return db;
  }
  static constexpr std::string_view k_small_tables[] = {"targets", "jobs", "job_targets", "job_runs", "settings"};
  if (auto ok = store::quick_check(*db, k_small_tables); !ok) return std::unexpected(ok.error());
  return db;
}

}  // namespace pk::cli
