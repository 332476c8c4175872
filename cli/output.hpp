#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace pk::cli {

// A listing: rendered as an aligned table, or as CSV with the same columns.
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;

  // Aligned columns, two spaces apart, trailing spaces trimmed.
  void print_aligned() const;
  // RFC 4180, header first, CRLF-free (LF line endings).
  void print_csv() const;
};

// One JSON document, indented, with a final newline.
void print_json(const nlohmann::ordered_json& doc);

// One compact JSON document on one line (NDJSON streams).
void print_json_line(const nlohmann::ordered_json& doc);

// "key: value" lines with the keys aligned, for `show` commands; an empty
// value shows as "-".
void print_fields(const std::vector<std::pair<std::string, std::string>>& fields);

// Information for people (suppressed by -q); goes to stdout.
void note(bool quiet, const std::string& line);

}  // namespace pk::cli
