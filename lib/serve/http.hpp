#pragma once

#include "core/json.hpp"
#include "util/expected.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The HTTP request and response as route handlers see them: plain values, no
// Beast types, so handlers are unit-tested without a socket.
namespace pk::serve {

enum class Method { get, post, put, patch, del, head, options, other };
std::string_view to_string(Method m);

struct Request {
  Method method = Method::get;
  std::string target;  // as sent: path and query string, not decoded
  std::string path;    // percent-decoded, without the query string
  // Query parameters in order, percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  // Header fields the handlers read, names lower case (accept, content-type,
  // authorization, origin, ...).
  std::map<std::string, std::string> headers;
  std::string body;
  // Filled by the router: the {name} segments of the matched pattern.
  std::map<std::string, std::string> params;

  // The first value of a query parameter; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // A header field (name lower case); empty when absent.
  std::string header(std::string_view name) const;
  // A path parameter filled by the router (empty when absent).
  const std::string& param(std::string_view name) const;
};

// A response. A handler sets status, body and content_type; for a large
// download it may instead name a file to stream (`file`, deleted after it is
// sent when `delete_file`), with the headers (Content-Disposition) it needs.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> file;
  bool delete_file = false;
};

// 200 (or `status`) with a JSON body.
Response json_response(const core::Json& body, int status = 200);
// `{"detail": detail}` with `status`; the text must never hold SQL, file
// paths or internals.
Response error_response(int status, std::string_view detail);
// An Error of the library mapped to its status: invalid_input 422, not_found
// 404, busy 409, permission 403; io and database 500 with a generic detail
// (the message is not shown: it may name paths or SQL).
Response error_response(const Error& error);

// Parses an integer query parameter in [min, max]: nullopt when absent; an
// Error (invalid_input naming the parameter and the range) when it is not an
// integer or out of range. The seed surface answers such errors with 422.
Expected<std::optional<std::int64_t>> int_param(const Request& r, std::string_view name, std::int64_t min,
                                                std::int64_t max);

// Percent-decodes `text` ('+' as a space when `plus_is_space`); nullopt when
// a % escape is malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Splits a request target "/a/b?x=1&y=2" into path and query (both decoded);
// nullopt when it is malformed.
std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> split_target(
    std::string_view target);

}  // namespace pk::serve
