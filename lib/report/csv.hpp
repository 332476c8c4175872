#pragma once

#include "report/report.hpp"

#include <cstdio>
#include <string>
#include <vector>

// CSV exports (RFC 4180: CRLF line endings, a header row, fields quoted when
// they need it), streamed in constant memory.
//
// Raw:    target,host,time,rtt_ms,status,ttl
// Tiers:  target,host,time,sent,received,loss_pct,min_ms,avg_ms,max_ms,
//         stddev_ms,median_ms,p95_ms,p99_ms,jitter_ms
// time is ISO 8601 with the display zone's offset and microseconds
// (2026-11-22T09:00:00.123456+01:00; a bucket's start for tiers); rtt_ms and
// the other ms columns have microsecond precision (3 decimals), empty when
// there is no value (a lost probe, a bucket without answers); ttl is empty
// when unknown; status is core::to_string (ok, timeout, unreachable, ...).
namespace pk::report {

// The header fields for a resolution.
std::vector<std::string> csv_header(analyze::Tier resolution);

// Writes the CSV of `request` to `out` (not closed; flushed). An io error
// when writing fails (disk full, closed pipe).
Expected<ExportSummary> write_csv(query::Reader& reader, const ExportRequest& request, std::FILE* out);

}  // namespace pk::report
