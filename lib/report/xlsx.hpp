#pragma once

#include "report/report.hpp"

#include <string>

// Excel workbooks, written natively with libxlsxwriter in constant-memory
// mode (rows are streamed to temporary files, never held):
//  Summary     title block (range, zone, job, resolution, generated), then one
//              row per target as `stats --json` gives it: sent, received,
//              loss %, min/avg/median/p95/p99/max, stddev, jitter, uptime %,
//              availability %, MOS, first and last sample (raw; first and
//              last answer for bucket exports); number formats, conditional
//              formatting on loss and p95, frozen header, autofilter; a note
//              when a sheet's rows or columns ran out.
//  Charts      a scatter (time axis) chart of hourly avg and p95 per target
//              (the first k_max_target_charts targets) and a column chart of
//              daily loss %.
//  Samples     raw samples (or buckets of the resolution), times as real Excel
//              date cells in the display zone; past 1,048,575 data rows the
//              rows go on "Samples 2", "Samples 3", ...
//  Downtime    one row per downtime period per target.
//  Hourly      one row per target and local hour with samples (stats --by 1h
//              from rollups).
//  Daily       one row per local day with samples, one loss % column per target.
// Downtime and Hourly stop at a sheet's rows, Daily at its columns. Document
// properties (title, subject, author, comments, created) are set.
namespace pk::report {

inline constexpr int k_max_target_charts = 20;
inline constexpr std::int64_t k_sheet_rows = 1'048'575;  // data rows below a header row

// Writes the workbook of `request` to `path` (created or truncated). On
// failure the file may be partial: callers write to a temporary file and
// rename it (util::AtomicFile).
Expected<ExportSummary> write_xlsx(query::Reader& reader, const ExportRequest& request, const std::string& path);

}  // namespace pk::report
