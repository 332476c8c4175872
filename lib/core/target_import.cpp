#include "core/target_import.hpp"

#include "util/csv.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace pk::core {

namespace {

// Columns an import reads; `target list --csv` writes a subset of them, so its
// output imports back (id and state are informational and ignored).
constexpr std::array<std::string_view, 16> k_columns{
    "host",   "name",        "interval", "timeout",  "probe",       "port",       "tags", "size",
    "family", "description", "paused",   "job_only", "interval_ms", "timeout_ms", "id",   "state"};

Expected<bool> parse_bool(std::string_view text, std::string_view what) {
  auto t = util::to_lower(text);
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  return invalid_input(fmt::format("invalid {} \"{}\": use true or false", what, text));
}

bool meaningful(std::string_view line) {
  auto t = util::trim(line);
  return !t.empty() && t.front() != '#';
}

Expected<int> parse_int(std::string_view text, std::string_view what) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return invalid_input(fmt::format("invalid {} \"{}\": expected a whole number", what, text));
  }
  return value;
}

Expected<Family> parse_family(std::string_view text) {
  if (text == "any" || text == "0") return Family::any;
  if (text == "4" || text == "ipv4") return Family::v4;
  if (text == "6" || text == "ipv6") return Family::v6;
  return invalid_input(fmt::format("invalid family \"{}\": use any, 4 or 6", text));
}

// Reads one cell into the patch.
Expected<void> apply_cell(TargetPatch& patch, std::string_view column, std::string_view cell) {
  if (column == "name") {
    patch.name = std::string(cell);
  } else if (column == "interval" || column == "timeout") {
    auto d = util::parse_duration(cell);
    if (!d) return std::unexpected(d.error());
    (column == "interval" ? patch.interval : patch.timeout) = *d;
  } else if (column == "probe") {
    auto p = parse_probe_kind(cell);
    if (!p) return std::unexpected(p.error());
    patch.probe = *p;
  } else if (column == "port" || column == "size") {
    auto n = parse_int(cell, column);
    if (!n) return std::unexpected(n.error());
    (column == "port" ? patch.port : patch.payload_size) = *n;
  } else if (column == "family") {
    auto f = parse_family(cell);
    if (!f) return std::unexpected(f.error());
    patch.family = *f;
  } else if (column == "interval_ms" || column == "timeout_ms") {
    auto n = parse_int(cell, column);
    if (!n) return std::unexpected(n.error());
    (column == "interval_ms" ? patch.interval : patch.timeout) = util::Micros{std::chrono::milliseconds{*n}};
  } else if (column == "paused" || column == "job_only") {
    auto b = parse_bool(cell, column);
    if (!b) return std::unexpected(b.error());
    (column == "paused" ? patch.paused : patch.job_only) = *b;
  } else if (column == "description") {
    patch.description = std::string(cell);
  } else if (column == "tags") {
    for (const auto& part : split_tags_cell(cell)) {
      if (util::trim(part).empty()) continue;
      auto tag = parse_tag(util::trim(part));
      if (!tag) return std::unexpected(tag.error());
      patch.set_tags[tag->first] = tag->second;
    }
  }
  return {};
}

// Far beyond any real line (a host, a name, tags, a description of 1,024 bytes).
constexpr std::size_t k_max_import_line = 8192;

std::unexpected<Error> at_line(int line, const Error& e) {
  return invalid_input(fmt::format("line {}: {}", line, e.message));
}

}  // namespace

Expected<std::vector<ImportedTarget>> parse_target_import(std::string_view text, const TargetPatch& defaults) {
  auto lines = util::split(text, '\n');
  std::vector<ImportedTarget> out;
  std::vector<std::string> header;
  bool decided = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    int line_no = static_cast<int>(i + 1);
    auto line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (i == 0 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // UTF-8 BOM
    if (line.size() > k_max_import_line) {
      return invalid_input(fmt::format("line {}: {} bytes, longer than the {} a line may have", line_no, line.size(),
                                       k_max_import_line));
    }
    if (!meaningful(line)) continue;

    if (!decided) {
      decided = true;
      auto first = util::parse_csv_record(line);
      bool is_csv = first && (first->size() > 1 || util::to_lower(util::trim(first->front())) == "host");
      if (is_csv) {
        for (auto& cell : *first) {
          auto name = util::to_lower(util::trim(cell));
          if (std::find(k_columns.begin(), k_columns.end(), name) == k_columns.end()) {
            return invalid_input(
                fmt::format("line {}: unknown column \"{}\"; expected {}", line_no, name,
                            "host,name,interval,timeout,probe,port,tags,size,family,description,paused,job_only"));
          }
          if (std::find(header.begin(), header.end(), name) != header.end()) {
            return invalid_input(fmt::format("line {}: column \"{}\" appears twice", line_no, name));
          }
          header.push_back(name);
        }
        if (std::find(header.begin(), header.end(), "host") == header.end()) {
          return invalid_input(fmt::format("line {}: the CSV header needs a \"host\" column", line_no));
        }
        continue;
      }
    }

    TargetPatch patch = defaults;
    std::string host;
    if (header.empty()) {
      host = std::string(util::trim(line.substr(0, line.find('#'))));
    } else {
      auto cells = util::parse_csv_record(line);
      if (!cells) return at_line(line_no, cells.error());
      if (cells->size() != header.size()) {
        return invalid_input(
            fmt::format("line {}: {} fields, but the header has {}", line_no, cells->size(), header.size()));
      }
      for (std::size_t c = 0; c < header.size(); ++c) {
        auto cell = util::trim((*cells)[c]);
        if (header[c] == "host") {
          host = std::string(cell);
          continue;
        }
        if (cell.empty()) continue;
        if (auto ok = apply_cell(patch, header[c], cell); !ok) return at_line(line_no, ok.error());
      }
    }
    auto target = make_target(host, patch);
    if (!target) return at_line(line_no, target.error());
    out.push_back({line_no, std::move(*target)});
  }
  if (out.empty()) return invalid_input("the import holds no hosts");
  return out;
}

}  // namespace pk::core
