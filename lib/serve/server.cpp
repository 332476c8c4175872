#include "serve/server.hpp"

#include "serve/collector_service.hpp"
#include "serve/context.hpp"
#include "serve/db_tailer.hpp"
#include "serve/hub.hpp"
#include "serve/listener.hpp"
#include "serve/live_feed.hpp"
#include "serve/router.hpp"
#include "serve/security.hpp"
#include "serve/ws_protocol.hpp"
#include "store/inventory.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <thread>
#include <vector>

namespace pk::serve {

namespace net = boost::asio;

Expected<ListenAddress> parse_listen(std::string_view text) {
  auto bad = [&] {
    return invalid_input(fmt::format("--listen '{}': expected ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080", text));
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // an IPv6 address needs brackets
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) {
    return bad();
  }
  ListenAddress out{std::string(host == "localhost" ? "127.0.0.1" : host), static_cast<unsigned short>(port)};
  boost::system::error_code parse_error;
  net::ip::make_address(out.address, parse_error);
  if (parse_error) {
    return invalid_input(fmt::format("--listen '{}': '{}' is not an IP address (use a numeric address)", text, host));
  }
  return out;
}

Expected<void> validate(const ServeOptions& options) {
  auto listen = parse_listen(options.listen);
  if (!listen) return std::unexpected(listen.error());
  if (!is_loopback_listen(options.listen) && options.tokens.empty() && !options.insecure) {
    return invalid_input(fmt::format(
        "--listen {} is reachable from other machines: give --token-file (clients send Authorization: Bearer TOKEN), "
        "or --insecure to serve without tokens",
        options.listen));
  }
  if (options.token_reads && options.tokens.empty()) return invalid_input("--token-reads needs --token-file");
  if (options.threads < 1 || options.threads > 64) return invalid_input("--threads must be between 1 and 64");
  return {};
}

namespace {

// The server-wide timers: status_update every ws_status_every, the heartbeat
// every ws_ping_every, the WebSocket idle check every second, the look at the stop flag, and every tick the look at
// PRAGMA data_version of `watch` (on the blocking pool): when another
// connection committed (the collector's writer, another process), the
// cached answers are stale. On stop it calls
// `on_stop` (stop accepting, close the WebSockets), waits until the sessions
// are gone (at most 2 s), then calls `on_drained` (end the I/O threads).
class Ticker {
 public:
  Ticker(ServerContext& ctx, store::Database watch, const std::atomic<bool>& stop, std::function<void()> on_stop,
         std::function<void()> on_drained)
      : m_ctx(ctx),
        m_watch(std::move(watch)),
        m_stop(stop),
        m_on_stop(std::move(on_stop)),
        m_on_drained(std::move(on_drained)),
        m_timer(ctx.io) {}

  void start() { arm(); }

 private:
  void arm() {
    m_timer.expires_after(m_drain_until ? std::chrono::milliseconds{20} : std::chrono::milliseconds{100});
    m_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      if (tick()) arm();
    });
  }

  // False when done.
  bool tick() {
    auto now = std::chrono::steady_clock::now();
    if (m_drain_until) {
      if (m_ctx.hub.size() > 0 && now < *m_drain_until) return true;
      m_on_drained();
      return false;
    }
    if (m_stop.load()) {
      m_on_stop();
      m_drain_until = now + std::chrono::seconds{2};
      return true;
    }
    look_for_changes();
    const auto& o = m_ctx.state.options;
    if (now - m_last_status >= o.ws_status_every) {
      m_last_status = now;
      if (m_ctx.hub.size() > 0) {
        // Reads the database (target_hosts): off the I/O threads.
        net::post(m_ctx.blocking, [&ctx = m_ctx] {
          ctx.hub.broadcast(ws::status_update(ctx.state, ctx.state.clock()));
        });
      }
    }
    if (now - m_last_sweep >= std::chrono::seconds{1}) {
      m_last_sweep = now;
      m_ctx.hub.check_idle();
    }
    if (now - m_last_ping >= o.ws_ping_every) {
      m_last_ping = now;
      if (m_ctx.hub.size() > 0) {
        m_ctx.hub.broadcast(ws::heartbeat(m_ctx.state.clock()));
      }
    }
    return true;
  }

  void look_for_changes() {
    if (m_watching.exchange(true)) return;  // the last look is still running
    net::post(m_ctx.blocking, [this] {
      auto version = store::inventory::data_version(m_watch);
      if (!version || *version != m_version) {
        m_version = version ? *version : -1;
        m_ctx.state.cache.changed();
      }
      m_watching = false;
    });
  }

