#include "query/check.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace pk::query {

namespace {

// A level for perfdata: "5", "2.5"; empty when not set.
std::string level(std::optional<double> v) { return v ? fmt::format("{}", *v) : ""; }

std::optional<double> to_ms(std::optional<util::Micros> d) {
  if (!d) return std::nullopt;
  return static_cast<double>(d->count()) / 1000.0;
}

std::string ms_value(std::optional<double> us) { return us ? fmt::format("{:.3f}ms", *us / 1000.0) : "U"; }

}  // namespace

std::string_view to_string(CheckState state) {
  switch (state) {
    case CheckState::ok: return "OK";
    case CheckState::warning: return "WARNING";
    case CheckState::critical: return "CRITICAL";
    case CheckState::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

Expected<double> parse_loss_level(std::string_view option, std::string_view text) {
  auto number = text.ends_with('%') ? text.substr(0, text.size() - 1) : text;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(value) ||
      value < 0 || value > 100 || !util::is_digit(number.front())) {
    return invalid_input(fmt::format(
        "invalid value \"{}\" for {}: expected a loss in percent from 0 to 100, e.g. 5 or 5%", text, option));
  }
  return value;
}

Expected<void> validate(const CheckThresholds& t) {
  if (t.warn_loss_pct && t.crit_loss_pct && *t.warn_loss_pct > *t.crit_loss_pct) {
    return invalid_input(fmt::format("--warn-loss {}% is above --max-loss {}%", *t.warn_loss_pct, *t.crit_loss_pct));
  }
  if (t.warn_p95 && t.crit_p95 && *t.warn_p95 > *t.crit_p95) {
    return invalid_input(fmt::format("--warn-p95 {} is above --max-p95 {}", util::format_duration(*t.warn_p95),
                                     util::format_duration(*t.crit_p95)));
  }
  return {};
}

CheckState evaluate(const Stats& stats, const CheckThresholds& t) {
  const auto& sum = stats.aggregate.summary;
  if (sum.sent() == 0) return CheckState::unknown;
  if (sum.received() == 0) return CheckState::critical;
  const double loss = *sum.loss_pct();
  const double p95 = stats.p95.value_or(0.0);
  auto above = [](double value, std::optional<double> limit) { return limit && value > *limit; };
  auto slower = [](double value_us, std::optional<util::Micros> limit) {
    return limit && value_us > static_cast<double>(limit->count());
  };
  if (above(loss, t.crit_loss_pct) || slower(p95, t.crit_p95)) return CheckState::critical;
  if (above(loss, t.warn_loss_pct) || slower(p95, t.warn_p95)) return CheckState::warning;
  return CheckState::ok;
}

Expected<CheckResult> check(Reader& reader, const core::Target& target, util::SysMicros from, util::SysMicros to,
                            const CheckThresholds& thresholds) {
  if (from >= to) return invalid_input("--since must be before now");
  StatsOptions options;
  options.availability = false;
  core::Interval whole{from, to};
  auto stats = target_stats(reader, target, from, to, std::span(&whole, 1), options);
  if (!stats) return std::unexpected(stats.error());
  const auto span = util::format_duration(std::chrono::round<std::chrono::seconds>(to - from));
  CheckResult r;
  r.state = evaluate(*stats, thresholds);
  const auto& sum = stats->aggregate.summary;
  if (r.state == CheckState::unknown) {
    r.line = unknown_line(fmt::format("{}: no samples in the last {}", target.name, span));
    return r;
  }
  const double loss = *sum.loss_pct();
  const auto p95_text = stats->p95 ? fmt::format("{:.1f} ms", *stats->p95 / 1000.0) : std::string("n/a");
  r.line = fmt::format(
      "PINGKEEPER {} - {}: loss {:.1f}%, p95 {} ({} probes in {}) | loss={:.1f}%;{};{};0;100 "
      "p95={};{};{} rta={}",
      to_string(r.state), target.name, loss, p95_text, sum.sent(), span, loss, level(thresholds.warn_loss_pct),
      level(thresholds.crit_loss_pct), ms_value(stats->p95), level(to_ms(thresholds.warn_p95)),
      level(to_ms(thresholds.crit_p95)), ms_value(sum.mean()));
  return r;
}

std::string unknown_line(std::string_view why) { return fmt::format("PINGKEEPER UNKNOWN - {}", why); }

}  // namespace pk::query
