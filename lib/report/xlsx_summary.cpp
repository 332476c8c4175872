#include "report/xlsx_sheets.hpp"
#include "util/local_clock.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>

namespace pk::report::xlsx {

namespace {

constexpr lxw_row_t k_notes_row = 8;
constexpr lxw_row_t k_header_row = 9;  // below the title block
constexpr lxw_col_t k_loss_col = 4;
constexpr lxw_col_t k_p95_col = 8;

// The last two columns' names depend on what gives them (see write_summary).
constexpr std::array k_columns{
    Column{"Target", 18},       Column{"Host", 24},        Column{"Sent", 10},           Column{"Received", 10},
    Column{"Loss %", 8},        Column{"Min ms", 9},       Column{"Avg ms", 9},          Column{"Median ms", 9},
    Column{"p95 ms", 9},        Column{"p99 ms", 9},       Column{"Max ms", 9},          Column{"Stddev ms", 9},
    Column{"Jitter ms", 9},     Column{"Uptime %", 9},     Column{"Availability %", 12}, Column{"MOS", 6},
    Column{"First sample", 24}, Column{"Last sample", 24},
};

std::string describe_job(const ExportRequest& request) {
  if (!request.scope.job) return "all samples (no job)";
  return fmt::format("{}: only the samples inside its windows are counted", request.scope.job->name);
}

void write_title_block(Sheet& sheet, const Formats& f, const ExportRequest& request) {
  util::LocalClock clock(request.zone);
  sheet.text(0, 0, "pingkeeper latency report", f.title);
  sheet.text(1, 0, "From", f.label);
  sheet.number(1, 1, clock.excel_serial(request.scope.from), f.time);
  sheet.text(2, 0, "To", f.label);
  sheet.number(2, 1, clock.excel_serial(request.scope.to), f.time);
  sheet.text(3, 0, "Time zone", f.label);
  sheet.text(3, 1, request.zone->name());
  sheet.text(4, 0, "Job", f.label);
  sheet.text(4, 1, describe_job(request));
  sheet.text(5, 0, "Samples sheet", f.label);
  sheet.text(5, 1, describe_resolution(request.resolution));
  sheet.text(6, 0, "Targets", f.label);
  sheet.number(6, 1, static_cast<double>(request.scope.targets.size()));
  sheet.text(7, 0, "Generated", f.label);
  sheet.number(7, 1, clock.excel_serial(request.generated), f.time);
}

void add_conditional_formats(Sheet& sheet, const Formats& f, lxw_row_t first, lxw_row_t last) {
  lxw_conditional_format alarm{};
  alarm.type = LXW_CONDITIONAL_TYPE_CELL;
  alarm.criteria = LXW_CONDITIONAL_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
  alarm.value = 5;
  alarm.format = f.alarm;
  sheet.keep(worksheet_conditional_format_range(sheet.get(), first, k_loss_col, last, k_loss_col, &alarm));
  lxw_conditional_format warning = alarm;
  warning.value = 1;
  warning.format = f.warning;
  sheet.keep(worksheet_conditional_format_range(sheet.get(), first, k_loss_col, last, k_loss_col, &warning));

  lxw_conditional_format scale{};
  scale.type = LXW_CONDITIONAL_3_COLOR_SCALE;
  scale.min_color = 0x63BE7B;  // green: the fastest p95
  scale.mid_color = 0xFFEB84;
  scale.max_color = 0xF8696B;  // red: the slowest
  sheet.keep(worksheet_conditional_format_range(sheet.get(), first, k_p95_col, last, k_p95_col, &scale));
}

}  // namespace

Expected<void> write_summary(Sheet& sheet, const Formats& f, query::Reader& reader, const ExportRequest& request,
                             std::span<const SampleSpan> spans, const Notes& notes) {
  // Printed (or made a PDF) in landscape, one page wide, to hand on.
  worksheet_set_landscape(sheet.get());
  worksheet_fit_to_pages(sheet.get(), 1, 0);
  write_title_block(sheet, f, request);
  for (std::size_t i = 0; i < notes.size(); ++i) sheet.text(k_notes_row, static_cast<lxw_col_t>(i), notes[i], f.note);
  query::StatsQuery q{.targets = request.scope.targets,
                      .job = request.scope.job,
                      .from = request.scope.from,
                      .to = request.scope.to,
                      .by = std::nullopt,
                      .zone = request.zone,
                      .options = {.min_downtime = request.min_downtime}};
  auto rows = query::stats(reader, q);
  if (!rows) return std::unexpected(rows.error());

  auto columns = k_columns;
  if (spans.empty()) {
    columns[16].name = "First answer";
    columns[17].name = "Last answer";
  }
  sheet.header(k_header_row, columns, f.header);
  util::LocalClock clock(request.zone);
  auto row = k_header_row;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& s = (*rows)[i];
    const auto& sum = s.aggregate.summary;
    ++row;
    sheet.text(row, 0, s.target);
    sheet.text(row, 1, s.host);
    sheet.number(row, 2, static_cast<double>(sum.sent()), f.count);
    sheet.number(row, 3, static_cast<double>(sum.received()), f.count);
    sheet.number(row, 4, sum.loss_pct(), f.pct);
    sheet.number(row, 5, ms(sum.min()), f.ms);
    sheet.number(row, 6, ms(sum.mean()), f.ms);
    sheet.number(row, 7, ms(s.median), f.ms);
    sheet.number(row, 8, ms(s.p95), f.ms);
    sheet.number(row, 9, ms(s.p99), f.ms);
    sheet.number(row, 10, ms(sum.max()), f.ms);
    sheet.number(row, 11, ms(sum.stddev()), f.ms);
    sheet.number(row, 12, ms(sum.jitter()), f.ms);
    sheet.number(row, 13, s.uptime_pct(), f.pct);
    sheet.number(row, 14, s.availability_pct, f.pct);
    sheet.number(row, 15, s.mos(), f.mos);
    const auto span = spans.empty()      ? SampleSpan{s.aggregate.answers.first, s.aggregate.answers.last}
                      : i < spans.size() ? spans[i]
                                         : SampleSpan{};
    if (span.first) sheet.number(row, 16, clock.excel_serial(*span.first), f.time);
    if (span.last) sheet.number(row, 17, clock.excel_serial(*span.last), f.time);
  }
  if (row > k_header_row) add_conditional_formats(sheet, f, k_header_row + 1, row);
  sheet.finish_table(k_header_row, static_cast<std::int64_t>(rows->size()), columns.size(), 1);
  return sheet.status();
}

}  // namespace pk::report::xlsx
