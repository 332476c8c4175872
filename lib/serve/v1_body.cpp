#include "serve/v1_body.hpp"

#include "util/duration.hpp"
#include "util/strings.hpp"

#include <climits>
#include <fmt/format.h>

namespace pk::serve::v1 {

namespace {

std::unexpected<Response> bad_field(std::string_view name, std::string_view why) {
  return fail(422, fmt::format("field '{}' {}", name, why));
}

Reply<std::string> text(std::string_view name, const core::Json& v) {
  if (!v.is_string()) return bad_field(name, "must be a string");
  return v.get<std::string>();
}

Reply<int> integer(std::string_view name, const core::Json& v) {
  if (!v.is_number_integer()) return bad_field(name, "must be an integer");
  const auto n = v.get<std::int64_t>();
  if (n < INT_MIN || n > INT_MAX) return bad_field(name, "is out of range");
  return static_cast<int>(n);
}

Reply<bool> boolean(std::string_view name, const core::Json& v) {
  if (!v.is_boolean()) return bad_field(name, "must be true or false");
  return v.get<bool>();
}

// A duration as the CLI takes it ("1s"), or a number of milliseconds.
Reply<std::string> duration(std::string_view name, const core::Json& v) {
  if (v.is_number_integer() || v.is_number_float()) {
    if (v.get<double>() < 0) return bad_field(name, "must not be negative");
    return v.is_number_integer() ? fmt::format("{}ms", v.get<std::int64_t>()) : fmt::format("{}ms", v.get<double>());
  }
  if (!v.is_string()) return bad_field(name, "must be a duration such as \"1s\" or a number of milliseconds");
  // Parsed here too, so that the error names the field.
  if (auto d = util::parse_duration(v.get<std::string>()); !d)
    return bad_field(name, "is invalid: " + d.error().message);
  return v.get<std::string>();
}

// A list given as an array of strings or as one string.
Reply<std::vector<std::string>> strings(std::string_view name, const core::Json& v) {
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) return bad_field(name, "must be a string or an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) return bad_field(name, "must be a string or an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A list written as the CLI's comma-separated option text.
Reply<std::string> comma_list(std::string_view name, const core::Json& v) {
  auto items = strings(name, v);
  if (!items) return std::unexpected(items.error());
  return util::join(*items, ",");
}

Reply<std::vector<std::string>> tags(const core::Json& v) {
  if (!v.is_object()) return strings("tags", v);
  std::vector<std::string> out;
  for (const auto& [key, value] : v.items()) {
    if (!value.is_string()) return bad_field("tags", "must map each key to a string");
    out.push_back(key + "=" + value.get<std::string>());
  }
  return out;
}

Reply<void> family(core::TargetOptions& o, const core::Json& v) {
  const std::string f = v.is_number_integer() ? std::to_string(v.get<std::int64_t>())
                        : v.is_string()       ? v.get<std::string>()
                                              : "";
  if (f == "4" || f == "ipv4") {
    o.ipv4 = true;
  } else if (f == "6" || f == "ipv6") {
    o.ipv6 = true;
  } else if (f == "any") {
    o.any_family = true;
  } else {
    return bad_field("family", "must be any, ipv4 or ipv6");
  }
  return {};
}

// Assigns `value` (or its failure) to `out`.
template <typename T, typename U>
Reply<void> set(U& out, Reply<T> value) {
  if (!value) return std::unexpected(value.error());
  out = std::move(*value);
  return {};
}

Reply<void> target_field(core::TargetOptions& o, const std::string& key, const core::Json& v, bool edit) {
  if (key == "name") return set(o.name, text(key, v));
  if (key == "host") return set(o.host, text(key, v));
  if (key == "interval") return set(o.interval, duration(key, v));
  if (key == "timeout") return set(o.timeout, duration(key, v));
  if (key == "probe") return set(o.probe, text(key, v));
  if (key == "port") return set(o.port, integer(key, v));
  if (key == "size") return set(o.size, integer(key, v));
  if (key == "description") return set(o.description, text(key, v));
  if (key == "tags") return set(o.tags, tags(v));
  if (key == "untag" && edit) return set(o.untags, strings(key, v));
  if (key == "family") return family(o, v);
  if (key == "paused" || key == "job_only") {
    auto on = boolean(key, v);
    if (!on) return std::unexpected(on.error());
    if (key == "paused") (*on ? o.paused : o.unpaused) = 1;
    if (key == "job_only") (*on ? o.job_only : o.continuous) = 1;
    return {};
  }
  return bad_field(key, "is not a target setting");
}

Reply<void> job_field(core::JobOptions& o, const std::string& key, const core::Json& v, bool edit) {
  if (key == "name") return set(o.rename, text(key, v));
  if (key == "targets") return set(o.targets, comma_list(key, v));
  if (key == "add_targets" && edit) return set(o.add_targets, comma_list(key, v));
  if (key == "remove_targets" && edit) return set(o.remove_targets, comma_list(key, v));
  if (key == "interval") return set(o.interval, duration(key, v));
  if (key == "count") return set(o.count, integer(key, v));
  if (key == "start" || key == "end") {
    auto& field = key == "start" ? o.start : o.end;
    if (v.is_null() && edit) {
      field = "none";
      return {};
    }
    return set(field, text(key, v));
  }
  if (key == "windows") return set(o.windows, strings(key, v));
  if (key == "tz") return set(o.tz, text(key, v));
  if (key == "metrics") return set(o.metrics, comma_list(key, v));
  if (key == "path_every") return set(o.path_every, duration(key, v));
  if (key == "description") return set(o.description, text(key, v));
  return bad_field(key, "is not a job setting");
}

}  // namespace

Reply<core::Json> json_object_body(const Request& r) {
  auto body = core::Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return fail(400, "the request body is not valid JSON");
  if (!body.is_object()) return fail(400, "the request body must be a JSON object");
  return body;
}

Reply<core::TargetOptions> target_options(const core::Json& body, bool edit) {
  core::TargetOptions o;
  for (const auto& [key, value] : body.items()) {
    if (auto ok = target_field(o, key, value, edit); !ok) return std::unexpected(ok.error());
  }
  if (!edit && !o.host) return bad_field("host", "is required");
  return o;
}

Reply<core::JobOptions> job_options(const core::Json& body, bool edit) {
  core::JobOptions o;
  for (const auto& [key, value] : body.items()) {
    if (auto ok = job_field(o, key, value, edit); !ok) return std::unexpected(ok.error());
  }
  if (!edit && !o.rename) return bad_field("name", "is required");
  if (!edit && !o.targets) return bad_field("targets", "is required");
  return o;
}

}  // namespace pk::serve::v1
