#pragma once

#include "util/expected.hpp"

#include <xlsxwriter.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

// The libxlsxwriter workbook of an export (report/xlsx.hpp): an owned handle,
// the cell formats every sheet shares, and libxlsxwriter errors as pk::Error.
namespace pk::report::xlsx {

// An lxw_error as an ErrorKind::io error: "cannot write the workbook: <what>:
// <lxw_strerror>" (without "<what>: " when what is empty).
Error book_error(std::string_view what, lxw_error error);

// The formats of the workbook, made once (never per cell).
struct Formats {
  lxw_format* title = nullptr;    // the Summary title
  lxw_format* label = nullptr;    // title block labels
  lxw_format* header = nullptr;   // table header rows
  lxw_format* time = nullptr;     // date and time to the millisecond
  lxw_format* minute = nullptr;   // date and time to the minute (hours, ranges)
  lxw_format* day = nullptr;      // date
  lxw_format* ms = nullptr;       // milliseconds, 0.000
  lxw_format* pct = nullptr;      // percentages, 0.00
  lxw_format* count = nullptr;    // integers with thousands separators
  lxw_format* seconds = nullptr;  // durations in seconds, 0.000
  lxw_format* mos = nullptr;      // 0.00
  lxw_format* note = nullptr;     // explanatory notes, italic
  lxw_format* warning = nullptr;  // conditional: amber fill
  lxw_format* alarm = nullptr;    // conditional: red fill
};

// A workbook in constant-memory mode, written to its path on close(); freed
// without writing anything when destroyed unclosed.
class Book {
 public:
  // tmpdir: where libxlsxwriter keeps its row files (empty: the system's);
  // zip64 for very large workbooks (Excel 2007 cannot open those).
  static Expected<Book> open(const std::string& path, const std::string& tmpdir, bool zip64);

  lxw_workbook* get() const { return m_book.get(); }
  const Formats& formats() const { return m_formats; }

  // A new worksheet, after the others. io error when libxlsxwriter refuses
  // (its row file cannot be created).
  Expected<lxw_worksheet*> add_sheet(const std::string& name);

  // Writes the file and releases the workbook.
  Expected<void> close();

 private:
  struct Free {
    // An unclosed workbook: lxw_workbook_free leaves each constant-memory
    // sheet's (unlinked) row file open, holding its disk space; close them.
    void operator()(lxw_workbook* book) const {
      lxw_worksheet* sheet = nullptr;
      LXW_FOREACH_WORKSHEET(sheet, book) {
        if (sheet->optimize_tmpfile != nullptr) {
          std::fclose(sheet->optimize_tmpfile);
          sheet->optimize_tmpfile = nullptr;
        }
      }
      lxw_workbook_free(book);
    }
  };

  Book() = default;
  void make_formats();

  std::unique_ptr<std::string> m_tmpdir;  // libxlsxwriter keeps the pointer: stable while moved
  std::unique_ptr<lxw_workbook, Free> m_book;
  Formats m_formats;
};

}  // namespace pk::report::xlsx
