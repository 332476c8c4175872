#include "serve/http.hpp"

#include <fmt/format.h>

#include <charconv>

namespace pk::serve {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::head: return "HEAD";
    case Method::options: return "OPTIONS";
    case Method::other: break;
  }
  return "OTHER";
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string{} : it->second;
}

const std::string& Request::param(std::string_view name) const {
  static const std::string empty;
  auto it = params.find(std::string(name));
  return it == params.end() ? empty : it->second;
}

Response json_response(const core::Json& body, int status) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  return r;
}

Response error_response(int status, std::string_view detail) {
  return json_response(core::Json{{"detail", detail}}, status);
}

Response error_response(const Error& error) {
  switch (error.kind) {
    case ErrorKind::invalid_input: return error_response(422, error.message);
    case ErrorKind::not_found: return error_response(404, error.message);
    case ErrorKind::busy: return error_response(409, error.message);
    case ErrorKind::permission:
      // The library's text may name files (lock files, the binary to setcap).
      return error_response(403, "permission denied: the server's process is not allowed to do this");
    case ErrorKind::io:
    case ErrorKind::database: break;
  }
  return error_response(500, "internal error: the server could not complete the request");
}

Expected<std::optional<std::int64_t>> int_param(const Request& r, std::string_view name, std::int64_t min,
                                                std::int64_t max) {
  auto text = r.query_param(name);
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end) {
    return invalid_input(fmt::format("query parameter '{}' must be an integer, got '{}'", name, *text));
  }
  if (value < min || value > max) {
    return invalid_input(fmt::format("query parameter '{}' must be between {} and {}, got {}", name, min, max, value));
  }
  return std::optional<std::int64_t>{value};
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> split_target(
    std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  auto q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path || path->find('\0') != std::string::npos) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> query;
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      std::string_view part = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (part.empty()) continue;
      auto eq = part.find('=');
      auto key = percent_decode(part.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      query.emplace_back(std::move(*key), std::move(*value));
    }
  }
  return std::pair{std::move(*path), std::move(query)};
}

}  // namespace pk::serve
