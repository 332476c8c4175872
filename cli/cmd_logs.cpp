#include "context.hpp"
#include "output.hpp"
#include "signals.hpp"

#include "core/json.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"
#include "util/duration.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <set>
#include <thread>

namespace pk::cli {

namespace {

struct LogsOptions {
  std::string target;
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::optional<std::string> last;
  std::optional<std::int64_t> limit;
  bool follow = false;
};

constexpr std::int64_t k_default_limit = 100;
constexpr auto k_follow_poll = std::chrono::milliseconds{250};
// How far back --follow looks for samples stored late (the longest timeout
// plus a few writer batches).
constexpr util::Micros k_follow_lookback = core::k_max_timeout + std::chrono::seconds{5};

std::string rtt_text(const std::optional<util::Micros>& rtt) {
  return rtt ? fmt::format("{:.3f}", static_cast<double>(rtt->count()) / 1000.0) : "";
}

void print_samples(const Context& ctx, const core::Target& t, const std::vector<core::Sample>& samples,
                   const date::time_zone* zone) {
  if (ctx.format() == Format::json) {
    auto doc = core::Json::array();
    for (const auto& s : samples) doc.push_back(core::to_json(s, t.name));
    print_json(doc);
    return;
  }
  Table table;
  if (ctx.format() == Format::csv) {
    table.headers = {"target", "time", "rtt_ms", "status", "ttl", "detail"};
    for (const auto& s : samples) {
      table.rows.push_back({t.name, util::format_iso_utc(s.ts), rtt_text(s.rtt), std::string(core::to_string(s.status)),
                            s.ttl ? std::to_string(*s.ttl) : "", s.detail.value_or("")});
    }
    table.print_csv();
    return;
  }
  table.headers = {"TIME", "RTT_MS", "STATUS", "TTL", "DETAIL"};
  for (const auto& s : samples) {
    table.rows.push_back({util::format_table_time(s.ts, zone, /*millis=*/true), s.rtt ? rtt_text(s.rtt) : "-",
                          std::string(core::to_string(s.status)), s.ttl ? std::to_string(*s.ttl) : "-",
                          s.detail.value_or("")});
  }
  table.print_aligned();
}

Expected<void> logs(const Context& ctx, const LogsOptions& o) {
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  store::samples::Query q;
  if (o.last) {
    auto d = util::parse_duration(*o.last);
    if (!d) return std::unexpected(d.error());
    if (*d <= util::Micros{}) return invalid_input("--last must be more than 0");
    q.since = ctx.now - *d;
  }
  if (o.since) {
    auto t = util::parse_time_point(*o.since, ctx.now, *zone);
    if (!t) return std::unexpected(t.error());
    q.since = *t;
  }
  if (o.until) {
    auto t = util::parse_time_point(*o.until, ctx.now, *zone);
    if (!t) return std::unexpected(t.error());
    q.until = *t;
  }
  if (q.since && q.until && *q.since >= *q.until) return invalid_input("--since must be before --until");
  if (o.limit && *o.limit < 1) return invalid_input("--limit must be at least 1");
  if (o.follow && o.until) return invalid_input("--follow cannot be combined with --until");
  // Without a range, the newest samples, like tail(1).
  q.limit = o.limit ? o.limit : (q.since ? std::nullopt : std::optional<std::int64_t>{k_default_limit});
  q.newest_first = !q.since;

  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  auto target = store::targets::find(*db, o.target);
  if (!target) return std::unexpected(target.error());
  q.target_id = target->id;
  auto samples = store::samples::select(*db, q);
  if (!samples) return std::unexpected(samples.error());
  if (q.newest_first) std::reverse(samples->begin(), samples->end());

  if (!o.follow) {
    print_samples(ctx, *target, *samples, *zone);
    return {};
  }
  // --follow: NDJSON, one sample a line, until interrupted. A sample's time is
  // its send time, and a probe that times out is stored up to its timeout
  // plus a writer batch later, after newer samples: so each poll looks back
  // that far and skips what it already printed.
  const auto& stop = install_stop_signals();
  auto newest = samples->empty() ? ctx.now : samples->back().ts;
  // Nothing older than what the first listing covered is printed later.
  const auto start = q.since ? *q.since : samples->empty() ? ctx.now : samples->front().ts;
  std::set<util::SysMicros> printed;
  auto emit = [&](const std::vector<core::Sample>& batch) {
    for (const auto& s : batch) {
      if (!printed.insert(s.ts).second) continue;
      print_json_line(core::to_json(s, target->name));
      newest = std::max(newest, s.ts);
    }
    std::erase_if(printed, [&](util::SysMicros t) { return t < newest - k_follow_lookback; });
    std::fflush(stdout);
  };
  emit(*samples);
  const std::int64_t ids[] = {target->id};
  while (!stop.load()) {
    std::this_thread::sleep_for(k_follow_poll);
    auto floor = std::max(newest - k_follow_lookback, start - util::Micros{1});
    auto more = store::samples::after(*db, ids, floor, 100000);
    if (!more) return std::unexpected(more.error());
    emit(*more);
  }
  return {};
}

}  // namespace

void register_logs(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("logs", "Show a target's raw samples (the newest 100 unless --since or --limit)");
  auto o = std::make_shared<LogsOptions>();
  cmd->add_option("T", o->target, "Target name or id")->required();
  cmd->add_option("--since", o->since, "From this time (e.g. -1h, today, 2026-11-22T09:00)")->option_text("TIME");
  auto* until = cmd->add_option("--until", o->until, "Before this time (default: now)")->option_text("TIME");
  cmd->add_option("--last", o->last, "The last D up to now: --last 1h is --since -1h")
      ->option_text("D")
      ->excludes("--since")
      ->excludes(until);
  cmd->add_option("--limit", o->limit, "At most N samples")->option_text("N");
  cmd->add_flag("-f,--follow", o->follow, "Keep printing new samples as NDJSON until interrupted");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return logs(ctx, *o); }; });
}

}  // namespace pk::cli
