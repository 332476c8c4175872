#include "report/xlsx_sheet.hpp"

#include <fmt/format.h>

namespace pk::report::xlsx {

void Sheet::header(lxw_row_t row, std::span<const Column> columns, lxw_format* format) {
  for (lxw_col_t col = 0; col < columns.size(); ++col) {
    keep(worksheet_set_column(m_sheet, col, col, columns[col].width, nullptr));
    text(row, col, columns[col].name, format);
  }
}

void Sheet::finish_table(lxw_row_t header_row, std::int64_t data_rows, lxw_col_t columns, lxw_col_t frozen_cols) {
  worksheet_freeze_panes(m_sheet, header_row + 1, frozen_cols);
  const auto last_row = header_row + static_cast<lxw_row_t>(data_rows);
  keep(worksheet_autofilter(m_sheet, header_row, 0, last_row, columns - 1));
}

Expected<void> Sheet::status() const {
  if (m_error == LXW_NO_ERROR) return {};
  return std::unexpected(book_error(fmt::format("sheet \"{}\"", m_name), m_error));
}

}  // namespace pk::report::xlsx
