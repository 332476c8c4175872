#include "serve/db_tailer.hpp"

#include "store/inventory.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <map>
#include <set>
#include <unordered_map>

namespace pk::serve {

namespace {
// A probe is stored at most its timeout plus a writer batch after it was sent.
constexpr util::Micros k_lookback = core::k_max_timeout + std::chrono::seconds{5};
constexpr std::int64_t k_max_rows_per_read = 200'000;
}  // namespace

Expected<std::unique_ptr<DbTailer>> DbTailer::start(const std::string& db_path, LiveFeed& feed,
                                                    std::chrono::milliseconds poll) {
  auto db = store::Database::open(db_path);
  if (!db) return std::unexpected(db.error());
  return std::unique_ptr<DbTailer>(new DbTailer(std::move(*db), feed, poll));
}

DbTailer::DbTailer(store::Database db, LiveFeed& feed, std::chrono::milliseconds poll)
    : m_db(std::move(db)), m_feed(feed), m_poll(poll), m_thread([this] { loop(); }) {}

DbTailer::~DbTailer() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
}

void DbTailer::loop() {
  std::unordered_map<std::int64_t, core::Target> targets;
  std::vector<std::int64_t> ids;
  std::set<std::pair<std::int64_t, util::SysMicros>> seen;
  std::optional<std::int64_t> version;
  std::optional<std::string> inventory;  // store::inventory::fingerprint when the targets were read
  bool first = true;      // what is stored at start is history, not news
  auto reload_targets = [&] {
    auto list = store::targets::list(m_db, true);
    if (!list) return;
    targets.clear();
    ids.clear();
    for (auto& t : *list) {
      ids.push_back(t.id);
      targets.emplace(t.id, std::move(t));
    }
  };
  while (!m_stop) {
    auto now_version = store::inventory::data_version(m_db);
    if (now_version && (!version || *now_version != *version)) {
      version = *now_version;
      // Most commits only add samples: the targets are read again only when
      // the inventory changed (as the collector tells them apart).
      if (auto now_inventory = store::inventory::fingerprint(m_db); now_inventory && *now_inventory != inventory) {
        inventory = std::move(*now_inventory);
        reload_targets();
      }
      auto floor = util::now_utc() - k_lookback;
      auto samples = store::samples::after(m_db, ids, floor, k_max_rows_per_read);
      if (samples) {
        for (const auto& s : *samples) {
          if (!seen.emplace(s.target_id, s.ts).second || first) continue;
          auto it = targets.find(s.target_id);
          if (it != targets.end()) m_feed.add(it->second, s);
        }
        std::erase_if(seen, [&](const auto& key) { return key.second < floor; });
        first = false;
      }
    }
    // Sleep in short steps so a stop is seen at once.
    for (auto left = m_poll; left.count() > 0 && !m_stop; left -= std::chrono::milliseconds{20}) {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds{20}));
    }
  }
}

}  // namespace pk::serve
