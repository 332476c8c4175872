#pragma once

#include "serve/context.hpp"
#include "serve/hub.hpp"
#include "serve/ws_frame.hpp"
#include "serve/ws_protocol.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <sys/uio.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace pk::serve {

// One WebSocket client of /api/ws/ping-status. Beast answers the upgrade;
// then the session speaks RFC 6455 itself (ws_frame.hpp) so that the live
// feed's frames, built once for every client, go out in one write per batch:
// catch_up() and send() run on the caller's thread and, when nothing waits
// for the socket, hand the frames to the kernel at once (a non-blocking
// gather send); what the socket does not take waits in a bounded queue that an
// asynchronous write drains. A client that lets ServeOptions::ws_queue_limit
// frames pile up is closed with 1008 (policy) and counted, so a slow reader
// never grows the server's memory. Reads, client messages and the socket's
// lifetime belong to the session's strand; the queue, the subscription and
// the socket's "closed" state to a mutex (the socket is closed only under it,
// so no send ever reaches a descriptor number reused by another connection).
// Questions that read the database run on the blocking pool.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using Clock = std::chrono::steady_clock;

  WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
  ~WsSession();
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  // Completes the upgrade the HTTP session read, then talks.
  void start(boost::beast::http::request<boost::beast::http::string_body> request);

  // The live feed's thread: the frames of `log` (sequence numbers from
  // `base`) after this session's cursor that it subscribed to, sent at once
  // as far as the socket takes them; the cursor moves to the log's end.
  void catch_up(const std::vector<LiveMessage>& log, std::uint64_t base);
  // From any thread: one server-wide frame / a close with 1001.
  void send(const std::shared_ptr<const std::string>& frame);
  void going_away();
  // From any thread (the server's ticker): a client silent for half the idle
  // timeout gets a ping frame, one silent for all of it is disconnected, and
  // one that does not finish a close handshake within 5 s too.
  void check_idle(Clock::time_point now);

 private:
  using Frame = std::shared_ptr<const std::string>;

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_event(ws::Event& event);
  void on_text(const std::string& text);
  void handle(const ws::ClientMessage& message);
  void subscribe(const ws::ClientMessage& message);
  // Counts a database question in flight; false (an error reply sent) at the limit.
  bool take_question();
  void queue_text(const std::string& text);
  void close(std::uint16_t code);

  // Under m_mutex.
  void push_locked(Frame frame);
  void flush_locked();
  void close_locked(std::uint16_t code);
  void send_now_locked();
  // One non-blocking gather send: the bytes the kernel took (0: none), or
  // nullopt when the connection is gone (then the session is closed).
  std::optional<std::size_t> send_locked(const iovec* iov, std::size_t n);
  void start_write_locked();
  void close_socket_locked();
  void post_close_socket();  // close_socket_locked() on the strand

  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void finish_close();

  ServerContext& m_ctx;
  // The upgrade; the socket moves out of it once the handshake is done.
  std::unique_ptr<boost::beast::websocket::stream<boost::beast::tcp_stream>> m_handshake;
  std::optional<boost::asio::ip::tcp::socket> m_socket;
  int m_fd = -1;
  std::array<char, 2048> m_read_buffer{};
  ws::FrameReader m_reader;
  std::atomic<Clock::rep> m_last_heard{0};
  std::atomic<bool> m_pinged{false};
  bool m_joined = false;
  int m_questions = 0;  // database questions in flight (strand)

  mutable std::mutex m_mutex;
  std::deque<Frame> m_queue;      // frames not yet (all) sent; the front may be partly sent
  std::size_t m_front_sent = 0;   // bytes of the front already sent
  bool m_writing = false;         // an asynchronous write is posted or in flight
  std::size_t m_in_flight = 0;    // frames in that write
  std::vector<boost::asio::const_buffer> m_write_buffers;
  bool m_open = false;            // the handshake is done
  bool m_closing = false;         // a close frame is queued: nothing more
  bool m_close_sent = false;      // ... and sent
  bool m_peer_closed = false;     // the client's close frame came
  bool m_closed = false;          // the socket is closed
  Clock::time_point m_closing_since{};
  std::uint64_t m_cursor = 0;     // the live feed's next result for this session
  bool m_all = true;              // every target, until the first subscribe_host
  std::unordered_set<std::int64_t> m_subscribed;
  std::string m_id;
};

}  // namespace pk::serve
