#include "analyze/calendar.hpp"
#include "report/xlsx_sheets.hpp"
#include "util/local_clock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

// The Hourly and Daily sheets: statistics by local hour and day of the
// display zone, from the rollups (query::stats with `by`), one target at a
// time so memory stays bounded.
namespace pk::report::xlsx {

namespace {

constexpr std::array k_hourly_columns{
    Column{"Target", 18},  Column{"Host", 24},  Column{"Hour", 17},     Column{"Sent", 9},
    Column{"Received", 9}, Column{"Loss %", 8}, Column{"Min ms", 9},    Column{"Avg ms", 9},
    Column{"p95 ms", 9},   Column{"Max ms", 9}, Column{"Jitter ms", 9},
};
static_assert(k_hourly_columns[k_hourly_hour_col].name[0] == 'H');
static_assert(k_hourly_columns[k_hourly_avg_col].name[0] == 'A');
static_assert(k_hourly_columns[k_hourly_p95_col].name[0] == 'p');

// The local hour or day holding `t` as an Excel serial (the first bucket of
// a range starts at the range's start; its row shows the whole hour or day).
// The epsilon keeps an exact boundary from rounding down to the previous one.
double floor_serial(util::LocalClock& clock, util::SysMicros t, double per_day) {
  return std::floor(clock.excel_serial(t) * per_day + 1e-7) / per_day;
}

// A Daily sheet holds at most this many target columns (one is the day).
constexpr std::size_t k_max_daily_targets = LXW_COL_MAX - 1;

// Statistics of one target by local hour or day, from the rollups.
Expected<std::vector<query::Stats>> by_period(query::Reader& reader, const ExportRequest& request,
                                              const core::Target& target, analyze::Period period) {
  query::StatsQuery q{
      .targets = {target},
      .job = request.scope.job,
      .from = request.scope.from,
      .to = request.scope.to,
      .by = period,
      .zone = request.zone,
      .options = {.source = query::Source::rollup, .min_downtime = request.min_downtime, .availability = false}};
  return query::stats(reader, q);
}

}  // namespace

Expected<std::vector<std::optional<RowRange>>> write_hourly(Book& book, query::Reader& reader,
                                                            const ExportRequest& request, Notes& notes) {
  const auto& f = book.formats();
  auto added = book.add_sheet(k_hourly_sheet);
  if (!added) return std::unexpected(added.error());
  Sheet sheet(*added, k_hourly_sheet);
  sheet.header(0, k_hourly_columns, f.header);
  util::LocalClock clock(request.zone);
  std::vector<std::optional<RowRange>> ranges;
  lxw_row_t row = 0;
  bool full = false;
  for (const auto& target : request.scope.targets) {
    if (full) break;
    if (auto go = query::check_stop(request.control); !go) return std::unexpected(go.error());
    auto hours = by_period(reader, request, target, analyze::Period::hour);
    if (!hours) return std::unexpected(hours.error());
    const auto first = row + 1;
    for (const auto& s : *hours) {
      const auto& sum = s.aggregate.summary;
      if (sum.sent() == 0) continue;
      if ((full = sheet_full(row))) break;
      ++row;
      sheet.text(row, 0, target.name);
      sheet.text(row, 1, target.host);
      sheet.number(row, 2, floor_serial(clock, s.from, 24), f.minute);
      sheet.number(row, 3, static_cast<double>(sum.sent()), f.count);
      sheet.number(row, 4, static_cast<double>(sum.received()), f.count);
      sheet.number(row, 5, sum.loss_pct(), f.pct);
      sheet.number(row, 6, ms(sum.min()), f.ms);
      sheet.number(row, 7, ms(sum.mean()), f.ms);
      sheet.number(row, 8, ms(s.p95), f.ms);
      sheet.number(row, 9, ms(sum.max()), f.ms);
      sheet.number(row, 10, ms(sum.jitter()), f.ms);
    }
    ranges.push_back(row >= first ? std::optional(RowRange{first, row}) : std::nullopt);
  }
  if (full) {
    notes.push_back(
        fmt::format("The Hourly sheet holds the first {} target hours (a sheet's limit); "
                    "`pingkeeper stats --by 1h` gives them all.",
                    k_sheet_rows));
  }
  sheet.finish_table(0, row, k_hourly_columns.size(), 1);
  if (auto ok = sheet.status(); !ok) return std::unexpected(ok.error());
  return ranges;
}

Expected<std::optional<RowRange>> write_daily(Book& book, query::Reader& reader, const ExportRequest& request,
                                              Notes& notes) {
  const auto& f = book.formats();
  auto added = book.add_sheet(k_daily_sheet);
  if (!added) return std::unexpected(added.error());
  Sheet sheet(*added, k_daily_sheet);

  const auto& targets = request.scope.targets;
  const auto columns = std::min(targets.size(), k_max_daily_targets);
  if (columns < targets.size()) {
    notes.push_back(fmt::format("The Daily sheet holds the first {} targets (a sheet's columns).", columns));
  }
  const auto days = analyze::calendar_buckets(request.scope.from, request.scope.to, analyze::Period::day, request.zone);
  // loss[day][target]: nullopt when the target sent nothing that day.
  std::vector<std::vector<std::optional<double>>> loss(days.size(), std::vector<std::optional<double>>(columns));
  std::vector<bool> any(days.size(), false);
  for (std::size_t t = 0; t < columns; ++t) {
    if (auto go = query::check_stop(request.control); !go) return std::unexpected(go.error());
    auto stats = by_period(reader, request, targets[t], analyze::Period::day);
    if (!stats) return std::unexpected(stats.error());
    for (const auto& s : *stats) {
      if (s.aggregate.summary.sent() == 0) continue;
      auto it = std::lower_bound(days.begin(), days.end(), s.from,
                                 [](const core::Interval& day, util::SysMicros at) { return day.begin < at; });
      if (it == days.end() || it->begin != s.from) continue;
      const auto d = static_cast<std::size_t>(it - days.begin());
      loss[d][t] = s.aggregate.summary.loss_pct();
      any[d] = true;
    }
  }

  sheet.keep(worksheet_set_column(sheet.get(), 0, 0, 12, nullptr));
  sheet.text(0, 0, "Day", f.header);
  for (std::size_t t = 0; t < columns; ++t) {
    const auto col = static_cast<lxw_col_t>(t + 1);
    sheet.keep(worksheet_set_column(sheet.get(), col, col, 14, nullptr));
    sheet.text(0, col, fmt::format("{} loss %", targets[t].name), f.header);
  }
  util::LocalClock clock(request.zone);
  lxw_row_t row = 0;
  for (std::size_t d = 0; d < days.size(); ++d) {
    if (!any[d]) continue;
    ++row;
    sheet.number(row, 0, floor_serial(clock, days[d].begin, 1), f.day);
    for (std::size_t t = 0; t < columns; ++t) sheet.number(row, static_cast<lxw_col_t>(t + 1), loss[d][t], f.pct);
  }
  sheet.finish_table(0, row, static_cast<lxw_col_t>(columns + 1), 1);
  if (auto ok = sheet.status(); !ok) return std::unexpected(ok.error());
  return row > 0 ? std::optional(RowRange{1, row}) : std::nullopt;
}

}  // namespace pk::report::xlsx
