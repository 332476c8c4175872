#include "report/xlsx_book.hpp"

#include <fmt/format.h>

namespace pk::report::xlsx {

namespace {

constexpr lxw_color_t k_header_fill = 0x1F4E78;
constexpr lxw_color_t k_amber = 0xFFD966;
constexpr lxw_color_t k_red = 0xF4B084;

lxw_format* numeric(lxw_workbook* book, const char* num_format) {
  auto* f = workbook_add_format(book);
  format_set_num_format(f, num_format);
  return f;
}

}  // namespace

Error book_error(std::string_view what, lxw_error error) {
  return Error{ErrorKind::io, fmt::format("cannot write the workbook: {}: {}", what, lxw_strerror(error))};
}

Expected<Book> Book::open(const std::string& path, const std::string& tmpdir, bool zip64) {
  Book book;
  book.m_tmpdir = std::make_unique<std::string>(tmpdir);
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir.empty() ? nullptr : book.m_tmpdir->data();
  options.use_zip64 = zip64 ? LXW_TRUE : LXW_FALSE;
  book.m_book.reset(workbook_new_opt(path.c_str(), &options));
  if (!book.m_book) return std::unexpected(book_error(path, LXW_ERROR_MEMORY_MALLOC_FAILED));
  book.make_formats();
  return book;
}

void Book::make_formats() {
  auto* b = m_book.get();
  m_formats.title = workbook_add_format(b);
  format_set_bold(m_formats.title);
  format_set_font_size(m_formats.title, 16);
  m_formats.label = workbook_add_format(b);
  format_set_bold(m_formats.label);
  m_formats.header = workbook_add_format(b);
  format_set_bold(m_formats.header);
  format_set_font_color(m_formats.header, LXW_COLOR_WHITE);
  format_set_bg_color(m_formats.header, k_header_fill);
  format_set_text_wrap(m_formats.header);
  format_set_align(m_formats.header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_border(m_formats.header, LXW_BORDER_THIN);
  m_formats.time = numeric(b, "yyyy-mm-dd hh:mm:ss.000");
  m_formats.minute = numeric(b, "yyyy-mm-dd hh:mm");
  m_formats.day = numeric(b, "yyyy-mm-dd");
  m_formats.ms = numeric(b, "0.000");
  m_formats.pct = numeric(b, "0.00");
  m_formats.count = numeric(b, "#,##0");
  m_formats.seconds = numeric(b, "0.000");
  m_formats.mos = numeric(b, "0.00");
  m_formats.note = workbook_add_format(b);
  format_set_italic(m_formats.note);
  m_formats.warning = workbook_add_format(b);
  format_set_bg_color(m_formats.warning, k_amber);
  m_formats.alarm = workbook_add_format(b);
  format_set_bg_color(m_formats.alarm, k_red);
}

Expected<lxw_worksheet*> Book::add_sheet(const std::string& name) {
  auto* sheet = workbook_add_worksheet(m_book.get(), name.c_str());
  if (!sheet) return std::unexpected(book_error(fmt::format("sheet \"{}\"", name), LXW_ERROR_CREATING_TMPFILE));
  return sheet;
}

Expected<void> Book::close() {
  // workbook_close frees the workbook whatever it returns.
  const auto error = workbook_close(m_book.release());
  if (error != LXW_NO_ERROR) return std::unexpected(book_error("closing", error));
  return {};
}

}  // namespace pk::report::xlsx
