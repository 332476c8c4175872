#include "analyze/status_tracker.hpp"

namespace pk::analyze {

StatusTracker::Change StatusTracker::observe(util::SysMicros ts, bool answered) {
  if (m_latest && ts < *m_latest) return Change::none;
  m_latest = ts;
  if (answered) {
    m_loss_since.reset();
    if (!m_down) return Change::none;
    m_down = false;
    return Change::came_up;
  }
  if (!m_loss_since) m_loss_since = ts;
  if (!m_down && ts - *m_loss_since >= m_min_downtime) {
    m_down = true;
    return Change::went_down;
  }
  return Change::none;
}

}  // namespace pk::analyze
