#include "serve/ws_session.hpp"

#include "serve/seed_api.hpp"
#include "store/samples.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>

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

}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, ServerContext& ctx)
    : m_ws(std::move(socket)), m_ctx(ctx), m_id(fmt::format("conn_{}", g_next_id++)) {}

WsSession::~WsSession() {
  if (!m_joined) return;
  m_ctx.hub.leave(this);
  if (m_all) --m_ctx.state.counters.ws_subscribed_all;
}

void WsSession::start(beast::http::request<beast::http::string_body> request) {
  beast::get_lowest_layer(m_ws).expires_never();
  // The WebSocket layer answers and sends control pings itself: a client
  // that sends nothing at all (not even a pong frame) for ws_idle_timeout
  // is closed.
  websocket::stream_base::timeout timeout{std::chrono::seconds{30}, m_ctx.state.options.ws_idle_timeout, true};
  m_ws.set_option(timeout);
  m_ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "pingkeeper/" PK_VERSION); }));
  m_ws.read_message_max(k_max_client_message);
  m_ws.text(true);
  m_ws.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  if (m_ctx.stopping || !m_ctx.hub.join(shared_from_this())) {
    m_closing = true;
    m_close_code = m_ctx.stopping ? websocket::close_code::going_away : websocket::close_code::try_again_later;
    do_close();
    return;
  }
  m_joined = true;
  ++m_ctx.state.counters.ws_subscribed_all;
  queue_text(ws::connection_established(m_id));
  queue_text(ws::initial_data(m_ctx.state.live.snapshot()));
  do_read();
}

void WsSession::do_read() {
  m_ws.async_read(m_buffer, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) {
    // closed by the client, timed out, or a protocol violation (Beast has
    // answered it with the right close code): the session ends.
    return;
  }
  std::string text = m_ws.got_binary() ? std::string{} : beast::buffers_to_string(m_buffer.data());
  m_buffer.consume(m_buffer.size());
  if (m_ws.got_binary()) {
    queue_text(ws::error("Invalid message format: binary messages are not understood"));
  } else {
    auto parsed = ws::parse(text);
    if (auto* reply = std::get_if<std::string>(&parsed)) {
      queue_text(std::move(*reply));
    } else {
      handle(std::get<ws::ClientMessage>(parsed));
    }
  }
  if (!m_closed) do_read();
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
    net::post(self->m_ws.get_executor(), [self, reply = std::move(reply)]() mutable {
      --self->m_questions;
      self->queue_text(std::move(reply));
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
    net::post(self->m_ws.get_executor(), [self, message, targets = std::move(targets), backfill = std::move(backfill),
                                          failure = std::move(failure)]() mutable {
      --self->m_questions;
      if (!failure.empty()) {
        self->queue_text(ws::error(failure));
        return;
      }
      bool subscribing = message.type == ws::ClientMessage::Type::subscribe_host;
      core::Json ids = core::Json::array();
      for (const auto& t : targets) {
        ids.push_back(t.name);
        if (subscribing) {
          self->m_subscribed.insert(t.id);
        } else {
          self->m_subscribed.erase(t.id);
        }
      }
      bool all = self->m_subscribed.empty();
      if (self->m_all != all) self->m_ctx.state.counters.ws_subscribed_all += all ? 1 : -1;
      self->m_all = all;
      core::Json reply{{"type", subscribing ? "subscribed" : "unsubscribed"},
                       {"host", message.host},
                       {"targets", std::move(ids)},
                       {"all_hosts", self->m_all}};
      if (subscribing) reply["backfill"] = backfill.size();
      self->queue_text(reply.dump());
      for (auto& text : backfill) self->queue_text(std::move(text));
    });
  });
}

void WsSession::deliver(const std::shared_ptr<const LiveBatch>& batch) {
  net::post(m_ws.get_executor(), [self = shared_from_this(), batch] {
    for (const auto& m : *batch) {
      if (self->m_all || self->m_subscribed.contains(m.target_id)) self->queue(m.text);
    }
  });
}

void WsSession::send(const std::shared_ptr<const std::string>& message) {
  net::post(m_ws.get_executor(), [self = shared_from_this(), message] { self->queue(message); });
}

void WsSession::going_away() {
  net::post(m_ws.get_executor(), [self = shared_from_this()] { self->close(websocket::close_code::going_away); });
}

void WsSession::queue(std::shared_ptr<const std::string> message) {
  if (m_closing || m_closed) return;
  if (m_queue.size() >= m_ctx.state.options.ws_queue_limit) {
    ++m_ctx.state.counters.ws_slow_closed;
    close(websocket::close_code::policy_error);
    return;
  }
  m_queue.push_back(std::move(message));
  if (!m_writing) do_write();
}

void WsSession::do_write() {
  m_writing = true;
  m_ws.async_write(net::buffer(*m_queue.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t /*bytes*/) {
  m_writing = false;
  if (ec) {
    m_closed = true;
    m_queue.clear();
    return;
  }
  m_queue.pop_front();
  if (m_closing) {
    do_close();
  } else if (!m_queue.empty()) {
    do_write();
  }
}

void WsSession::close(websocket::close_code code) {
  if (m_closing || m_closed) return;
  m_closing = true;
  m_close_code = code;
  // Drop what waits; the message being written finishes first.
  if (m_writing) {
    m_queue.erase(m_queue.begin() + 1, m_queue.end());
  } else {
    m_queue.clear();
    do_close();
  }
}

void WsSession::do_close() {
  if (m_closed) return;
  m_closed = true;
  beast::get_lowest_layer(m_ws).expires_after(std::chrono::seconds{5});
  m_ws.async_close(websocket::close_reason(m_close_code),
                   [self = shared_from_this()](beast::error_code) { /* the session ends with its last handler */ });
}

}  // namespace pk::serve
