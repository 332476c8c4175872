#include "serve/http_session.hpp"

#include "serve/security.hpp"
#include "serve/ws_session.hpp"
#include "util/strings.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <filesystem>

namespace pk::serve {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

constexpr std::string_view k_ws_path = "/api/ws/ping-status";

Method to_method(http::verb verb) {
  switch (verb) {
    case http::verb::get: return Method::get;
    case http::verb::post: return Method::post;
    case http::verb::put: return Method::put;
    case http::verb::patch: return Method::patch;
    case http::verb::delete_: return Method::del;
    case http::verb::head: return Method::head;
    case http::verb::options: return Method::options;
    default: return Method::other;
  }
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (auto m : methods) {
    if (!out.empty()) out += ", ";
    out += to_string(m);
  }
  return out;
}

}  // namespace

std::optional<Request> to_request(const http::request<http::string_body>& request) {
  auto target = split_target(std::string_view(request.target().data(), request.target().size()));
  if (!target) return std::nullopt;
  Request r;
  r.method = to_method(request.method());
  r.target = std::string(request.target());
  r.path = std::move(target->first);
  r.query = std::move(target->second);
  for (const auto& field : request) {
    auto name = field.name_string();
    r.headers.emplace(util::to_lower(std::string_view(name.data(), name.size())), std::string(field.value()));
  }
  r.body = request.body();
  return r;
}

std::optional<Response> cached_answer(const Request& request, ServerContext& ctx) {
  if (request.method != Method::get && request.method != Method::head) return std::nullopt;
  const auto& options = ctx.state.options;
  if (check_browser(request, options, false) || check_access(request, options)) return std::nullopt;
  auto found = ctx.state.cache.find(cache_key(request), ResponseCache::Clock::now());
  if (!found) return std::nullopt;
  if (found->refresh) {
    // The route's cached() wrapper stores the new answer.
    net::post(ctx.blocking, [&ctx, request] { (void)respond(request, ctx); });
  }
  ++ctx.state.counters.http_cache_hits;
  Response response = *found->response;
  add_cors_headers(request, options, response);
  return response;
}

Response respond(const Request& request, ServerContext& ctx) {
  const auto& options = ctx.state.options;
  try {
    if (request.method == Method::options && !request.header("origin").empty() &&
        !request.header("access-control-request-method").empty()) {
      return preflight(request, options);
    }
    auto refused = check_browser(request, options, false);
    if (!refused) refused = check_access(request, options);
    Response response;
    if (refused) {
      response = std::move(*refused);
    } else {
      Method method = request.method == Method::head ? Method::get : request.method;
      auto match = ctx.router.match(method, request.path);
      if (match.handler != nullptr) {
        Request routed = request;
        routed.params = std::move(match.params);
        // After a handler that may change the database (even one that
        // throws): no answer cached before it is served, so the client reads
        // its own change next. Refused requests changed nothing.
        struct ClearAfter {
          ResponseCache* cache;
          ~ClearAfter() {
            if (cache != nullptr) cache->cleared();
          }
        } clear_after{method == Method::get || method == Method::options ? nullptr : &ctx.state.cache};
        response = (*match.handler)(routed, ctx.state);
      } else if (!match.allowed.empty()) {
        response = error_response(405, "Method Not Allowed");
        response.headers.emplace_back("Allow", allow_header(match.allowed));
      } else {
        response = error_response(404, "Not Found");
      }
    }
    add_cors_headers(request, options, response);
    return response;
  } catch (const std::exception&) {
    // Never the exception's text: it may hold SQL or paths.
    return error_response(500, "internal error: the server could not complete the request");
  }
}

HttpSession::HttpSession(net::ip::tcp::socket&& socket, ServerContext& ctx) : m_stream(std::move(socket)), m_ctx(ctx) {}

