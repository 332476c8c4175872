#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// The Prometheus text exposition format, version 0.0.4: families announced by
// "# HELP" and "# TYPE" lines, then their sample lines, one family after the
// other.
namespace pk::serve::prom {

inline constexpr std::string_view k_content_type = "text/plain; version=0.0.4; charset=utf-8";

// A label value as the format quotes it: backslash, double quote and line
// feed escaped as \\, \" and \n; everything else (UTF-8 included) as is.
std::string escape_label_value(std::string_view value);

// HELP text: backslash and line feed escaped (quotes stay).
std::string escape_help(std::string_view text);

// A sample value: the shortest text that reads back as the same double
// ("0.0015", "5e-05", "3"); NaN, +Inf and -Inf as the format spells them.
std::string format_value(double value);

// Appends exposition text to a string.
class Writer {
 public:
  // Starts a family: its HELP and TYPE lines ("counter", "gauge",
  // "histogram"). Every sample written after it, up to the next family,
  // belongs to it.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample line: `name{labels} value`, or `name value` when labels is
  // empty. `labels` is the text between the braces, values already escaped
  // (see label()).
  void sample(std::string_view name, std::string_view labels, double value);
  void sample(std::string_view name, std::string_view labels, std::int64_t value);

  std::string& text() { return m_text; }

 private:
  void begin(std::string_view name, std::string_view labels);
  std::string m_text;
};

// Appends `name="value"` (value escaped) to a label set, with a comma when
// the set is not empty.
void add_label(std::string& labels, std::string_view name, std::string_view value);

}  // namespace pk::serve::prom
