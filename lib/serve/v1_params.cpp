#include "serve/v1_params.hpp"

#include "query/scope.hpp"
#include "util/strings.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <charconv>

namespace pk::serve::v1 {

namespace {

constexpr std::string_view k_base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The same Error with its message prefixed by the parameter's name.
Error naming(std::string_view name, const Error& e) {
  return Error{e.kind, fmt::format("query parameter '{}': {}", name, e.message)};
}

}  // namespace

std::unexpected<Response> fail(const Error& error) { return std::unexpected(error_response(error)); }

std::unexpected<Response> fail(int status, std::string_view detail) {
  return std::unexpected(error_response(status, detail));
}

Reply<DbPool::Lease> open_db(ServeState& state) {
  auto lease = state.db.acquire();
  if (!lease) return fail(lease.error());
  return std::move(*lease);
}

Reply<const date::time_zone*> zone_param(const Request& r) {
  auto name = r.query_param("tz");
  auto zone = util::locate_zone(name ? *name : "UTC");
  if (!zone) return fail(naming("tz", zone.error()));
  return *zone;
}

Reply<std::pair<util::SysMicros, util::SysMicros>> range_param(const Request& r, util::SysMicros now,
                                                               const date::time_zone* zone,
                                                               util::Micros default_since) {
  query::RangeText text{r.query_param("since"), r.query_param("until"), r.query_param("last")};
  if (text.last && (text.since || text.until)) {
    return fail(422, "query parameter 'last' excludes 'since' and 'until'");
  }
  // Each text alone first, so that an error names its parameter.
  for (const auto& [name, value] : {std::pair{"since", text.since}, std::pair{"until", text.until}}) {
    if (!value) continue;
    if (auto t = util::parse_time_point(*value, now, zone); !t) return fail(naming(name, t.error()));
  }
  if (text.last) {
    if (auto d = util::parse_duration(*text.last); !d) return fail(naming("last", d.error()));
  }
  auto range = query::parse_range(text, now, zone, default_since, {"since", "until", "last"});
  if (!range) return fail(range.error());
  return *range;
}

Reply<std::optional<util::Micros>> duration_param(const Request& r, std::string_view name) {
  auto d = util::parse_optional_duration(r.query_param(name));
  if (!d) return fail(naming(name, d.error()));
  return *d;
}

Reply<std::optional<std::int64_t>> integer_param(const Request& r, std::string_view name, std::int64_t min,
                                                 std::int64_t max) {
  auto value = serve::int_param(r, name, min, max);
  if (!value) return fail(value.error());
  return *value;
}

std::vector<std::string> list_param(const Request& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [key, value] : r.query) {
    if (key != name) continue;
    for (auto part : util::split(value, ',')) {
      auto t = util::trim(part);
      if (!t.empty()) out.emplace_back(t);
    }
  }
  return out;
}

std::string encode_cursor(util::SysMicros last) {
  const std::string text = std::to_string(util::to_epoch_us(last));
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(k_base64url[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(k_base64url[(bits << (6 - count)) & 63]);
  return out;
}

std::optional<util::SysMicros> decode_cursor(std::string_view cursor) {
  std::string text;
  unsigned bits = 0;
  int count = 0;
  for (char c : cursor) {
    auto index = k_base64url.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(index);
    count += 6;
    if (count >= 8) {
      count -= 8;
      text.push_back(static_cast<char>((bits >> count) & 255));
    }
  }
  std::int64_t us = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, us);
  if (text.empty() || ec != std::errc{} || ptr != end || us < 0) return std::nullopt;
  if (encode_cursor(util::from_epoch_us(us)) != cursor) return std::nullopt;  // only what we wrote
  return util::from_epoch_us(us);
}

}  // namespace pk::serve::v1
