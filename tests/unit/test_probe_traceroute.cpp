// Socket tests of the traceroute engine. Safety rule (TESTING.md): every
// packet goes to loopback (127.0.0.1, ::1) or to a socket this file opened
// there. On loopback the destination is one hop away.
#include "probe/reverse_dns.hpp"
#include "probe/trace_packet.hpp"
#include "probe/traceroute.hpp"
#include "probe/unique_fd.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using pk::core::HopReply;
using pk::core::TraceMethod;
using pk::probe::Address;
using pk::probe::ReverseDns;
using pk::probe::Tracer;
using pk::probe::TraceRequest;
using pk::probe::UniqueFd;

namespace {

const std::atomic<bool> k_go{false};

bool has_ipv6_loopback() {
  UniqueFd fd(socket(AF_INET6, SOCK_DGRAM, 0));
  if (!fd) return false;
  auto a = Address::parse_literal("::1");
  return bind(fd.get(), a->sockaddr_ptr(), a->length()) == 0;
}

// The tracer, or nullptr (with a message) when only root may open it here.
std::unique_ptr<Tracer> open_tracer(TraceMethod method, bool v6) {
  auto t = Tracer::open(method, v6);
  if (!t && t.error().kind == pk::ErrorKind::permission && geteuid() != 0) {
    MESSAGE("skipped: ", t.error().message);
    return nullptr;
  }
  REQUIRE_MESSAGE(t.has_value(), "cannot open the tracer: ", t ? std::string() : t.error().message);
  return std::move(*t);
}

TraceRequest request(const char* host, TraceMethod method, std::uint16_t port = 0) {
  TraceRequest r;
  r.destination = *Address::parse_literal(host);
  r.method = method;
  r.port = port;
  r.max_hops = 5;
  r.queries = 3;
  r.wait = 2s;
  return r;
}

// A TCP socket on `host` with a kernel-chosen port: listening, or only bound
// (connections to it are refused with RST).
struct TcpPort {
  UniqueFd fd;
  std::uint16_t port = 0;
  TcpPort(const char* host, bool listening) {
    auto a = *Address::parse_literal(host);
    fd.reset(socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(bind(fd.get(), a.sockaddr_ptr(), a.length()) == 0);
    if (listening) REQUIRE(listen(fd.get(), 16) == 0);
    sockaddr_storage s{};
    socklen_t len = sizeof(s);
    REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&s), &len) == 0);
    port = Address(reinterpret_cast<const sockaddr*>(&s), len).port();
  }
};

// A one-hop trace that reached `host`: every probe answered by it.
void check_reached(const pk::core::Trace& t, const char* host, int queries = 3) {
  CHECK(t.reached);
  CHECK(t.hop_count == 1);
  CHECK(t.address == host);
  REQUIRE(t.probes.size() == static_cast<std::size_t>(queries));
  for (int q = 0; q < queries; ++q) {
    const auto& p = t.probes[static_cast<std::size_t>(q)];
    CHECK(p.ttl == 1);
    CHECK(p.query == q + 1);
    CHECK(p.reply == HopReply::reached);
    CHECK(p.address == std::optional<std::string>(host));
    REQUIRE(p.rtt);
    CHECK(p.rtt->count() >= 0);
    CHECK_FALSE(p.hostname);
  }
}

}  // namespace

TEST_CASE("Tracer: a UDP trace of 127.0.0.1 reaches it at hop 1 (port unreachable)") {
  auto tracer = open_tracer(TraceMethod::udp, false);
  REQUIRE(tracer);
  auto t = tracer->run(request("127.0.0.1", TraceMethod::udp), k_go);
  REQUIRE_MESSAGE(t.has_value(), (t ? std::string() : t.error().message));
  check_reached(*t, "127.0.0.1");
  CHECK(t->method == TraceMethod::udp);
  CHECK(t->port == pk::core::k_default_udp_trace_port);
  CHECK(t->probes[0].icmp_type == 3);
  CHECK(t->probes[0].icmp_code == 3);
  // The same tracer runs the next trace (answers of the first cannot match it).
  auto again = tracer->run(request("127.0.0.1", TraceMethod::udp, 40000), k_go);
  REQUIRE(again);
  check_reached(*again, "127.0.0.1");
  CHECK(again->port == 40000);
}

