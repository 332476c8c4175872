#include "serve/ws_session.hpp"

#include "serve/seed_api.hpp"
#include "store/samples.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace pk::serve {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

std::atomic<std::int64_t> g_next_id{1};
// At most this many stored results are sent for a subscribe_host's `since`
// (the newest ones), so a backfill never trips the send queue's limit.
constexpr std::int64_t k_max_backfill = 500;
constexpr std::size_t k_max_client_message = 64 * 1024;
// Questions of one client that read the database, waiting or running at once;
// more get an error reply (one client cannot flood the server's pool).
constexpr int k_max_questions = 4;
// Frames handed to the kernel in one gather send or write.
constexpr std::size_t k_max_gather = 64;
// A close handshake the client does not finish within this ends the connection.
constexpr auto k_close_timeout = std::chrono::seconds{5};

WsSession::Clock::rep ticks(WsSession::Clock::time_point t) { return t.time_since_epoch().count(); }

}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, ServerContext& ctx)
    : m_ctx(ctx),
      m_handshake(std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket))),
      m_reader(k_max_client_message),
      m_id(fmt::format("conn_{}", g_next_id++)) {}

WsSession::~WsSession() {
  if (!m_joined) return;
  m_ctx.hub.leave(this);
  if (m_all) --m_ctx.state.counters.ws_subscribed_all;
}

void WsSession::start(beast::http::request<beast::http::string_body> request) {
  auto& ws = *m_handshake;
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds{10});
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "pingkeeper/" PK_VERSION); }));
  ws.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  // From here on the session frames the messages itself.
  auto& stream = m_handshake->next_layer();
  stream.expires_never();
  m_socket.emplace(stream.release_socket());
  net::post(m_socket->get_executor(), [self = shared_from_this()] { self->m_handshake.reset(); });
  beast::error_code ignored;
  m_socket->non_blocking(true, ignored);
  m_fd = m_socket->native_handle();
  m_last_heard = ticks(Clock::now());
  const bool joined = !m_ctx.stopping && m_ctx.hub.join(shared_from_this());
  {
    // Nothing reaches the client before the greeting: the live feed and
    // broadcasts skip the session until it is open.
    std::lock_guard lock(m_mutex);
    m_open = true;
    if (!joined) {
      close_locked(m_ctx.stopping ? ws::close_code::going_away : ws::close_code::try_again_later);
    } else {
      m_joined = true;
      ++m_ctx.state.counters.ws_subscribed_all;
      // Live results from the feed's head on; the ones before are in the
      // live state that initial_data reads after it.
      m_cursor = m_ctx.hub.head();
      push_locked(std::make_shared<const std::string>(ws::text_frame(ws::connection_established(m_id))));
      push_locked(std::make_shared<const std::string>(ws::text_frame(ws::initial_data(m_ctx.state.live.snapshot()))));
      flush_locked();
    }
  }
  do_read();
}

void WsSession::do_read() {
  m_socket->async_read_some(net::buffer(m_read_buffer),
                            beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    // The client closed, reset, or we closed the socket: the session ends
    // with its last handler.
    std::lock_guard lock(m_mutex);
    close_socket_locked();
    return;
  }
  m_last_heard = ticks(Clock::now());
  m_pinged = false;
  m_reader.feed(m_read_buffer.data(), bytes);
  ws::Event event;
  while (m_reader.next(event)) on_event(event);
  do_read();
}

void WsSession::on_event(ws::Event& event) {
  using Kind = ws::Event::Kind;
  switch (event.kind) {
    case Kind::message:
      if (event.binary) {
        queue_text(ws::error("Invalid message format: binary messages are not understood"));
      } else {
        on_text(event.payload);
      }
      return;
    case Kind::ping: {
      std::lock_guard lock(m_mutex);
      push_locked(std::make_shared<const std::string>(ws::frame(ws::Opcode::pong, event.payload)));
      flush_locked();
      return;
    }
    case Kind::pong: return;  // hearing it was the point
    case Kind::close: {
      std::lock_guard lock(m_mutex);
      m_peer_closed = true;
      if (m_close_sent) {
        // The client answers our close: the handshake is done.
        close_socket_locked();
      } else if (!m_closing) {
        // Echo the client's code; once it is out, the server closes (RFC 6455 7.1.1).
        close_locked(event.code == 0 ? ws::close_code::normal : event.code);
      }
      // else our close is still queued: finish_close() ends it once sent.
      return;
    }
    case Kind::error: close(event.code); return;
  }
}

void WsSession::on_text(const std::string& text) {
  auto parsed = ws::parse(text);
  if (auto* reply = std::get_if<std::string>(&parsed)) {
    queue_text(*reply);
  } else {
    handle(std::get<ws::ClientMessage>(parsed));
  }
}

