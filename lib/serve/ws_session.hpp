#pragma once

#include "serve/context.hpp"
#include "serve/hub.hpp"
#include "serve/ws_protocol.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

namespace pk::serve {

// One WebSocket client of /api/ws/ping-status. Every handler runs on the
// session's strand. Outgoing messages wait in a bounded queue: a client that
// lets ServeOptions::ws_queue_limit messages pile up is closed with 1008
// (policy) and counted, so a slow reader never grows the server's memory.
// Questions that read the database run on the blocking pool.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
  ~WsSession();
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  // Completes the upgrade the HTTP session read, then talks.
  void start(boost::beast::http::request<boost::beast::http::string_body> request);

  // From any thread: queue the batch's results this client subscribed to /
  // one message / a close with 1001.
  void deliver(const std::shared_ptr<const LiveBatch>& batch);
  void send(const std::shared_ptr<const std::string>& message);
  void going_away();

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(const ws::ClientMessage& message);
  void subscribe(const ws::ClientMessage& message);
  void queue(std::shared_ptr<const std::string> message);
  void queue_text(std::string text) { queue(std::make_shared<const std::string>(std::move(text))); }
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void close(boost::beast::websocket::close_code code);
  void do_close();

  boost::beast::websocket::stream<boost::beast::tcp_stream> m_ws;
  ServerContext& m_ctx;
  boost::beast::flat_buffer m_buffer;
  std::deque<std::shared_ptr<const std::string>> m_queue;
  bool m_writing = false;
  bool m_joined = false;
  bool m_closing = false;  // no more messages; close once the write in flight is done
  bool m_closed = false;
  boost::beast::websocket::close_code m_close_code = boost::beast::websocket::close_code::normal;
  bool m_all = true;  // every target, until the first subscribe_host
  std::unordered_set<std::int64_t> m_subscribed;
  std::string m_id;
};

}  // namespace pk::serve
