#include "report/xlsx.hpp"
#include "report/xlsx_sheets.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::report::xlsx {

namespace {

constexpr lxw_row_t k_first_chart_row = 2;  // below the note
constexpr lxw_row_t k_chart_rows = 16;      // a default chart (288 px) is about 15 rows high
constexpr lxw_col_t k_chart_cols = 8;       // and 7.5 default columns wide (480 px)

void set_axes(lxw_chart* chart, const char* x_format, const char* y_name) {
  auto* x = chart_axis_get(chart, LXW_CHART_AXIS_TYPE_X);
  chart_axis_set_num_format(x, x_format);
  auto* y = chart_axis_get(chart, LXW_CHART_AXIS_TYPE_Y);
  chart_axis_set_name(y, y_name);
  chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
}

// The column chart of daily loss %: one series per charted target column.
void add_daily_chart(Sheet& sheet, Book& book, const ExportRequest& request, RowRange days) {
  auto* chart = workbook_add_chart(book.get(), LXW_CHART_COLUMN);
  chart_title_set_name(chart, "Daily loss %");
  set_axes(chart, "yyyy-mm-dd", "loss %");
  const auto charted = std::min(request.scope.targets.size(), static_cast<std::size_t>(k_max_target_charts));
  for (std::size_t t = 0; t < charted; ++t) {
    const auto col = static_cast<lxw_col_t>(t + 1);
    auto* series = chart_add_series(chart, nullptr, nullptr);
    chart_series_set_categories(series, k_daily_sheet, days.first, 0, days.last, 0);
    chart_series_set_values(series, k_daily_sheet, days.first, col, days.last, col);
    chart_series_set_name(series, request.scope.targets[t].name.c_str());
  }
  lxw_chart_options options{};
  options.x_scale = 2;
  options.y_scale = 1;
  sheet.keep(worksheet_insert_chart_opt(sheet.get(), k_first_chart_row, 0, chart, &options));
}

// A line chart of one target's hourly avg and p95: a scatter chart with
// straight lines, so the hours lie on a true time axis (a line chart's date
// axis counts in days and would stack each day's 24 hours on one point).
void add_hourly_chart(Sheet& sheet, Book& book, const core::Target& target, RowRange hours, lxw_row_t row,
                      lxw_col_t col) {
  auto* chart = workbook_add_chart(book.get(), LXW_CHART_SCATTER_STRAIGHT);
  const auto title = fmt::format("{}: hourly latency", target.name);
  chart_title_set_name(chart, title.c_str());
  set_axes(chart, "mm-dd hh:mm", "ms");
  for (auto [value_col, name] : {std::pair{k_hourly_avg_col, "avg ms"}, std::pair{k_hourly_p95_col, "p95 ms"}}) {
    auto* series = chart_add_series(chart, nullptr, nullptr);
    chart_series_set_categories(series, k_hourly_sheet, hours.first, k_hourly_hour_col, hours.last, k_hourly_hour_col);
    chart_series_set_values(series, k_hourly_sheet, hours.first, value_col, hours.last, value_col);
    chart_series_set_name(series, name);
  }
  sheet.keep(worksheet_insert_chart(sheet.get(), row, col, chart));
}

}  // namespace

Expected<void> write_charts(Sheet& sheet, Book& book, const ExportRequest& request,
                            std::span<const std::optional<RowRange>> hourly, std::optional<RowRange> daily) {
  const auto& targets = request.scope.targets;
  const auto max_charts = static_cast<std::size_t>(k_max_target_charts);
  worksheet_set_landscape(sheet.get());
  worksheet_fit_to_pages(sheet.get(), 1, 0);
  lxw_row_t note_row = 0;
  if (targets.size() > max_charts) {
    sheet.text(note_row++, 0,
               fmt::format("Charts show the first {} of {} targets; the Hourly and Daily sheets list every target.",
                           max_charts, targets.size()),
               book.formats().note);
  }
  if (daily) add_daily_chart(sheet, book, request, *daily);
  lxw_row_t row = k_first_chart_row + k_chart_rows;
  std::size_t placed = 0;
  for (std::size_t t = 0; t < std::min(targets.size(), max_charts) && t < hourly.size(); ++t) {
    if (!hourly[t]) continue;
    add_hourly_chart(sheet, book, targets[t], *hourly[t], row + static_cast<lxw_row_t>(placed / 2) * k_chart_rows,
                     static_cast<lxw_col_t>(placed % 2) * k_chart_cols);
    ++placed;
  }
  if (!daily && placed == 0) sheet.text(note_row, 0, "No samples in the range: nothing to chart.", book.formats().note);
  return sheet.status();
}

}  // namespace pk::report::xlsx