void WsSession::handle(const ws::ClientMessage& message) {
  using T = ws::ClientMessage::Type;
  switch (message.type) {
    case T::ping: queue_text(ws::pong(m_ctx.state.clock())); return;
    case T::pong: return;  // the heartbeat's answer: reading it was the point
    case T::subscribe_host:
    case T::unsubscribe_host: subscribe(message); return;
    default: break;
  }
  if (!take_question()) return;
  net::post(m_ctx.blocking, [self = shared_from_this(), message] {
    auto reply = ws::answer(self->m_ctx.state, message);
    net::post(self->m_socket->get_executor(), [self, reply = std::move(reply)] {
      --self->m_questions;
      self->queue_text(reply);
    });
  });
}

bool WsSession::take_question() {
  if (m_questions >= k_max_questions) {
    queue_text(ws::error("too many questions in flight: wait for the answers"));
    return false;
  }
  ++m_questions;
  return true;
}

void WsSession::subscribe(const ws::ClientMessage& message) {
  if (!take_question()) return;
  net::post(m_ctx.blocking, [self = shared_from_this(), message] {
    std::vector<core::Target> targets;
    std::vector<std::string> backfill;
    std::string failure;
    auto db = self->m_ctx.state.db.acquire();
    if (!db) {
      failure = "the host could not be looked up";
    } else if (auto found = seed::resolve_host(**db, message.host); !found) {
      failure = found.error().kind == ErrorKind::not_found ? found.error().message : "the host could not be looked up";
    } else {
      targets = std::move(*found);
      // At most half the send queue in all, so a backfill never trips the slow-client limit.
      const auto limit =
          std::min(k_max_backfill, static_cast<std::int64_t>(self->m_ctx.state.options.ws_queue_limit / 2));
      for (const auto& t : targets) {
        const auto left = limit - static_cast<std::int64_t>(backfill.size());
        if (!message.since || left <= 0) break;
        store::samples::Query q{t.id, message.since, std::nullopt, left, true};
        auto samples = store::samples::select(**db, q);
        if (!samples) continue;
        for (auto it = samples->rbegin(); it != samples->rend(); ++it)
          backfill.push_back(ws::ping_result(t, *it, true));
      }
    }
    net::post(self->m_socket->get_executor(), [self, message, targets = std::move(targets),
                                               backfill = std::move(backfill), failure = std::move(failure)] {
      --self->m_questions;
      if (!failure.empty()) {
        self->queue_text(ws::error(failure));
        return;
      }
      bool subscribing = message.type == ws::ClientMessage::Type::subscribe_host;
      core::Json ids = core::Json::array();
      for (const auto& t : targets) ids.push_back(t.name);
      // The subscription, the reply and the backfill at once: no live
      // result of the new subscription goes out before them.
      std::lock_guard lock(self->m_mutex);
      for (const auto& t : targets) {
        if (subscribing) {
          self->m_subscribed.insert(t.id);
        } else {
          self->m_subscribed.erase(t.id);
        }
      }
      const bool all = self->m_subscribed.empty();
      if (self->m_all != all) self->m_ctx.state.counters.ws_subscribed_all += all ? 1 : -1;
      self->m_all = all;
      core::Json reply{{"type", subscribing ? "subscribed" : "unsubscribed"},
                       {"host", message.host},
                       {"targets", std::move(ids)},
                       {"all_hosts", all}};
      if (subscribing) reply["backfill"] = backfill.size();
      self->push_locked(std::make_shared<const std::string>(ws::text_frame(reply.dump())));
      for (const auto& text : backfill) self->push_locked(std::make_shared<const std::string>(ws::text_frame(text)));
      self->flush_locked();
    });
  });
}

void WsSession::catch_up(const std::vector<LiveMessage>& log, std::uint64_t base) {
  std::lock_guard lock(m_mutex);
  const std::uint64_t head = base + log.size();
  if (!m_open || m_closing || m_closed || m_cursor >= head) return;
  const auto from = static_cast<std::size_t>(std::max(m_cursor, base) - base);
  m_cursor = head;
  bool any = false;
  for (std::size_t i = from; i < log.size(); ++i) {
    const auto& m = log[i];
    if (m.everyone || m_all || m_subscribed.contains(m.target_id)) {
      push_locked(m.frame);
      any = true;
    }
  }
  // With nothing waiting for the socket, flush_locked() hands the lot to
  // the kernel in one gather send.
  if (any) flush_locked();
}

void WsSession::send(const Frame& frame) {
  std::lock_guard lock(m_mutex);
  if (!m_open) return;
  push_locked(frame);
  flush_locked();
}

void WsSession::queue_text(const std::string& text) { send(std::make_shared<const std::string>(ws::text_frame(text))); }

void WsSession::going_away() { close(ws::close_code::going_away); }

void WsSession::close(std::uint16_t code) {
  std::lock_guard lock(m_mutex);
  close_locked(code);
}

void WsSession::check_idle(Clock::time_point now) {
  const auto idle = now - Clock::time_point(Clock::duration(m_last_heard.load()));
  const auto limit = m_ctx.state.options.ws_idle_timeout;
  std::lock_guard lock(m_mutex);
  if (!m_open || m_closed) return;
  if (m_closing) {
    if (now - m_closing_since >= k_close_timeout) {
      post_close_socket();
    }
    return;
  }
  if (idle >= limit) {
    // Not even a pong to our ping: the client is gone.
    post_close_socket();
  } else if (idle >= limit / 2 && !m_pinged.exchange(true)) {
    push_locked(std::make_shared<const std::string>(ws::frame(ws::Opcode::ping, {})));
    flush_locked();
  }
}

