#include "context.hpp"
#include "output.hpp"
#include "progress_line.hpp"
#include "query_options.hpp"
#include "signals.hpp"

#include "query/export_rows.hpp"
#include "report/csv.hpp"
#include "report/xlsx.hpp"
#include "store/jobs.hpp"
#include "util/atomic_file.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <unistd.h>

namespace pk::cli {

namespace {

using namespace std::chrono_literals;

struct ExportOptions {
  std::vector<std::string> targets;
  std::optional<std::string> job;
  RangeOptions range;
  std::optional<std::string> format;
  std::string resolution = "auto";
  std::string output = "-";
  std::string min_duration = "30s";
  bool force = false;
  bool bom = false;
};

enum class FileFormat { csv, xlsx };

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), text.rbegin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// --format, or the output file's extension.
Expected<FileFormat> file_format(const ExportOptions& o) {
  if (o.format) {
    if (*o.format == "csv") return FileFormat::csv;
    if (*o.format == "xlsx") return FileFormat::xlsx;
    return invalid_input(fmt::format("invalid format \"{}\": expected csv or xlsx", *o.format));
  }
  if (ends_with(o.output, ".csv")) return FileFormat::csv;
  if (ends_with(o.output, ".xlsx")) return FileFormat::xlsx;
  return invalid_input("--format csv|xlsx is required (or an -o FILE ending in .csv or .xlsx)");
}

// Writes the export to `out` (a file or stdout).
Expected<report::ExportSummary> write(query::Reader& reader, const report::ExportRequest& request, FileFormat format,
                                      std::FILE* out, const std::string& path) {
  if (format == FileFormat::csv) return report::write_csv(reader, request, out);
  return report::write_xlsx(reader, request, path);
}

Expected<void> run_export(const Context& ctx, const ExportOptions& o) {
  if (auto ok = ctx.reject_bracket_lists("target", o.targets); !ok) return ok;
  auto format = file_format(o);
  if (!format) return std::unexpected(format.error());
  const bool to_stdout = o.output == "-";
  if (to_stdout && *format == FileFormat::xlsx && ::isatty(STDOUT_FILENO) == 1) {
    return invalid_input("an xlsx workbook is binary: write it with -o FILE, or redirect stdout to a file");
  }
  if (o.bom && *format != FileFormat::csv) return invalid_input("--bom applies to CSV only");
  auto zone = ctx.display_zone();
  if (!zone) return std::unexpected(zone.error());
  auto range = parse_range(ctx, o.range, 24h);
  if (!range) return std::unexpected(range.error());
  auto resolution = query::parse_resolution(o.resolution);
  if (!resolution) return std::unexpected(resolution.error());
  auto min_duration = util::parse_duration(o.min_duration);
  if (!min_duration) return std::unexpected(min_duration.error());
  if (*min_duration <= util::Micros{}) return invalid_input("--min-duration must be more than 0");

  report::ExportRequest request;
  std::tie(request.scope.from, request.scope.to) = *range;
  request.zone = *zone;
  request.generated = ctx.now;
  request.min_downtime = *min_duration;
  request.bom = o.bom;

  auto db = ctx.open_db();
  if (!db) return std::unexpected(db.error());
  if (o.job) {
    auto job = store::jobs::find(*db, *o.job);
    if (!job) return std::unexpected(job.error());
    request.scope.job = std::move(*job);
  }
  auto targets = query::resolve_targets(*db, o.targets, request.scope.job);
  if (!targets) return std::unexpected(targets.error());
  if (targets->empty()) return not_found("no targets to export (add one with `pingkeeper target add`)");
  request.scope.targets = std::move(*targets);
  auto periods = query::export_periods(request.scope);
  if (!periods) return std::unexpected(periods.error());
  request.periods = std::move(*periods);

  auto reader = query::Reader::open(*db);
  if (!reader) return std::unexpected(reader.error());
  if (*resolution) {
    request.resolution = **resolution;
  } else {
    auto picked = query::auto_resolution(*reader, request.scope, request.periods);
    if (!picked) return std::unexpected(picked.error());
    request.resolution = *picked;
  }
  const auto first = request.periods.empty() ? request.scope.from : request.periods.front().begin;
  if (auto ok = query::check_resolution(*reader, request.resolution, first); !ok) return ok;

  // Open the output before the work: a file that exists without --force, or
  // a directory that cannot be written, fails at once.
  std::optional<util::AtomicFile> file;
  std::optional<util::TempFile> scratch;
  if (!to_stdout) {
    auto created = util::AtomicFile::create(o.output, o.force);
    if (!created) return std::unexpected(created.error());
    file.emplace(std::move(*created));
  } else if (*format == FileFormat::xlsx) {
    auto created = util::TempFile::create();
    if (!created) return std::unexpected(created.error());
    scratch.emplace(std::move(*created));
  }

  if (request.scope.job && !ctx.quiet) {
    fmt::print(stderr, "pingkeeper: job {}: only samples inside its windows are exported ({} periods)\n",
               request.scope.job->name, request.periods.size());
  }
  const auto& stop = install_stop_signals();
  ProgressLine progress(!ctx.quiet && stderr_is_terminal());
  request.control.stop = &stop;
  if (progress.enabled()) {
    request.control.position = [&](const query::ExportPosition& at) {
      progress.show(fmt::format("pingkeeper: exporting {} of {} targets ({:.0f} %)", at.target_index + 1,
                                request.scope.targets.size(), 100.0 * report::progress_fraction(request, at)));
    };
  }

  std::FILE* out = file ? file->stream() : stdout;
  const std::string path = file ? file->temp_path() : scratch ? scratch->path() : std::string();
  auto written = write(*reader, request, *format, out, path);
  progress.clear();
  if (!written) return std::unexpected(written.error());
  // A stop during the last step (compressing a workbook) still discards it.
  if (auto go = query::check_stop(request.control); !go) return go;
  if (scratch) {
    if (auto copied = scratch->copy_to(stdout); !copied) return copied;
  }
  if (file) {
    if (auto committed = file->commit(); !committed) return committed;
  }

  const std::string where = to_stdout ? "stdout" : o.output;
  if (ctx.format() == Format::json && !to_stdout) {
    print_json({{"file", o.output},
                {"format", *format == FileFormat::csv ? "csv" : "xlsx"},
                {"resolution", analyze::to_string(request.resolution)},
                {"rows", written->rows},
                {"sample_sheets", written->sheets},
                {"targets", request.scope.targets.size()},
                {"job", request.scope.job ? core::Json(request.scope.job->name) : core::Json(nullptr)},
                {"from", util::format_iso_utc(request.scope.from)},
                {"to", util::format_iso_utc(request.scope.to)}});
  } else if (!ctx.quiet && !to_stdout) {
    note(false, fmt::format("wrote {} rows of {} for {} target{} to {}", written->rows,
                            report::describe_resolution(request.resolution), request.scope.targets.size(),
                            request.scope.targets.size() == 1 ? "" : "s", where));
  }
  return {};
}

}  // namespace

