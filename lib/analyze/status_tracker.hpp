#pragma once

#include "util/duration.hpp"
#include "util/time.hpp"

#include <optional>

namespace pk::analyze {

// Up/down of one target from its samples in time order, by the downtime
// rule (CLI.md): a target is down once a run of consecutive losses has
// lasted `min_downtime` (from its first loss to the latest); the next answer
// brings it up. A target starts up.
class StatusTracker {
 public:
  enum class Change { none, went_down, came_up };

  explicit StatusTracker(util::Micros min_downtime) : m_min_downtime(min_downtime) {}

  // Feeds one sample; returns the change it caused. Samples older than the
  // latest one fed are ignored (none).
  Change observe(util::SysMicros ts, bool answered);

  bool down() const { return m_down; }
  // The first loss of the current run of losses; nullopt when the last
  // sample answered.
  std::optional<util::SysMicros> loss_since() const { return m_loss_since; }

 private:
  util::Micros m_min_downtime;
  std::optional<util::SysMicros> m_latest;
  std::optional<util::SysMicros> m_loss_since;
  bool m_down = false;
};

}  // namespace pk::analyze
