#include "report/xlsx.hpp"
#include "report/xlsx_sheets.hpp"
#include "util/local_clock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace pk::report::xlsx {

namespace {

constexpr std::array k_raw_columns{
    Column{"Target", 18}, Column{"Host", 24},   Column{"Time", 24},
    Column{"RTT ms", 10}, Column{"Status", 13}, Column{"TTL", 6},
};

constexpr std::array k_bucket_columns{
    Column{"Target", 18},   Column{"Host", 24},  Column{"Time", 18},  Column{"Sent", 9},      Column{"Received", 9},
    Column{"Loss %", 8},    Column{"Min ms", 9}, Column{"Avg ms", 9}, Column{"Max ms", 9},    Column{"Stddev ms", 9},
    Column{"Median ms", 9}, Column{"p95 ms", 9}, Column{"p99 ms", 9}, Column{"Jitter ms", 9},
};

// The "Samples" sheets: a new one with the same header row whenever one
// holds k_sheet_rows data rows.
class SampleSheets {
 public:
  SampleSheets(Book& book, std::span<const Column> columns) : m_book(book), m_columns(columns) {}

  // The sheet and row of the next data row; null after an error.
  Sheet* next(lxw_row_t& row) {
    if (m_error) return nullptr;
    if (!m_sheet || m_in_sheet == k_sheet_rows) {
      if (auto added = add(); !added) {
        m_error = added.error();
        return nullptr;
      }
    }
    ++m_rows;
    row = static_cast<lxw_row_t>(++m_in_sheet);
    return &*m_sheet;
  }

  // Finishes the last sheet (an empty "Samples" when there were no rows).
  Expected<SamplesWritten> finish() {
    if (!m_error && !m_sheet) {
      if (auto added = add(); !added) return std::unexpected(added.error());
    }
    if (auto done = close_sheet(); !done && !m_error) m_error = done.error();
    if (m_error) return std::unexpected(*m_error);
    return SamplesWritten{.rows = m_rows, .sheets = m_sheets, .spans = {}};
  }

 private:
  Expected<void> close_sheet() {
    if (!m_sheet) return {};
    m_sheet->finish_table(0, m_in_sheet, static_cast<lxw_col_t>(m_columns.size()), 1);
    return m_sheet->status();
  }

  Expected<void> add() {
    if (auto done = close_sheet(); !done) return done;
    auto name = m_sheets == 0 ? std::string("Samples") : fmt::format("Samples {}", m_sheets + 1);
    auto sheet = m_book.add_sheet(name);
    if (!sheet) return std::unexpected(sheet.error());
    m_sheet.emplace(*sheet, std::move(name));
    m_sheet->header(0, m_columns, m_book.formats().header);
    ++m_sheets;
    m_in_sheet = 0;
    return {};
  }

  Book& m_book;
  std::span<const Column> m_columns;
  std::optional<Sheet> m_sheet;
  std::int64_t m_in_sheet = 0;
  std::int64_t m_rows = 0;
  std::int64_t m_sheets = 0;
  std::optional<Error> m_error;
};

// Sample statuses as NUL-terminated text, made once.
class StatusNames {
 public:
  StatusNames() {
    for (std::size_t i = 0; i < m_names.size(); ++i) m_names[i] = core::to_string(static_cast<core::SampleStatus>(i));
  }
  const char* operator()(core::SampleStatus status) const {
    return m_names[std::min(static_cast<std::size_t>(status), m_names.size() - 1)].c_str();
  }

 private:
  std::array<std::string, 8> m_names;  // the known statuses, then "unknown"
};

Expected<SamplesWritten> write_raw(Book& book, query::Reader& reader, const ExportRequest& request) {
  const auto& f = book.formats();
  SampleSheets sheets(book, k_raw_columns);
  util::LocalClock clock(request.zone);
  const StatusNames status;
  std::vector<SampleSpan> spans(request.scope.targets.size());
  auto read = query::for_each_sample(
      reader, request.scope, request.periods,
      [&](const core::Target& t, const core::Sample& s) {
        lxw_row_t row = 0;
        auto* sheet = sheets.next(row);
        if (!sheet) return false;
        sheet->text(row, 0, t.name);
        sheet->text(row, 1, t.host);
        sheet->number(row, 2, clock.excel_serial(s.ts), f.time);
        if (s.rtt) sheet->number(row, 3, static_cast<double>(s.rtt->count()) / 1000.0, f.ms);
        sheet->text(row, 4, status(s.status));
        if (s.ttl) sheet->number(row, 5, *s.ttl);
        if (auto i = static_cast<std::size_t>(&t - request.scope.targets.data()); i < spans.size()) {
          if (!spans[i].first) spans[i].first = s.ts;
          spans[i].last = s.ts;
        }
        return sheet->ok();
      },
      request.control);
  if (!read) return std::unexpected(read.error());
  auto written = sheets.finish();
  if (written) written->spans = std::move(spans);
  return written;
}

Expected<SamplesWritten> write_buckets(Book& book, query::Reader& reader, const ExportRequest& request) {
  const auto& f = book.formats();
  SampleSheets sheets(book, k_bucket_columns);
  util::LocalClock clock(request.zone);
  auto read = query::for_each_bucket(
      reader, request.scope, request.periods, request.resolution,
      [&](const core::Target& t, const query::ExportBucket& b) {
        lxw_row_t row = 0;
        auto* sheet = sheets.next(row);
        if (!sheet) return false;
        const auto& sum = b.aggregate.summary;
        const auto& sketch = b.aggregate.sketch;
        sheet->text(row, 0, t.name);
        sheet->text(row, 1, t.host);
        sheet->number(row, 2, clock.excel_serial(b.start), f.minute);
        sheet->number(row, 3, static_cast<double>(sum.sent()), f.count);
        sheet->number(row, 4, static_cast<double>(sum.received()), f.count);
        sheet->number(row, 5, sum.loss_pct(), f.pct);
        sheet->number(row, 6, ms(sum.min()), f.ms);
        sheet->number(row, 7, ms(sum.mean()), f.ms);
        sheet->number(row, 8, ms(sum.max()), f.ms);
        sheet->number(row, 9, ms(sum.stddev()), f.ms);
        sheet->number(row, 10, ms(sketch.quantile(0.5)), f.ms);
        sheet->number(row, 11, ms(sketch.quantile(0.95)), f.ms);
        sheet->number(row, 12, ms(sketch.quantile(0.99)), f.ms);
        sheet->number(row, 13, ms(sum.jitter()), f.ms);
        return sheet->ok();
      },
      request.control);
  if (!read) return std::unexpected(read.error());
  return sheets.finish();
}

}  // namespace

Expected<SamplesWritten> write_samples(Book& book, query::Reader& reader, const ExportRequest& request) {
  if (request.resolution == analyze::Tier::raw) return write_raw(book, reader, request);
  return write_buckets(book, reader, request);
}

}  // namespace pk::report::xlsx
