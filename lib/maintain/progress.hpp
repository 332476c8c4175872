#pragma once

#include <functional>
#include <string_view>

namespace pk::maintain {

// Reports how far long maintenance work is: `stage` names it ("rollup 1m",
// "prune raw", "vacuum") and `fraction` runs from 0 to 1 within it. Called on
// the working thread; may be empty.
using Progress = std::function<void(std::string_view stage, double fraction)>;

}  // namespace pk::maintain
