#include "query/downtime.hpp"
#include "report/xlsx_sheets.hpp"
#include "util/local_clock.hpp"

#include <fmt/format.h>

#include <array>

namespace pk::report::xlsx {

namespace {

constexpr std::array k_columns{
    Column{"Target", 18},     Column{"Host", 24},  Column{"Start", 24},  Column{"End", 24},
    Column{"Duration s", 12}, Column{"Probes", 9}, Column{"Ongoing", 9},
};

}  // namespace

Expected<void> write_downtime(Book& book, query::Reader& reader, const ExportRequest& request, Notes& notes) {
  const auto& f = book.formats();
  auto added = book.add_sheet("Downtime");
  if (!added) return std::unexpected(added.error());
  Sheet sheet(*added, "Downtime");
  sheet.header(0, k_columns, f.header);
  util::LocalClock clock(request.zone);
  lxw_row_t row = 0;
  bool full = false;
  for (const auto& target : request.scope.targets) {
    if (auto go = query::check_stop(request.control); !go) return go;
    for (const auto& p : request.periods) {
      if (full) break;
      auto periods = query::downtime_periods(reader, target, p.begin, p.end, request.min_downtime);
      if (!periods) return std::unexpected(periods.error());
      for (const auto& d : *periods) {
        if ((full = sheet_full(row))) break;
        ++row;
        sheet.text(row, 0, target.name);
        sheet.text(row, 1, target.host);
        sheet.number(row, 2, clock.excel_serial(d.start), f.time);
        sheet.number(row, 3, clock.excel_serial(d.end), f.time);
        sheet.number(row, 4, static_cast<double>(d.duration().count()) / 1e6, f.seconds);
        sheet.number(row, 5, static_cast<double>(d.probes), f.count);
        sheet.boolean(row, 6, d.ongoing);
      }
    }
  }
  if (full) {
    notes.push_back(
        fmt::format("The Downtime sheet holds the first {} periods (a sheet's limit); "
                    "`pingkeeper downtime` lists them all.",
                    k_sheet_rows));
  }
  sheet.finish_table(0, row, k_columns.size(), 1);
  return sheet.status();
}

}  // namespace pk::report::xlsx
