#pragma once

#include "report/report.hpp"
#include "report/xlsx.hpp"
#include "report/xlsx_book.hpp"
#include "report/xlsx_sheet.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

// The sheets of an export workbook (report/xlsx.hpp), one writer each. Each
// adds its sheet(s) to the Book and writes them row by row.
namespace pk::report::xlsx {

// RTTs in ms to the µs, as `stats --json` gives them.
inline double ms(double us) { return std::round(us) / 1000.0; }
inline std::optional<double> ms(std::optional<double> us) { return us ? std::optional(ms(*us)) : std::nullopt; }

// Is a sheet with a header row full once `row` (its last data row) is written?
inline bool sheet_full(lxw_row_t row) { return static_cast<std::int64_t>(row) >= k_sheet_rows; }

// What the workbook leaves out (a sheet's rows or columns ran out), for the
// Summary's title block.
using Notes = std::vector<std::string>;

// The time of a target's first and last sample on the Samples sheets.
struct SampleSpan {
  std::optional<util::SysMicros> first;
  std::optional<util::SysMicros> last;
};

struct SamplesWritten {
  std::int64_t rows = 0;
  std::int64_t sheets = 0;
  std::vector<SampleSpan> spans;  // raw resolution: one per target in scope order; else empty
};

// "Samples", "Samples 2", ...: raw samples or buckets of request.resolution.
Expected<SamplesWritten> write_samples(Book& book, query::Reader& reader, const ExportRequest& request);

// Summary: the title block (with `notes`), then one row per target
// (query::stats). With spans (raw exports) the last columns are each
// target's first and last sample; without, its first and last answer.
Expected<void> write_summary(Sheet& sheet, const Formats& formats, query::Reader& reader, const ExportRequest& request,
                             std::span<const SampleSpan> spans, const Notes& notes);

// Downtime: one row per downtime period per target and exported period, as
// many as a sheet holds (else a note).
Expected<void> write_downtime(Book& book, query::Reader& reader, const ExportRequest& request, Notes& notes);

// Rows [first, last] of a sheet (0-based, below its header row).
struct RowRange {
  lxw_row_t first = 0;
  lxw_row_t last = 0;
};

// Hourly: one row per target and local hour with samples, as many as a
// sheet holds (else a note). Returns each target's rows (nullopt: none), for
// the charts.
inline constexpr const char* k_hourly_sheet = "Hourly";
inline constexpr lxw_col_t k_hourly_hour_col = 2;
inline constexpr lxw_col_t k_hourly_avg_col = 7;
inline constexpr lxw_col_t k_hourly_p95_col = 8;
Expected<std::vector<std::optional<RowRange>>> write_hourly(Book& book, query::Reader& reader,
                                                            const ExportRequest& request, Notes& notes);

// Daily: one row per local day with samples, a loss % column per target
// (column 1 + target index; as many as a sheet holds, else a note). Returns
// the day rows (nullopt: none).
inline constexpr const char* k_daily_sheet = "Daily";
Expected<std::optional<RowRange>> write_daily(Book& book, query::Reader& reader, const ExportRequest& request,
                                              Notes& notes);

// Charts: a line chart of hourly avg and p95 per target (of the first
// k_max_target_charts, those with hourly rows), a column chart of daily
// loss % (the first k_max_target_charts columns); notes when targets are
// left out or there is nothing to chart.
Expected<void> write_charts(Sheet& sheet, Book& book, const ExportRequest& request,
                            std::span<const std::optional<RowRange>> hourly, std::optional<RowRange> daily);

}  // namespace pk::report::xlsx
