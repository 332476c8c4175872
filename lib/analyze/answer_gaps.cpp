#include "analyze/answer_gaps.hpp"

#include <algorithm>

namespace pk::analyze {

void AnswerGaps::add(util::SysMicros ts, bool answered) {
  if (!answered) return;
  if (last) {
    max_gap = std::max(max_gap, ts - *last);
  } else {
    first = ts;
  }
  last = ts;
  ++count;
}

void AnswerGaps::merge_after(const AnswerGaps& later) {
  if (!later.any()) return;
  if (!any()) {
    *this = later;
    return;
  }
  max_gap = std::max(max_gap, later.max_gap);
  if (*later.first >= *last) max_gap = std::max(max_gap, *later.first - *last);
  first = std::min(*first, *later.first);
  last = std::max(*last, *later.last);
  count += later.count;
}

Expected<AnswerGaps> AnswerGaps::from_parts(std::int64_t count, std::optional<util::SysMicros> first,
                                            std::optional<util::SysMicros> last, util::Micros max_gap) {
  if (count < 0) return invalid_input("answer gaps: negative count");
  if (first.has_value() != (count > 0) || last.has_value() != (count > 0)) {
    return invalid_input("answer gaps: first and last answer must be set exactly when there are answers");
  }
  if (first && (*first > *last || (count == 1 && *first != *last))) {
    return invalid_input("answer gaps: first and last answer out of order");
  }
  const util::Micros span = first ? *last - *first : util::Micros{};
  if (max_gap < util::Micros{} || max_gap > span) return invalid_input("answer gaps: largest gap out of range");
  return AnswerGaps{count, first, last, max_gap};
}

}  // namespace pk::analyze
