#include "report/xlsx.hpp"

#include "report/xlsx_book.hpp"
#include "report/xlsx_sheets.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace pk::report {

namespace {

// Above this many estimated sample rows the zip container uses ZIP64
// extensions (needed past 4 GB; Excel 2007 cannot open them).
constexpr std::int64_t k_zip64_rows = 20'000'000;
// The comments property names at most this many targets.
constexpr std::size_t k_named_targets = 20;

// Rows the Samples sheets will about hold: the periods by the probe interval
// (or the resolution's bucket width when coarser).
std::int64_t estimated_rows(const ExportRequest& request) {
  util::Micros length{};
  for (const auto& p : request.periods) length += p.end - p.begin;
  std::int64_t rows = 0;
  for (const auto& t : request.scope.targets) {
    const auto step =
        std::max({query::probe_interval(request.scope, t), analyze::tier_width(request.resolution), util::Micros{1}});
    rows += length / step;
  }
  return rows;
}

// libxlsxwriter's row files go next to the output (a /tmp in RAM would hold
// the whole export).
std::string temp_dir_of(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

std::string describe_targets(const ExportRequest& request) {
  const auto& targets = request.scope.targets;
  std::string text = "Targets: ";
  for (std::size_t i = 0; i < std::min(targets.size(), k_named_targets); ++i) {
    if (i > 0) text += ", ";
    text += targets[i].name;
  }
  if (targets.size() > k_named_targets) text += fmt::format(" and {} more", targets.size() - k_named_targets);
  if (targets.empty()) text += "none";
  if (request.scope.job) text += fmt::format(". Job {}: only the samples inside its windows", request.scope.job->name);
  return text + ".";
}

Expected<void> set_properties(xlsx::Book& book, const ExportRequest& request) {
  std::string title = "pingkeeper latency report";
  std::string subject = fmt::format("{} to {} ({})", util::format_table_time(request.scope.from, request.zone),
                                    util::format_table_time(request.scope.to, request.zone), request.zone->name());
  std::string author = "pingkeeper";
  std::string comments = describe_targets(request);
  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.subject = subject.data();
  properties.author = author.data();
  properties.comments = comments.data();
  properties.created = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(request.generated));
  if (auto error = workbook_set_properties(book.get(), &properties); error != LXW_NO_ERROR) {
    return std::unexpected(xlsx::book_error("document properties", error));
  }
  return {};
}

}  // namespace

Expected<ExportSummary> write_xlsx(query::Reader& reader, const ExportRequest& request, const std::string& path) {
  if (!request.zone) return invalid_input("an export needs a display zone");
  auto book = xlsx::Book::open(path, temp_dir_of(path), estimated_rows(request) > k_zip64_rows);
  if (!book) return std::unexpected(book.error());
  // Sheet order: Summary, Charts, Samples..., Downtime, Hourly, Daily. In
  // constant-memory mode every sheet streams its rows to its own file, so
  // the Summary is written after the others (the Samples give its first and
  // last sample times, every sheet its notes) and the charts last, when the
  // rows they show are known.
  auto summary_sheet = book->add_sheet("Summary");
  if (!summary_sheet) return std::unexpected(summary_sheet.error());
  auto charts_sheet = book->add_sheet("Charts");
  if (!charts_sheet) return std::unexpected(charts_sheet.error());

  auto samples = xlsx::write_samples(*book, reader, request);
  if (!samples) return std::unexpected(samples.error());
  xlsx::Notes notes;
  if (auto ok = xlsx::write_downtime(*book, reader, request, notes); !ok) return std::unexpected(ok.error());
  auto hourly = xlsx::write_hourly(*book, reader, request, notes);
  if (!hourly) return std::unexpected(hourly.error());
  auto daily = xlsx::write_daily(*book, reader, request, notes);
  if (!daily) return std::unexpected(daily.error());
  if (auto go = query::check_stop(request.control); !go) return std::unexpected(go.error());
  xlsx::Sheet summary(*summary_sheet, "Summary");
  if (auto ok = xlsx::write_summary(summary, book->formats(), reader, request, samples->spans, notes); !ok) {
    return std::unexpected(ok.error());
  }
  xlsx::Sheet charts(*charts_sheet, "Charts");
  if (auto ok = xlsx::write_charts(charts, *book, request, *hourly, *daily); !ok) return std::unexpected(ok.error());
  if (auto ok = set_properties(*book, request); !ok) return std::unexpected(ok.error());
  if (auto ok = book->close(); !ok) return std::unexpected(ok.error());
  return ExportSummary{.rows = samples->rows, .sheets = samples->sheets};
}

}  // namespace pk::report
