#pragma once

#include "serve/http.hpp"
#include "serve/state.hpp"
#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace date {
class time_zone;
}

// What the /api/v1 handlers share: query parameters parsed as the CLI parses
// its options, and failures carried as the response to answer.
namespace pk::serve::v1 {

// A value, or the response a handler answers instead.
template <typename T>
using Reply = std::expected<T, Response>;

// error_response(error) / error_response(status, detail), ready to return
// from a function that gives a Reply.
std::unexpected<Response> fail(const Error& error);
std::unexpected<Response> fail(int status, std::string_view detail);

// A connection from the pool; 500 without details when none opens.
Reply<DbPool::Lease> open_db(ServeState& state);

// The zone of local hours and days (stats by, exports): query parameter `tz`
// (an IANA name), else UTC. 422 for an unknown zone.
Reply<const date::time_zone*> zone_param(const Request& r);

// [since, until) from the query parameters since, until and last, read as
// the CLI reads --since, --until and --last (query::parse_range) in `zone`
// at `now`; since defaults to `default_since` before now. 422 naming the
// parameter.
Reply<std::pair<util::SysMicros, util::SysMicros>> range_param(const Request& r, util::SysMicros now,
                                                               const date::time_zone* zone, util::Micros default_since);

// A duration parameter (util::parse_duration syntax: 30s, 1h30m); nullopt
// when absent, 422 naming the parameter when malformed.
Reply<std::optional<util::Micros>> duration_param(const Request& r, std::string_view name);

// An integer parameter in [min, max] (serve::int_param); 422 when not.
Reply<std::optional<std::int64_t>> integer_param(const Request& r, std::string_view name, std::int64_t min,
                                                 std::int64_t max);

// Every value of a parameter that may be repeated, each split at commas,
// blanks trimmed: target=a&target=b,c gives {a, b, c}.
std::vector<std::string> list_param(const Request& r, std::string_view name);

// The opaque pagination cursor of a sample list: base64url of the last
// sample's time (µs since the epoch). decode_cursor gives nullopt for text
// that no encode_cursor wrote.
std::string encode_cursor(util::SysMicros last);
std::optional<util::SysMicros> decode_cursor(std::string_view cursor);

}  // namespace pk::serve::v1
