#include "store/settings.hpp"

#include "store/db.hpp"

#include <fmt/format.h>

#include <chrono>

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

namespace {

using Days = std::chrono::days;

constexpr std::array<std::string_view, 4> k_retention_keys{"retention.raw", "retention.1m", "retention.1h",
                                                           "retention.1d"};

}  // namespace

Retention default_retention() { return {Days{30}, Days{90}, Days{1825}, std::nullopt}; }

Expected<Retention> retention(const Database& db) {
  auto keep = default_retention();
  for (std::size_t i = 0; i < k_retention_keys.size(); ++i) {
    auto text = get(db, k_retention_keys[i]);
    if (!text) return std::unexpected(text.error());
    if (!*text) continue;
    if (**text == "forever") {
      keep[i].reset();
      continue;
    }
    auto d = util::parse_duration(**text);
    if (!d || *d <= util::Micros::zero()) {
      return make_error(ErrorKind::database, fmt::format("setting {} holds \"{}\", not a duration or \"forever\"",
                                                         k_retention_keys[i], **text));
    }
    keep[i] = *d;
  }
  return keep;
}

Expected<void> set_retention(const Database& db, const Retention& keep) {
  return guarded([&]() -> Expected<void> {
    Transaction tx(db);
    auto st = db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");
    for (std::size_t i = 0; i < k_retention_keys.size(); ++i) {
      st.reset();
      st.bind(1, k_retention_keys[i]).bind(2, keep_text(keep[i])).run();
    }
    tx.commit();
    return {};
  });
}

std::string keep_text(std::optional<util::Micros> keep) {
  if (!keep) return "forever";
  constexpr util::Micros k_year = Days{365};
  if (*keep > util::Micros::zero() && *keep % k_year == util::Micros::zero()) return fmt::format("{}y", *keep / k_year);
  if (*keep > util::Micros::zero() && *keep % Days{1} == util::Micros::zero()) {
    return fmt::format("{}d", *keep / util::Micros{Days{1}});
  }
  return util::format_duration(*keep);
}

}  // namespace pk::store::settings
