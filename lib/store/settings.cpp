#include "store/settings.hpp"

#include "store/db.hpp"

#include <fmt/format.h>

#include <charconv>

namespace pk::store::settings {

Expected<std::optional<std::string>> get(const Database& db, std::string_view key) {
  return guarded([&]() -> Expected<std::optional<std::string>> {
    auto st = db.prepare("SELECT value FROM settings WHERE key = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

Expected<void> set(const Database& db, std::string_view key, std::string_view value) {
  return guarded([&]() -> Expected<void> {
    db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)").bind(1, key).bind(2, value).run();
    return {};
  });
}

Expected<void> erase(const Database& db, std::string_view key) {
  return guarded([&]() -> Expected<void> {
    db.prepare("DELETE FROM settings WHERE key = ?1").bind(1, key).run();
    return {};
  });
}

Expected<std::optional<std::int64_t>> get_micros(const Database& db, std::string_view key) {
  auto text = get(db, key);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::nullopt;
  const auto& s = **text;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
    return make_error(ErrorKind::database, fmt::format("setting {} holds \"{}\", not a time in µs", key, s));
  }
  return v;
}

}  // namespace pk::store::settings
