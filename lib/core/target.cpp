#include "core/target.hpp"

#include "core/host.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pk::core {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == ':' || c == '%';
}

bool is_tag_key_char(char c) { return is_name_char(c) && c != ':' && c != '%'; }

}  // namespace

Expected<void> check_duration(std::string_view what, util::Micros d, util::Micros lo, util::Micros hi) {
  if (d < lo || d > hi) {
    return invalid_input(fmt::format("{} {} is out of range: use {} to {}", what, util::format_duration(d),
                                     util::format_duration(lo), util::format_duration(hi)));
  }
  if (d.count() % 1000 != 0) {
    return invalid_input(fmt::format("{} {} must be a whole number of milliseconds", what, util::format_duration(d)));
  }
  return {};
}

Expected<void> check_description(std::string_view text) {
  if (text.size() > k_max_description) {
    return invalid_input(fmt::format("description is too long: at most {} bytes", k_max_description));
  }
  if (!util::is_valid_utf8(text)) return invalid_input("description is not valid UTF-8");
  // Control characters (escape sequences, newlines) would reach terminals and CSV cells as they are.
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return invalid_input("description contains control characters (newlines, tabs, escapes are not allowed)");
  }
  return {};
}

std::string_view to_string(ProbeKind p) { return p == ProbeKind::tcp ? "tcp" : "icmp"; }

std::string_view to_string(Family f) {
  switch (f) {
    case Family::v4: return "ipv4";
    case Family::v6: return "ipv6";
    case Family::any: break;
  }
  return "any";
}

Expected<ProbeKind> parse_probe_kind(std::string_view text) {
  if (text == "icmp") return ProbeKind::icmp;
  if (text == "tcp") return ProbeKind::tcp;
  return invalid_input(fmt::format("invalid probe \"{}\": use icmp or tcp", text));
}

Expected<void> validate_name(std::string_view name) {
  if (name.empty()) return invalid_input("a name must not be empty");
  if (name.size() > k_max_name_length) {
    return invalid_input(fmt::format("name \"{}\" is too long: at most {} characters", name, k_max_name_length));
  }
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    return invalid_input(fmt::format("invalid name \"{}\": use letters, digits and . _ - : %", name));
  }
  if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid_input(fmt::format("invalid name \"{}\": a name must not be all digits (numbers are ids)", name));
  }
  return {};
}

std::string format_tags_cell(const Tags& tags) {
  std::string out;
  for (const auto& [k, v] : tags) {
    if (!out.empty()) out += ';';
    out += k;
    out += '=';
    for (char c : v) {
      if (c == ';' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out;
}

std::vector<std::string> split_tags_cell(std::string_view cell) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < cell.size(); ++i) {
    const char c = cell[i];
    if (c == '\\' && i + 1 < cell.size() && (cell[i + 1] == ';' || cell[i + 1] == '\\')) {
      out.back() += cell[++i];
    } else if (c == ';') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

Expected<std::pair<std::string, std::string>> parse_tag(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return invalid_input(fmt::format("invalid tag \"{}\": expected key=value", text));
  }
  auto key = text.substr(0, eq);
  auto value = text.substr(eq + 1);
  if (key.empty() || key.size() > 64 || !std::all_of(key.begin(), key.end(), is_tag_key_char)) {
    return invalid_input(fmt::format("invalid tag key \"{}\": 1-64 letters, digits and . _ -", key));
  }
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return invalid_input(fmt::format("invalid tag value for \"{}\": control characters are not allowed", key));
  }
  if (!util::is_valid_utf8(value)) {
    return invalid_input(fmt::format("invalid tag value for \"{}\": it is not valid UTF-8", key));
  }
  return std::pair{std::string(key), std::string(value)};
}

bool TargetPatch::empty() const {
  return !name && !host && !family && !probe && !port && !interval && !timeout && !payload_size && !paused &&
         !job_only && !description && set_tags.empty() && remove_tags.empty();
}

Expected<void> apply_patch(Target& target, const TargetPatch& patch) {
  Target t = target;
  if (patch.host) t.host = *patch.host;
  if (patch.name) t.name = *patch.name;
  if (patch.family) t.family = *patch.family;
  if (patch.probe) t.probe = *patch.probe;
  if (patch.port) t.port = *patch.port;
  if (patch.interval) t.interval = *patch.interval;
  if (patch.timeout) t.timeout = *patch.timeout;
  if (patch.payload_size) t.payload_size = *patch.payload_size;
  if (patch.paused) t.paused = *patch.paused;
  if (patch.job_only) t.job_only = *patch.job_only;
  if (patch.description) t.description = *patch.description;
  for (const auto& key : patch.remove_tags) t.tags.erase(key);
  for (const auto& [key, value] : patch.set_tags) t.tags[key] = value;

  auto kind = classify_host(t.host);
  if (!kind) return std::unexpected(kind.error());
  if (t.name.empty()) t.name = t.host;
  if (auto ok = validate_name(t.name); !ok) return ok;
  if (*kind == HostKind::ipv4 && t.family == Family::v6) {
    return invalid_input(fmt::format("host {} is an IPv4 address but IPv6 (-6) was requested", t.host));
  }
  if (*kind == HostKind::ipv6 && t.family == Family::v4) {
    return invalid_input(fmt::format("host {} is an IPv6 address but IPv4 (-4) was requested", t.host));
  }
  if (auto ok = check_duration("interval", t.interval, k_min_interval, k_max_interval); !ok) return ok;
  if (auto ok = check_duration("timeout", t.timeout, k_min_timeout, k_max_timeout); !ok) return ok;
  if (t.payload_size < 0 || t.payload_size > k_max_payload) {
    return invalid_input(
        fmt::format("payload size {} is out of range: use 0 to {} bytes", t.payload_size, k_max_payload));
  }
  if (t.probe == ProbeKind::icmp) {
    if (patch.port && !patch.probe.has_value() && target.probe == ProbeKind::icmp) {
      return invalid_input("a port applies to TCP probes only: set the probe to tcp");
    }
    if (patch.port && patch.probe == ProbeKind::icmp) {
      return invalid_input("a port applies to TCP probes only, not ICMP");
    }
    t.port.reset();
  } else {
    if (!t.port) t.port = k_default_tcp_port;
    if (*t.port < 1 || *t.port > 65535) {
      return invalid_input(fmt::format("port {} is out of range: use 1 to 65535", *t.port));
    }
  }
  if (auto ok = check_description(t.description); !ok) return ok;
  target = std::move(t);
  return {};
}

Expected<Target> make_target(std::string_view host, const TargetPatch& patch) {
  Target t;
  t.host = std::string(host);
  if (auto ok = apply_patch(t, patch); !ok) return std::unexpected(ok.error());
  return t;
}

}  // namespace pk::core