void HttpSession::run() {
  net::dispatch(m_stream.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  if (m_ctx.stopping) {
    do_close();
    return;
  }
  m_parser.emplace();
  m_parser->header_limit(static_cast<std::uint32_t>(m_ctx.state.options.max_header));
  m_parser->body_limit(m_ctx.state.options.max_body);
  m_stream.expires_after(m_ctx.state.options.idle_timeout);
  http::async_read(m_stream, m_buffer, *m_parser, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == net::error::eof) {
    do_close();
    return;
  }
  if (ec == http::error::body_limit) return fail(413, "the request body is too large (at most 1 MiB)");
  if (ec == http::error::header_limit) return fail(431, "the request header is too large (at most 16 KiB)");
  if (ec) return fail(400, "malformed HTTP request");

  auto request = m_parser->release();
  ++m_ctx.state.counters.http_requests;
  if (auto bad = check_host_fields(request.count(http::field::host), request.version())) {
    answer(std::move(*bad), false, request.method() == http::verb::head, request.version());
    return;
  }
  if (beast::websocket::is_upgrade(request)) return upgrade(std::move(request));

  auto parsed = to_request(request);
  bool keep_alive = request.keep_alive();
  bool head = request.method() == http::verb::head;
  unsigned version = request.version();
  if (!parsed) {
    answer(error_response(400, "malformed request target"), false, head, version);
    return;
  }
  if (auto hit = cached_answer(*parsed, m_ctx)) {
    answer(std::move(*hit), keep_alive, head, version);
    return;
  }
  net::post(m_ctx.blocking, [self = shared_from_this(), req = std::move(*parsed), keep_alive, head, version]() {
    auto response = respond(req, self->m_ctx);
    net::post(self->m_stream.get_executor(),
              [self, response = std::move(response), keep_alive, head, version]() mutable {
                self->answer(std::move(response), keep_alive, head, version);
              });
  });
}

void HttpSession::upgrade(StringRequest&& request) {
  auto parsed = to_request(request);
  Response refusal;
  if (!parsed || (parsed->path != k_ws_path && parsed->path != std::string(k_ws_path) + "/")) {
    refusal = error_response(404, "Not Found");
  } else if (auto browser = check_browser(*parsed, m_ctx.state.options, true)) {
    refusal = std::move(*browser);
  } else if (auto refused = check_access(*parsed, m_ctx.state.options)) {
    refusal = std::move(*refused);
  } else if (m_ctx.hub.size() >= m_ctx.state.options.max_ws_clients) {
    ++m_ctx.state.counters.ws_rejected;
    refusal = error_response(503, "too many WebSocket clients; try again later");
  } else if (m_ctx.stopping) {
    refusal = error_response(503, "the server is stopping");
  } else {
    m_stream.expires_never();
    std::make_shared<WsSession>(m_stream.release_socket(), m_ctx)->start(std::move(request));
    return;
  }
  answer(std::move(refusal), false, false, request.version());
}

void HttpSession::answer(Response response, bool keep_alive, bool head, unsigned version) {
  if (response.status >= 500) ++m_ctx.state.counters.http_errors;
  if (m_ctx.stopping) keep_alive = false;
  const auto status = static_cast<http::status>(response.status);
  auto set_common = [&](auto& res) {
    res.set(http::field::server, "pingkeeper/" PK_VERSION);
    if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res.set(name, value);
    res.keep_alive(keep_alive);
  };
  auto write = [&](auto res, std::chrono::seconds timeout) {
    m_response = res;
    m_stream.expires_after(timeout);
    http::async_write(m_stream, *res,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
  };
  if (response.file && !head) {
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(response.file->c_str(), beast::file_mode::scan, ec);
    if (response.delete_file) std::remove(response.file->c_str());  // open: the data stays until it is sent
    if (ec) {
      return answer(error_response(500, "internal error: the download could not be read"), keep_alive, head, version);
    }
    auto res = std::make_shared<http::response<http::file_body>>(
        std::piecewise_construct, std::make_tuple(std::move(body)), std::make_tuple(status, version));
    set_common(*res);
    res->prepare_payload();
    return write(res, std::chrono::minutes{10});
  }
  // A body; for HEAD only its length (a download's: the file's size).
  std::uint64_t length = response.body.size();
  if (response.file) {
    std::error_code size_error;
    length = std::filesystem::file_size(*response.file, size_error);
    if (size_error) length = 0;
    if (response.delete_file) std::remove(response.file->c_str());
  }
  auto res = std::make_shared<http::response<http::string_body>>(status, version);
  set_common(*res);
  if (!head) res->body() = std::move(response.body);
  res->prepare_payload();
  if (head) res->content_length(length);
  write(res, std::chrono::seconds{30});
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  m_response.reset();
  if (ec) return do_close();
  if (!keep_alive) return do_close();
  do_read();
}

void HttpSession::fail(int status, std::string_view detail) {
  // The stream's state is unknown after a parse error: answer and close.
  answer(error_response(status, detail), false, false, 11);
}

void HttpSession::do_close() {
  beast::error_code ec;
  m_stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace pk::serve
