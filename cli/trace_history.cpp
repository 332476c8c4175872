#include "trace_history.hpp"

#include "output.hpp"

#include "analyze/path.hpp"
#include "core/json.hpp"
#include "store/traces.hpp"

#include <fmt/format.h>

#include <chrono>

namespace pk::cli {

namespace {

std::string probe_label(const core::Trace& t) {
  if (t.method == core::TraceMethod::icmp) return "icmp";
  return fmt::format("{}/{}", core::to_string(t.method), t.port);
}

}  // namespace

Expected<void> print_trace_history(const Context& ctx, const core::Target& target,
                                   std::optional<util::SysMicros> since) {
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  auto traces = store::traces::list(*db, {target.id, since, std::nullopt, std::nullopt});
  if (!traces) return std::unexpected(traces.error());

  if (ctx.format() == Format::json) {
    core::Json doc = core::Json::array();
    for (const auto& t : *traces) doc.push_back(core::to_json(t));
    print_json(doc);
    return {};
  }
  Table table;
  const bool csv = ctx.format() == Format::csv;
  table.headers =
      csv ? std::vector<std::string>{"id",          "started_at",   "probe",     "port", "hops",  "reached",
                                     "duration_ms", "path_changed", "path_hash", "path", "job_id"}
          : std::vector<std::string>{"ID", "TIME", "PROBE", "HOPS", "REACHED", "DURATION", "CHANGED", "PATH"};
  int changes = 0;
  for (const auto& t : *traces) {
    const std::string path = analyze::path_text(analyze::path_signature(t));
    const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(t.duration);
    changes += t.path_changed ? 1 : 0;
    if (csv) {
      table.rows.push_back(
          {std::to_string(t.id), util::format_iso_utc(t.started_at), std::string(core::to_string(t.method)),
           t.method == core::TraceMethod::icmp ? "" : std::to_string(t.port), std::to_string(t.hop_count),
           t.reached ? "true" : "false", std::to_string(duration.count()), t.path_changed ? "true" : "false",
           t.path_hash, path, t.job_id ? std::to_string(*t.job_id) : ""});
    } else {
      table.rows.push_back({std::to_string(t.id), util::format_table_time(t.started_at, *zone), probe_label(t),
                            std::to_string(t.hop_count), t.reached ? "yes" : "no",
                            fmt::format("{:.1f} ms", static_cast<double>(t.duration.count()) / 1000.0),
                            t.path_changed ? "changed" : "", path});
    }
  }
  if (csv) {
    table.print_csv();
    return {};
  }
  if (!table.rows.empty()) table.print_aligned();
  note(ctx.quiet, fmt::format("{}: {} trace{}, {} path change{}{}", target.name, traces->size(),
                              traces->size() == 1 ? "" : "s", changes, changes == 1 ? "" : "s",
                              since ? fmt::format(" since {}", util::format_table_time(*since, *zone)) : ""));
  return {};
}

}  // namespace pk::cli
