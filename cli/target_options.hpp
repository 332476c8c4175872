#pragma once

#include "core/target_options.hpp"

namespace CLI {
class App;
}

namespace pk::cli {

using core::TargetOptions;

enum class TargetCommand { add, edit, import };

// Adds the options that `which` accepts to `cmd`.
void add_target_options(CLI::App& cmd, TargetOptions& o, TargetCommand which);

}  // namespace pk::cli
