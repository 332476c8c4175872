#pragma once

#include "serve/context.hpp"
#include "util/expected.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace pk::serve {

// Accepts connections and starts an HttpSession on its own strand for each.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; io error naming the address when that fails (in use,
  // not local).
  static Expected<std::shared_ptr<Listener>> open(ServerContext& ctx, const boost::asio::ip::tcp::endpoint& endpoint);
  Listener(ServerContext& ctx, boost::asio::ip::tcp::acceptor acceptor) : m_ctx(ctx), m_acceptor(std::move(acceptor)) {}

  void run();
  // Stops accepting (from any thread).
  void close();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return m_acceptor.local_endpoint(); }

 private:
  void do_accept();

  ServerContext& m_ctx;
  boost::asio::ip::tcp::acceptor m_acceptor;
};

}  // namespace pk::serve
