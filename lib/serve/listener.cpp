#include "serve/listener.hpp"

#include "serve/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>

namespace pk::serve {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Expected<std::shared_ptr<Listener>> Listener::open(ServerContext& ctx, const tcp::endpoint& endpoint) {
  tcp::acceptor acceptor(net::make_strand(ctx.io));
  boost::system::error_code ec;
  auto where = [&](std::string_view what) {
    return make_error(ErrorKind::io, fmt::format("cannot listen on {}:{}: {} ({})", endpoint.address().to_string(),
                                                 endpoint.port(), ec.message(), what));
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return where("open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return where("SO_REUSEADDR");
  if (acceptor.bind(endpoint, ec); ec) return where("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return where("listen");
  return std::make_shared<Listener>(ctx, std::move(acceptor));
}

void Listener::run() { do_accept(); }

void Listener::close() {
  net::post(m_acceptor.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->m_acceptor.close(ec);
  });
}

void Listener::do_accept() {
  m_acceptor.async_accept(net::make_strand(m_ctx.io),
                          [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == net::error::operation_aborted || !self->m_acceptor.is_open()) return;
                            if (!ec) {
                              socket.set_option(tcp::no_delay(true), ec);
                              std::make_shared<HttpSession>(std::move(socket), self->m_ctx)->run();
                            }
                            // Other errors (too many open files) are per connection: keep accepting.
                            self->do_accept();
                          });
}

}  // namespace pk::serve
