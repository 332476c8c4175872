#include "serve/metrics_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace pk::serve::prom {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"': out += quotes ? "\\\"" : "\""; break;
      default: out += c;
    }
  }
}

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, quotes);
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string escape_help(std::string_view text) { return escape(text, false); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void Writer::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(m_text), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void Writer::begin(std::string_view name, std::string_view labels) {
  m_text += name;
  if (!labels.empty()) {
    m_text += '{';
    m_text += labels;
    m_text += '}';
  }
  m_text += ' ';
}

void Writer::sample(std::string_view name, std::string_view labels, double value) {
  begin(name, labels);
  m_text += format_value(value);
  m_text += '\n';
}

void Writer::sample(std::string_view name, std::string_view labels, std::int64_t value) {
  begin(name, labels);
  fmt::format_to(std::back_inserter(m_text), "{}\n", value);
}

void add_label(std::string& labels, std::string_view name, std::string_view value) {
  if (!labels.empty()) labels += ',';
  labels += name;
  labels += "=\"";
  append_escaped(labels, value, true);
  labels += '"';
}

}  // namespace pk::serve::prom
