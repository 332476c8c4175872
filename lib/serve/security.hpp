#pragma once

#include "serve/http.hpp"
#include "serve/state.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Who may do what (API.md "Security"): bearer tokens, --read-only and the
// CORS allow-list, as pure functions of the request and the options.
namespace pk::serve {

// POST, PUT, PATCH and DELETE change something.
bool is_mutating(Method method);

// The refusal of a request before it is routed, or nullopt to go on:
// 401 (with WWW-Authenticate) without a valid bearer token where tokens are
// required (every mutating request when tokens are set; every request with
// token_reads); 403 for a mutating request on a --read-only server.
std::optional<Response> check_access(const Request& request, const ServeOptions& options);

// Refuses what a web page could make a browser do behind its user's back:
// a request that changes something, or a WebSocket upgrade, from a page whose
// Origin is not on the allow-list (403); and, on a loopback server whose
// reads need no token (no --token-file, or no --token-reads; unless
// insecure), a Host header that is not a loopback name or address (DNS
// rebinding: a page of another name that resolves to 127.0.0.1; 403).
// Requests without Origin (curl, scripts) pass; HTTP/1.0 requests without
// Host too (HTTP/1.1 ones are refused before: check_host_fields).
std::optional<Response> check_browser(const Request& request, const ServeOptions& options, bool upgrade);

// Is a Host field value a loopback name or address ("localhost",
// "x.localhost", 127.0.0.0/8, "[::1]"), with at most a ":port" after it?
bool is_loopback_host(std::string_view host);

// The refusal (400) of a request whose Host fields break RFC 9112 3.2: more
// than one, or none in an HTTP/1.1 request (version 11); nullopt otherwise.
std::optional<Response> check_host_fields(std::size_t host_fields, unsigned version);

// Is `origin` in the allow-list ("*" allows any)?
bool origin_allowed(std::string_view origin, const ServeOptions& options);

// A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method):
// 204 with the Access-Control-Allow-* headers for an allowed origin, 403
// otherwise.
Response preflight(const Request& request, const ServeOptions& options);

// Adds Access-Control-Allow-Origin (and Vary: Origin) to a response to an
// allowed origin's request.
void add_cors_headers(const Request& request, const ServeOptions& options, Response& response);

// Reads bearer tokens from a file: one per line, blank lines and lines
// starting with # ignored; invalid_input when there is none or a token is
// shorter than 16 characters; io when unreadable.
Expected<std::vector<std::string>> read_token_file(const std::string& path);

// Is "host:port" / "[v6]:port" a loopback address (127.0.0.0/8, ::1, localhost)?
bool is_loopback_listen(std::string_view listen);

}  // namespace pk::serve
