#pragma once

#include "analyze/source.hpp"
#include "query/export_rows.hpp"
#include "query/reader.hpp"
#include "query/stats.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <cstdio>
#include <string>

namespace date {
class time_zone;
}

// Exports: CSV (report/csv.hpp) and Excel workbooks (report/xlsx.hpp) of what
// query::export_rows reads. Named report/ because `export` is a C++ keyword.
namespace pk::report {

// One export, fully resolved by the caller (cli/cmd_export, later serve).
struct ExportRequest {
  query::ExportScope scope;                                   // targets, optional job, [from, to)
  std::vector<core::Interval> periods;                        // query::export_periods(scope)
  analyze::Tier resolution = analyze::Tier::raw;              // raw samples, or one row per bucket of a tier
  const date::time_zone* zone = nullptr;                      // the display zone: times and date cells are local to it
  util::SysMicros generated{};                                // when the export was made (title block, properties)
  util::Micros min_downtime = query::k_default_min_downtime;  // downtime periods and availability
  bool bom = false;              // CSV: start with a UTF-8 byte order mark (Excel on Windows)
  query::StreamControl control;  // stop flag and progress
};

// What was written.
struct ExportSummary {
  std::int64_t rows = 0;    // data rows of samples or buckets (CSV: every row after the header)
  std::int64_t sheets = 0;  // XLSX: the "Samples" sheets used (0 for CSV)
};

// "raw samples", "1m buckets", "1h buckets", "1d buckets".
std::string describe_resolution(analyze::Tier resolution);

// A fraction 0..1 of the scope: how far `position` is through the targets
// and, within its target, through the periods' time (for progress lines).
double progress_fraction(const ExportRequest& request, const query::ExportPosition& position);

}  // namespace pk::report