void register_export(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("export", "Export samples or rollups to CSV or an Excel workbook");
  auto o = std::make_shared<ExportOptions>();
  cmd->add_option("T", o->targets, "Target names or ids (default: every target, or the job's)");
  cmd->add_option("--job", o->job, "Only the samples inside this job's windows (and start/end)")->option_text("J");
  add_range_options(*cmd, o->range, "24h");
  cmd->add_option("--format", o->format, "csv or xlsx (default: from the -o file's extension)")
      ->option_text("csv|xlsx");
  cmd->add_option("--resolution", o->resolution,
                  "raw samples, or one row per 1m/1h/1d bucket (UTC-aligned); auto: the finest kept resolution "
                  "with at most 1,000,000 rows")
      ->option_text("raw|1m|1h|1d|auto")
      ->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write to FILE (default: CSV to stdout); written whole or not at all")
      ->option_text("FILE");
  cmd->add_flag("--force", o->force, "Overwrite FILE if it exists");
  cmd->add_flag("--bom", o->bom, "CSV: start with a UTF-8 byte order mark (for Excel on Windows)");
  cmd->add_option("--min-duration", o->min_duration, "xlsx: shortest run of losses counted as downtime (default 30s)")
      ->option_text("D");
  cmd->footer(
      "CSV columns (raw): target,host,time,rtt_ms,status,ttl; with a bucket resolution: target,host,time,sent,"
      "received,loss_pct,min_ms,avg_ms,max_ms,stddev_ms,median_ms,p95_ms,p99_ms,jitter_ms. Times are ISO 8601 in "
      "the display zone (--tz/--utc) with their offset; rtt_ms is empty for a lost probe.\n"
      "The workbook has the sheets Summary, Charts, Samples (Samples 2, ... past 1,048,575 rows), Downtime, "
      "Hourly and Daily.");
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_export(ctx, *o); }; });
}

}  // namespace pk::cli
