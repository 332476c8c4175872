#pragma once

#include "core/target.hpp"
#include "query/reader.hpp"
#include "query/stats.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pk::query {

// Nagios plugin states; the values are the exit codes.
enum class CheckState { ok = 0, warning = 1, critical = 2, unknown = 3 };
std::string_view to_string(CheckState state);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"

// Alert when the loss (%) or the p95 RTT exceeds a level; a value equal to
// the level is still fine (Nagios: alert outside 0..level).
struct CheckThresholds {
  std::optional<double> warn_loss_pct;
  std::optional<double> crit_loss_pct;
  std::optional<util::Micros> warn_p95;
  std::optional<util::Micros> crit_p95;
};

// A loss level: "5" or "5%" (0..100, decimals allowed). invalid_input names
// the option and the text.
Expected<double> parse_loss_level(std::string_view option, std::string_view text);

// invalid_input when a warning level is above its critical level.
Expected<void> validate(const CheckThresholds& thresholds);

// The state for statistics of a check's range: UNKNOWN when nothing was
// sent; CRITICAL when every probe was lost (with or without thresholds) or a
// critical level is exceeded; WARNING when a warning level is exceeded; else
// OK.
CheckState evaluate(const Stats& stats, const CheckThresholds& thresholds);

struct CheckResult {
  CheckState state = CheckState::unknown;
  // The plugin output: "PINGKEEPER OK - lo: loss 0.0%, p95 12.3 ms (300
  // probes in 5m) | loss=0.0%;5;10;0;100 p95=12.345ms;100;150 rta=11.002ms"
  // (empty warn/crit fields when not set; U for a value that could not be
  // determined).
  std::string line;
};

// Checks `target` over [from, to): raw samples (exact p95) for short ranges,
// see query::target_stats. invalid_input when from >= to.
Expected<CheckResult> check(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                            const CheckThresholds& thresholds);

// The output line for a check that could not run (state UNKNOWN).
std::string unknown_line(std::string_view why);

}  // namespace pk::query
