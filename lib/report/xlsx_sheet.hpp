#pragma once

#include "report/xlsx_book.hpp"
#include "util/expected.hpp"

#include <xlsxwriter.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

// Writing the rows of one worksheet in order (constant-memory mode): cells
// by column, the first libxlsxwriter error kept and reported once.
namespace pk::report::xlsx {

// A table column: header text and width in characters.
struct Column {
  const char* name;
  double width;
};

class Sheet {
 public:
  Sheet(lxw_worksheet* sheet, std::string name) : m_sheet(sheet), m_name(std::move(name)) {}

  lxw_worksheet* get() const { return m_sheet; }
  const std::string& name() const { return m_name; }

  void text(lxw_row_t row, lxw_col_t col, const char* text, lxw_format* format = nullptr) {
    keep(worksheet_write_string(m_sheet, row, col, text, format));
  }
  void text(lxw_row_t row, lxw_col_t col, const std::string& text, lxw_format* format = nullptr) {
    this->text(row, col, text.c_str(), format);
  }
  void number(lxw_row_t row, lxw_col_t col, double value, lxw_format* format = nullptr) {
    keep(worksheet_write_number(m_sheet, row, col, value, format));
  }
  // Nothing (a blank cell) for nullopt.
  void number(lxw_row_t row, lxw_col_t col, std::optional<double> value, lxw_format* format) {
    if (value) number(row, col, *value, format);
  }
  void boolean(lxw_row_t row, lxw_col_t col, bool value) {
    keep(worksheet_write_boolean(m_sheet, row, col, value ? 1 : 0, nullptr));
  }

  // The header row of a table at `row`: names in `format`, column widths.
  void header(lxw_row_t row, std::span<const Column> columns, lxw_format* format);
  // Freezes the rows down to `header_row` and the first `cols` columns and
  // puts an autofilter on the table below the header (data_rows rows).
  void finish_table(lxw_row_t header_row, std::int64_t data_rows, lxw_col_t columns, lxw_col_t frozen_cols);

  // Records a libxlsxwriter error (the first one counts).
  void keep(lxw_error error) {
    if (error != LXW_NO_ERROR && m_error == LXW_NO_ERROR) m_error = error;
  }
  // The first error of this sheet, naming it.
  Expected<void> status() const;
  // No error so far?
  bool ok() const { return m_error == LXW_NO_ERROR; }

 private:
  lxw_worksheet* m_sheet;
  std::string m_name;
  lxw_error m_error = LXW_NO_ERROR;
};

}  // namespace pk::report::xlsx