TEST_CASE("Tracer: an ICMP trace of 127.0.0.1 reaches it at hop 1 (echo reply)") {
  auto tracer = open_tracer(TraceMethod::icmp, false);
  if (!tracer) return;
  auto t = tracer->run(request("127.0.0.1", TraceMethod::icmp), k_go);
  REQUIRE_MESSAGE(t.has_value(), (t ? std::string() : t.error().message));
  check_reached(*t, "127.0.0.1");
  CHECK(t->port == 0);
  CHECK(t->probes[0].icmp_type == 0);
}

TEST_CASE("Tracer: a TCP trace reaches an open port (SYN-ACK) and a closed one (RST)") {
  auto tracer = open_tracer(TraceMethod::tcp, false);
  if (!tracer) return;
  TcpPort open("127.0.0.1", true);
  auto t = tracer->run(request("127.0.0.1", TraceMethod::tcp, open.port), k_go);
  REQUIRE_MESSAGE(t.has_value(), (t ? std::string() : t.error().message));
  check_reached(*t, "127.0.0.1");
  CHECK(t->port == open.port);
  CHECK_FALSE(t->probes[0].icmp_type);
  TcpPort closed("127.0.0.1", false);
  auto c = tracer->run(request("127.0.0.1", TraceMethod::tcp, closed.port), k_go);
  REQUIRE(c);
  check_reached(*c, "127.0.0.1");
}

