#include "query/export_rows.hpp"
#include "query/scope.hpp"
#include "report/csv.hpp"
#include "report/report.hpp"
#include "report/xlsx.hpp"
#include "serve/v1_params.hpp"
#include "serve/v1_routes.hpp"
#include "store/jobs.hpp"
#include "util/atomic_file.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

// GET /export?format=csv|xlsx&target&job&since&until&last&resolution
// &min_duration&tz&bom: what `pingkeeper export` writes, as a download.
namespace pk::serve::v1 {

namespace {

using namespace std::chrono_literals;

enum class FileFormat { csv, xlsx };

// "20260302T000000Z" for file names.
std::string stamp(util::SysMicros t) {
  return date::format("%Y%m%dT%H%M%SZ", std::chrono::time_point_cast<std::chrono::seconds>(t));
}

// Writes the export into a scratch file and hands it over.
Reply<std::string> write(query::Reader& reader, const report::ExportRequest& request, FileFormat format) {
  auto scratch = util::TempFile::create();
  if (!scratch) return fail(scratch.error());
  if (format == FileFormat::xlsx) {
    auto written = report::write_xlsx(reader, request, scratch->path());
    if (!written) return fail(written.error());
    return scratch->release();
  }
  std::FILE* out = std::fopen(scratch->path().c_str(), "wb");
  if (out == nullptr) return fail(500, "internal error: the export could not be written");
  auto written = report::write_csv(reader, request, out);
  const bool closed = std::fclose(out) == 0;
  if (!written) return fail(written.error());
  if (!closed) return fail(500, "internal error: the export could not be written");
  return scratch->release();
}

Response export_file(const Request& r, ServeState& state) {
  const auto format_text = r.query_param("format").value_or("csv");
  if (format_text != "csv" && format_text != "xlsx") {
    return error_response(422, fmt::format("query parameter 'format' must be csv or xlsx, not \"{}\"", format_text));
  }
  const auto format = format_text == "csv" ? FileFormat::csv : FileFormat::xlsx;
  auto zone = zone_param(r);
  if (!zone) return zone.error();
  auto range = range_param(r, state.clock(), *zone, 24h);
  if (!range) return range.error();
  auto resolution = query::parse_resolution(r.query_param("resolution").value_or("auto"));
  if (!resolution)
    return error_response(422, fmt::format("query parameter 'resolution': {}", resolution.error().message));
  auto min_duration = duration_param(r, "min_duration");
  if (!min_duration) return min_duration.error();
  if (*min_duration && **min_duration <= util::Micros{}) {
    return error_response(422, "query parameter 'min_duration' must be more than 0");
  }
  const auto bom = r.query_param("bom");
  if (bom && format != FileFormat::csv) return error_response(422, "query parameter 'bom' applies to CSV only");

  report::ExportRequest request;
  std::tie(request.scope.from, request.scope.to) = *range;
  request.zone = *zone;
  request.generated = state.clock();
  request.min_downtime = min_duration->value_or(query::k_default_min_downtime);
  request.bom = bom && *bom != "false" && *bom != "0";

  auto db = open_db(state);
  if (!db) return db.error();
  if (auto job = r.query_param("job")) {
    auto found = store::jobs::find(**db, *job);
    if (!found) return error_response(found.error());
    request.scope.job = std::move(*found);
  }
  auto targets = query::resolve_targets(**db, list_param(r, "target"), request.scope.job);
  if (!targets) return error_response(targets.error());
  if (targets->empty()) return error_response(404, "no targets to export");
  request.scope.targets = std::move(*targets);
  auto periods = query::export_periods(request.scope);
  if (!periods) return error_response(periods.error());
  request.periods = std::move(*periods);

  auto reader = query::Reader::open(**db);
  if (!reader) return error_response(reader.error());
  if (*resolution) {
    request.resolution = **resolution;
  } else {
    auto picked = query::auto_resolution(*reader, request.scope, request.periods);
    if (!picked) return error_response(picked.error());
    request.resolution = *picked;
  }
  const auto first = request.periods.empty() ? request.scope.from : request.periods.front().begin;
  if (auto ok = query::check_resolution(*reader, request.resolution, first); !ok) return error_response(ok.error());

  auto path = write(*reader, request, format);
  if (!path) return path.error();
  const std::string name = fmt::format("pingkeeper-{}-{}.{}", stamp(request.scope.from), stamp(request.scope.to),
                                       format == FileFormat::csv ? "csv" : "xlsx");
  Response out;
  out.content_type = format == FileFormat::csv ? "text/csv; charset=utf-8"
                                               : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  out.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
  out.file = std::move(*path);
  out.delete_file = true;
  return out;
}

}  // namespace

void add_export_routes(Router& router) { router.add(Method::get, std::string(k_v1) + "/export", slow(takes({"format", "tz", "since", "until", "last", "resolution", "min_duration", "bom", "job", "target"}, export_file))); }

}  // namespace pk::serve::v1
