#include "output.hpp"

#include "util/csv.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::cli {

namespace {

// Display width of UTF-8 text: counts code points, not bytes.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

namespace {

// Every cell as it may reach a terminal (descriptions are free text).
std::vector<std::vector<std::string>> printable_rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    auto& row = out.emplace_back();
    row.reserve(r.size());
    for (const auto& cell : r) row.push_back(util::printable(cell));
  }
  return out;
}

}  // namespace

void Table::print_aligned() const {
  const auto shown = printable_rows(rows);
  std::vector<std::size_t> widths(headers.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  };
  measure(headers);
  for (const auto& r : shown) measure(r);
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  print_row(headers);
  for (const auto& r : shown) print_row(r);
}

void Table::print_csv() const {
  fmt::print("{}\n", util::csv_record(headers));
  for (const auto& r : printable_rows(rows)) fmt::print("{}\n", util::csv_record(r));
}

void print_json(const nlohmann::ordered_json& doc) {
  // Text is validated on the way in; should a byte slip through, replace it rather than fail.
  fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void print_json_line(const nlohmann::ordered_json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void print_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t w = 0;
  for (const auto& [k, v] : fields) w = std::max(w, k.size());
  for (const auto& [k, v] : fields) fmt::print("{:<{}}  {}\n", k + ":", w + 1, v.empty() ? "-" : util::printable(v));
}

void note(bool quiet, const std::string& line) {
  if (!quiet) fmt::print("{}\n", line);
}

}  // namespace pk::cli