TEST_CASE("Tracer: a tracer left idle under a flood of ICMP still gets its answers") {
  // Raw ICMP sockets get a copy of every ICMP packet of the host; a tracer
  // idle between traces (the collector's path metric) must not find its
  // receive buffer full of them when the next trace starts.
  auto tracer = open_tracer(TraceMethod::icmp, false);
  if (!tracer) return;
  check_reached(*tracer->run(request("127.0.0.1", TraceMethod::icmp), k_go), "127.0.0.1");
  // 30,000 datagrams to a closed loopback port: as many ICMP port
  // unreachables (not rate-limited on loopback), more than the buffer holds.
  TcpPort closed("127.0.0.1", false);  // a port number nobody listens on with UDP either
  UniqueFd udp(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const auto to = Address::parse_literal("127.0.0.1", closed.port);
  const std::array<std::uint8_t, 512> payload{};
  for (int i = 0; i < 30'000; ++i) {
    (void)sendto(udp.get(), payload.data(), payload.size(), 0, to->sockaddr_ptr(), to->length());
  }
  check_reached(*tracer->run(request("127.0.0.1", TraceMethod::icmp), k_go), "127.0.0.1");
}

TEST_CASE("Tracer: every UDP trace to a destination and port is one flow (the same source port)") {
  auto tracer = open_tracer(TraceMethod::udp, false);
  if (!tracer) return;
  // A UDP service on the destination port sees the probes and their source port.
  UniqueFd service(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  auto at = *Address::parse_literal("127.0.0.1");
  REQUIRE(bind(service.get(), at.sockaddr_ptr(), at.length()) == 0);
  sockaddr_storage s{};
  socklen_t len = sizeof(s);
  REQUIRE(getsockname(service.get(), reinterpret_cast<sockaddr*>(&s), &len) == 0);
  const std::uint16_t port = Address(reinterpret_cast<const sockaddr*>(&s), len).port();
  auto r = request("127.0.0.1", TraceMethod::udp, port);
  r.max_hops = 1;
  r.queries = 2;
  r.wait = 50ms;  // the service does not answer: every probe waits this long
  std::vector<std::uint16_t> sources;
  for (int trace = 0; trace < 2; ++trace) {
    REQUIRE(tracer->run(r, k_go));
    for (int i = 0; i < 10; ++i) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof(from);
      std::array<std::uint8_t, 256> buf{};
      if (recvfrom(service.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len) < 0) break;
      sources.push_back(Address(reinterpret_cast<const sockaddr*>(&from), from_len).port());
    }
  }
  REQUIRE(sources.size() == 4);
  for (auto p : sources) CHECK(p == pk::probe::packet::flow_id(at, port, TraceMethod::udp, 0));
}

TEST_CASE("Tracer: one tracer serves trace after trace (UDP and ICMP open a flow's socket for each)") {
  for (TraceMethod method : {TraceMethod::udp, TraceMethod::icmp}) {
    auto tracer = open_tracer(method, false);
    if (!tracer) continue;
    for (int i = 0; i < 4; ++i) {
      auto t = tracer->run(request("127.0.0.1", method), k_go);
      REQUIRE_MESSAGE(t.has_value(), (t ? std::string() : t.error().message));
      check_reached(*t, "127.0.0.1");
    }
  }
}

TEST_CASE("Tracer: IPv6 traces of ::1 by every method") {
  if (!has_ipv6_loopback()) {
    MESSAGE("skipped: this host has no IPv6 loopback (::1)");
    return;
  }
  TcpPort open("::1", true);
  for (auto method : {TraceMethod::udp, TraceMethod::icmp, TraceMethod::tcp}) {
    CAPTURE(pk::core::to_string(method));
    auto tracer = open_tracer(method, true);
    if (!tracer) continue;
    auto t = tracer->run(request("::1", method, method == TraceMethod::tcp ? open.port : 0), k_go);
    REQUIRE_MESSAGE(t.has_value(), (t ? std::string() : t.error().message));
    check_reached(*t, "::1");
  }
}

TEST_CASE("Tracer: --first-ttl above the destination's distance reports from that TTL") {
  auto tracer = open_tracer(TraceMethod::udp, false);
  auto r = request("127.0.0.1", TraceMethod::udp);
  r.first_ttl = 3;
  r.queries = 2;
  auto t = tracer->run(r, k_go);
  REQUIRE(t);
  CHECK(t->reached);
  CHECK(t->hop_count == 3);
  REQUIRE(t->probes.size() == 2);
  CHECK(t->probes[0].ttl == 3);
  CHECK(t->probes[1].ttl == 3);
  CHECK(t->first_ttl == 3);
}

TEST_CASE("Tracer: a stop before the trace returns every probe silent, at once") {
  auto tracer = open_tracer(TraceMethod::udp, false);
  const std::atomic<bool> stop{true};
  auto r = request("127.0.0.1", TraceMethod::udp);
  r.wait = 60s;
  auto t = tracer->run(r, stop);
  REQUIRE(t);
  CHECK_FALSE(t->reached);
  CHECK(t->hop_count == r.max_hops);
  CHECK(t->probes.size() == static_cast<std::size_t>(r.max_hops * r.queries));
  for (const auto& p : t->probes) CHECK(p.reply == HopReply::none);
  CHECK(t->duration < 60s);
}

TEST_CASE("Tracer: requests out of range are invalid input") {
  auto tracer = open_tracer(TraceMethod::udp, false);
  auto bad = [&](auto change) {
    auto r = request("127.0.0.1", TraceMethod::udp);
    change(r);
    auto t = tracer->run(r, k_go);
    REQUIRE_FALSE(t);
    CHECK(t.error().kind == pk::ErrorKind::invalid_input);
  };
  bad([](TraceRequest& r) { r.max_hops = 0; });
  bad([](TraceRequest& r) { r.max_hops = 256; });
  bad([](TraceRequest& r) { r.first_ttl = 6; });
  bad([](TraceRequest& r) { r.queries = 11; });
  bad([](TraceRequest& r) { r.wait = 0s; });
  bad([](TraceRequest& r) { r.destination = *Address::parse_literal("::1"); });
  bad([](TraceRequest& r) { r.method = TraceMethod::tcp; });
}

TEST_CASE("ReverseDns: names of looked-up addresses, nothing for the rest") {
  ReverseDns dns;
  dns.request("127.0.0.1");
  dns.request("127.0.0.1");  // a repeat is ignored
  dns.request("not an address");
  auto names = dns.names(std::chrono::steady_clock::now() + 5s);
  REQUIRE(names.count("127.0.0.1") == 1);
  CHECK_FALSE(names.at("127.0.0.1").empty());
  CHECK(names.count("not an address") == 0);
}

TEST_CASE("ReverseDns: a deadline in the past returns what is known without waiting") {
  // Only 127.0.0.1: its name comes from /etc/hosts, no DNS query leaves the host.
  ReverseDns dns;
  dns.request("127.0.0.1");
  auto names = dns.names(std::chrono::steady_clock::now() - 1s);
  CHECK(names.size() <= 1);
  auto all = dns.names(std::chrono::steady_clock::now() + 10s);
  CHECK(all.count("127.0.0.1") == 1);
}