  ServerContext& m_ctx;
  store::Database m_watch;
  std::int64_t m_version = -1;
  std::atomic<bool> m_watching{false};
  const std::atomic<bool>& m_stop;
  std::function<void()> m_on_stop;
  std::function<void()> m_on_drained;
  net::steady_timer m_timer;
  std::optional<std::chrono::steady_clock::time_point> m_drain_until;
  std::chrono::steady_clock::time_point m_last_status = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last_ping = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last_sweep = std::chrono::steady_clock::now();
};

Router make_router() {
  Router router;
  add_seed_routes(router);
  add_v1_routes(router);
  add_metrics_routes(router);
  return router;
}

void add_ws_routes(Router& router, Hub& hub) {
  router.add(Method::get, "/api/ws/connections", [&hub](const Request&, ServeState& state) {
    return json_response({{"active_connections", hub.size()},
                          {"ping_monitor_clients", state.counters.ws_clients.load()},
                          {"monitoring_active", state.monitor != nullptr && state.monitor->active()},
                          {"subscribed_to_all", state.counters.ws_subscribed_all.load()},
                          {"accepted_total", state.counters.ws_accepted.load()},
                          {"rejected_total", state.counters.ws_rejected.load()},
                          {"slow_closed_total", state.counters.ws_slow_closed.load()},
                          {"max_connections", state.options.max_ws_clients}});
  });
}

}  // namespace

Expected<void> run(ServeOptions options, const std::atomic<bool>& stop,
                   const std::function<Expected<void>()>& drop_privileges,
                   const std::function<void(const ServeReady&)>& ready) {
  if (auto ok = validate(options); !ok) return ok;
  auto listen = parse_listen(options.listen);
  if (!listen) return std::unexpected(listen.error());
  auto db = store::Database::open(options.db_path, true);
  if (!db) return std::unexpected(db.error());
  auto watch = store::Database::open(options.db_path);  // the ticker's look at data_version
  if (!watch) return std::unexpected(watch.error());

  const int threads = options.threads;
  ServeState state(std::move(options));
  Hub hub(state);
  Router router = make_router();
  add_ws_routes(router, hub);
  std::optional<net::io_context> io_holder(std::in_place, threads);
  auto& io = *io_holder;
  net::thread_pool blocking(4);
  ServerContext ctx{state, router, hub, io, blocking};
  auto feed_holder = std::make_unique<LiveFeed>(state, hub);
  auto& feed = *feed_holder;
  if (auto primed = feed.prime(*db); !primed) return primed;

  std::unique_ptr<CollectorService> collector;
  std::unique_ptr<ExternalCollector> external;
  std::unique_ptr<DbTailer> tailer;
  if (state.options.collect) {
    auto opened = CollectorService::open(*db, feed, state.options.reload_requests, state.options.flush_requests);
    if (!opened) return std::unexpected(opened.error());
    collector = std::move(*opened);
    state.monitor = collector.get();
  } else {
    external = std::make_unique<ExternalCollector>(state.options.db_path);
    state.monitor = external.get();
  }
  if (auto dropped = drop_privileges(); !dropped) return dropped;

  auto endpoint = net::ip::tcp::endpoint(net::ip::make_address(listen->address), listen->port);
  auto listener = Listener::open(ctx, endpoint);
  if (!listener) return std::unexpected(listener.error());
  if (collector) {
    if (auto started = collector->start(); !started) return started;
  } else {
    auto started = DbTailer::start(state.options.db_path, feed, state.options.tail_poll);
    if (!started) return std::unexpected(started.error());
    tailer = std::move(*started);
  }

  auto guard = net::make_work_guard(io);
  auto ticker = std::make_unique<Ticker>(
      ctx, std::move(*watch), stop,
      [&] {
        ctx.stopping = true;
        (*listener)->close();
        hub.close_all();
      },
      [&] {
        guard.reset();
        io.stop();
      });
  ticker->start();
  (*listener)->run();

  auto bound = (*listener)->local_endpoint();
  auto host = bound.address().is_v6() ? fmt::format("[{}]", bound.address().to_string()) : bound.address().to_string();
  ready(ServeReady{fmt::format("http://{}:{}", host, bound.port()), collector != nullptr});

  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  blocking.join();
  // Nothing hands the feed results after this.
  tailer.reset();
  std::optional<Error> failed;
  if (collector) {
    (void)collector->stop();
    failed = collector->last_error();
  }
  // What still waits in the I/O context (sessions that did not close in
  // time, their handlers) goes now, while everything it refers to lives; the
  // timer and the acceptor before their context, the feed's thread (which
  // posts to sessions) before the context too.
  ticker.reset();
  listener->reset();
  feed_holder.reset();
  io_holder.reset();
  if (failed) return std::unexpected(*failed);
  return {};
}

}  // namespace pk::serve
