#include "util/csv.hpp"

namespace pk::util {

Expected<std::vector<std::string>> parse_csv_record(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '"') {
          if (i < line.size() && line[i] == '"') {
            field += '"';
            ++i;
          } else {
            closed = true;
            break;
          }
        } else {
          field += c;
        }
      }
      if (!closed) return invalid_input("unclosed quote");
      if (i < line.size() && line[i] != ',') return invalid_input("unexpected text after a closing quote");
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') return invalid_input("a quote inside an unquoted field");
        field += line[i++];
      }
    }
    fields.push_back(field);
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out;
}

}  // namespace pk::util
