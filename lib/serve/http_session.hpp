#pragma once

#include "serve/context.hpp"
#include "serve/http.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>

namespace pk::serve {

// One HTTP/1.1 connection: reads a request (header and body limits of
// ServeOptions, the idle timeout), answers it, and reads the next while the
// client keeps the connection alive; hands a WebSocket upgrade of
// /api/ws/ping-status to a WsSession. Requests are answered one at a time:
// a repeat of a cached answer on this thread (cached_answer), any other by
// its handler on the blocking pool.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
  void run();

 private:
  using StringRequest = boost::beast::http::request<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void upgrade(StringRequest&& request);
  void answer(Response response, bool keep_alive, bool head, unsigned version);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void fail(int status, std::string_view detail);
  void do_close();

  boost::beast::tcp_stream m_stream;
  ServerContext& m_ctx;
  boost::beast::flat_buffer m_buffer;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
  std::shared_ptr<void> m_response;  // the response being written
};

// Turns a Beast request into a Request; nullopt when the target is malformed.
std::optional<Request> to_request(const boost::beast::http::request<boost::beast::http::string_body>& request);

// The answer to a request: security, CORS, routing, errors. Runs the handler
// (which may block on the database); never throws. After a mutating request
// (POST, PUT, PATCH, DELETE) no answer cached before it is served.
Response respond(const Request& request, ServerContext& ctx);

// The cached answer to a GET or HEAD (ServeState::cache, with security and
// CORS as respond() applies them), without touching the database: the I/O
// thread answers it. When the entry is stale, its replacement is computed on
// the blocking pool. nullopt: respond() must answer.
std::optional<Response> cached_answer(const Request& request, ServerContext& ctx);

}  // namespace pk::serve
