#include "analyze/aggregate.hpp"

namespace pk::analyze {

void Aggregate::add(const core::Sample& sample) {
  if (sample.rtt) {
    add(std::optional<double>{static_cast<double>(sample.rtt->count())});
  } else {
    add(std::optional<double>{});
  }
  answers.add(sample.ts, core::answered(sample.status));
}

void Aggregate::add(std::optional<double> rtt_us) {
  summary.add(rtt_us);
  if (rtt_us) sketch.add(*rtt_us);
}

void Aggregate::merge_after(const Aggregate& later) {
  summary.merge_after(later.summary);
  sketch.merge(later.sketch);
  answers.merge_after(later.answers);
}

util::SysMicros floor_to(util::SysMicros t, util::Micros width) {
  auto us = t.time_since_epoch().count();
  auto w = width.count();
  auto r = us % w;
  if (r < 0) r += w;
  return util::SysMicros{util::Micros{us - r}};
}

util::SysMicros ceil_to(util::SysMicros t, util::Micros width) {
  auto f = floor_to(t, width);
  return f == t ? f : f + width;
}

}  // namespace pk::analyze