void WsSession::push_locked(Frame frame) {
  if (m_closing || m_closed) return;
  m_queue.push_back(std::move(frame));
}

void WsSession::flush_locked() {
  if (m_closed || m_queue.empty()) return;
  if (m_writing) {
    // The socket is full: the client reads too slowly. The frame being
    // written (and one partly sent) still count.
    if (!m_closing && m_queue.size() > m_ctx.state.options.ws_queue_limit) {
      ++m_ctx.state.counters.ws_slow_closed;
      close_locked(ws::close_code::policy_error);
    }
    return;
  }
  send_now_locked();
  if (m_closed) return;
  if (m_queue.empty()) {
    if (m_closing && !m_close_sent) finish_close();
    return;
  }
  start_write_locked();
}

std::optional<std::size_t> WsSession::send_locked(const iovec* iov, std::size_t n) {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = n;
  for (;;) {
    const ssize_t sent = ::sendmsg(m_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return 0;  // (EWOULDBLOCK is EAGAIN on Linux)
    // The connection is gone: no more sends; the strand closes the socket
    // and the read ends the session.
    m_queue.clear();
    m_front_sent = 0;
    m_closed = true;
    post_close_socket();
    return std::nullopt;
  }
}

void WsSession::send_now_locked() {
  std::array<iovec, k_max_gather> iov{};
  while (!m_queue.empty()) {
    std::size_t n = 0;
    for (auto it = m_queue.begin(); it != m_queue.end() && n < iov.size(); ++it, ++n) {
      const std::size_t skip = n == 0 ? m_front_sent : 0;
      iov[n].iov_base = const_cast<char*>((*it)->data() + skip);
      iov[n].iov_len = (*it)->size() - skip;
    }
    auto sent = send_locked(iov.data(), n);
    if (!sent || *sent == 0) return;
    auto left = *sent;
    while (left > 0) {
      const std::size_t rest = m_queue.front()->size() - m_front_sent;
      if (left < rest) {
        m_front_sent += left;
        return;  // the kernel took what it could
      }
      left -= rest;
      m_queue.pop_front();
      m_front_sent = 0;
    }
  }
}

void WsSession::start_write_locked() {
  m_writing = true;
  net::post(m_socket->get_executor(), [self = shared_from_this()] { self->do_write(); });
}

void WsSession::do_write() {
  std::unique_lock lock(m_mutex);
  if (m_closed || m_queue.empty()) {
    m_writing = false;
    return;
  }
  m_write_buffers.clear();
  for (auto it = m_queue.begin(); it != m_queue.end() && m_write_buffers.size() < k_max_gather; ++it) {
    const std::size_t skip = m_write_buffers.empty() ? m_front_sent : 0;
    m_write_buffers.emplace_back((*it)->data() + skip, (*it)->size() - skip);
  }
  m_in_flight = m_write_buffers.size();
  lock.unlock();
  // The frames stay in the queue (and alive) until the write completes.
  net::async_write(*m_socket, m_write_buffers, beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t /*bytes*/) {
  std::lock_guard lock(m_mutex);
  if (ec) {
    m_writing = false;
    close_socket_locked();
    return;
  }
  for (std::size_t i = 0; i < m_in_flight && !m_queue.empty(); ++i) m_queue.pop_front();
  m_front_sent = 0;
  m_in_flight = 0;
  m_writing = false;
  flush_locked();
}

void WsSession::close_locked(std::uint16_t code) {
  if (!m_open || m_closing || m_closed) return;
  // Drop what waits, except the frames being written and one partly sent:
  // the close frame must start on a frame boundary.
  const std::size_t keep = std::max(m_in_flight, m_front_sent > 0 ? std::size_t{1} : std::size_t{0});
  while (m_queue.size() > keep) m_queue.pop_back();
  m_queue.push_back(std::make_shared<const std::string>(ws::close_frame(code)));
  m_closing = true;
  m_closing_since = Clock::now();
  flush_locked();
}

void WsSession::finish_close() {
  m_close_sent = true;
  if (m_peer_closed) {
    // Both close frames are exchanged: the server closes the connection.
    post_close_socket();
    return;
  }
  // No more from this side; the client answers with its close frame (or the
  // connection's end), which ends the session, or check_idle() does in 5 s.
  ::shutdown(m_fd, SHUT_WR);
}

void WsSession::post_close_socket() {
  net::post(m_socket->get_executor(), [self = shared_from_this()] {
    std::lock_guard lock(self->m_mutex);
    self->close_socket_locked();
  });
}

void WsSession::close_socket_locked() {
  if (!m_socket || !m_socket->is_open()) {
    m_closed = true;
    return;
  }
  m_closed = true;
  beast::error_code ignored;
  m_socket->shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  // Closed first: a write in flight is cancelled and no longer reads the
  // frames it points into; then they may go.
  m_socket->close(ignored);
  m_queue.clear();
  m_front_sent = 0;
}

}  // namespace pk::serve
