// Socket tests of the probe engine. Safety rule (TESTING.md): every packet
// goes to loopback (127.0.0.1, ::1) or to a socket this file opened there.
#include "probe/prober.hpp"
#include "probe/unique_fd.hpp"
#include "util/time.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <grp.h>
#include <map>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;
using pk::core::ProbeKind;
using pk::core::SampleStatus;
using pk::probe::Address;
using pk::probe::Probe;
using pk::probe::Prober;
using pk::probe::Reply;
using pk::probe::UniqueFd;

namespace {

// The engine, or a failed test saying why ICMP is not allowed here.
std::unique_ptr<Prober> open_icmp() {
  auto p = Prober::open(true);
  REQUIRE_MESSAGE(p.has_value(), "ICMP is not allowed for this test process: ", p ? std::string() : p.error().message);
  return std::move(*p);
}

Probe icmp_probe(std::uint32_t slot, const char* host, int payload = 56, pk::util::Micros timeout = 2s) {
  Probe p;
  p.slot = slot;
  p.address = *Address::parse_literal(host);
  p.kind = ProbeKind::icmp;
  p.payload_size = payload;
  p.timeout = timeout;
  return p;
}

Probe tcp_probe(std::uint32_t slot, const Address& address, pk::util::Micros timeout = 2s) {
  Probe p;
  p.slot = slot;
  p.address = address;
  p.kind = ProbeKind::tcp;
  p.timeout = timeout;
  return p;
}

// Polls until `count` replies arrived or `limit` passed.
std::vector<Reply> collect(Prober& prober, std::size_t count, std::chrono::milliseconds limit = 5s) {
  std::vector<Reply> out;
  const auto end = std::chrono::steady_clock::now() + limit;
  while (out.size() < count && std::chrono::steady_clock::now() < end) prober.poll(end, out);
  return out;
}

bool has_ipv6_loopback() {
  UniqueFd fd(socket(AF_INET6, SOCK_DGRAM, 0));
  if (!fd) return false;
  auto a = Address::parse_literal("::1");
  return bind(fd.get(), a->sockaddr_ptr(), a->length()) == 0;
}

// A TCP socket on 127.0.0.1 with a kernel-chosen port, listening with `backlog`.
struct Listener {
  UniqueFd fd;
  Address address;
};
Listener listen_loopback(int backlog) {
  Listener l;
  l.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(l.fd);
  auto any = *Address::parse_literal("127.0.0.1");
  REQUIRE(bind(l.fd.get(), any.sockaddr_ptr(), any.length()) == 0);
  REQUIRE(listen(l.fd.get(), backlog) == 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  REQUIRE(getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0);
  l.address = Address(reinterpret_cast<const sockaddr*>(&ss), len);
  return l;
}

// A loopback port with nothing listening (bound, never listened: connects are refused).
struct ClosedPort {
  UniqueFd fd;
  Address address;
};
ClosedPort closed_loopback_port() {
  ClosedPort c;
  c.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(c.fd);
  auto any = *Address::parse_literal("127.0.0.1");
  REQUIRE(bind(c.fd.get(), any.sockaddr_ptr(), any.length()) == 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  REQUIRE(getsockname(c.fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0);
  c.address = Address(reinterpret_cast<const sockaddr*>(&ss), len);
  return c;
}

}  // namespace

TEST_SUITE_BEGIN("probe");

TEST_CASE("Prober: ICMP echo to 127.0.0.1") {
  auto prober = open_icmp();
  MESSAGE("ICMP mode: ", std::string(prober->icmp_mode() == pk::probe::IcmpMode::raw ? "raw" : "datagram"));
  const auto before = pk::util::now_utc();
  prober->send(icmp_probe(7, "127.0.0.1"));
  CHECK(prober->in_flight() == 1);
  auto replies = collect(*prober, 1);
  const auto after = pk::util::now_utc();
  REQUIRE(replies.size() == 1);
  const Reply& r = replies[0];
  CHECK(r.slot == 7);
  CHECK(r.status == SampleStatus::ok);
  REQUIRE(r.rtt);
  CHECK(r.rtt->count() > 0);
  CHECK(*r.rtt < 1s);
  REQUIRE(r.ttl);
  CHECK(*r.ttl > 0);
  CHECK(*r.ttl <= 255);
  CHECK(r.detail.empty());
  CHECK(r.sent_at >= before);
  CHECK(r.sent_at <= after);
  CHECK(prober->in_flight() == 0);
  // Nothing more comes (no duplicate for one probe).
  std::vector<Reply> more;
  prober->poll(std::chrono::steady_clock::now() + 50ms, more);
  CHECK(more.empty());
}

TEST_CASE("Prober: ICMPv6 echo to ::1") {
  if (!has_ipv6_loopback()) {
    MESSAGE("skipped: this host has no IPv6 loopback (::1)");
    return;
  }
  auto prober = open_icmp();
  prober->send(icmp_probe(1, "::1"));
  auto replies = collect(*prober, 1);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].status == SampleStatus::ok);
  REQUIRE(replies[0].rtt);
  CHECK(replies[0].rtt->count() > 0);
  REQUIRE(replies[0].ttl);  // the hop limit
  CHECK(*replies[0].ttl > 0);
}

TEST_CASE("Prober: payload sizes, with and without room for match data") {
  auto prober = open_icmp();
  // 0..19 bytes are matched by echo id and sequence; 3000 exceeds the receive
  // buffer (the match data at the front still decides).
  const std::vector<int> sizes{0, 1, 19, 20, 56, 1472, 3000};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    prober->send(icmp_probe(static_cast<std::uint32_t>(i), "127.0.0.1", sizes[i]));
  }
  auto replies = collect(*prober, sizes.size());
  REQUIRE(replies.size() == sizes.size());
  std::set<std::uint32_t> slots;
  for (const auto& r : replies) {
    CAPTURE(sizes[r.slot]);
    CHECK(r.status == SampleStatus::ok);
    slots.insert(r.slot);
  }
  CHECK(slots.size() == sizes.size());
}

TEST_CASE("Prober: thousands in flight, each answered exactly once") {
  auto prober = open_icmp();
  const std::uint32_t n = 3000;
  for (std::uint32_t slot = 0; slot < n; ++slot) prober->send(icmp_probe(slot, "127.0.0.1"));
  auto replies = collect(*prober, n, 20s);
  REQUIRE(replies.size() == n);
  std::map<std::uint32_t, int> seen;
  std::size_t ok = 0;
  for (const auto& r : replies) {
    ++seen[r.slot];
    if (r.status == SampleStatus::ok) ++ok;
  }
  CHECK(seen.size() == n);
  CHECK(std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }));
  CHECK(ok == n);  // loopback loses nothing
  CHECK(prober->in_flight() == 0);
}

TEST_CASE("Prober: the 16-bit echo sequence wraps without confusion") {
  auto prober = open_icmp();
  // More probes than sequence numbers, in waves; with and without match data.
  for (int payload : {56, 0}) {
    CAPTURE(payload);
    const std::uint32_t total = 66'000;
    const std::uint32_t wave = 1000;
    std::uint32_t answered = 0;
    std::uint32_t wrong_slot = 0;
    bool wrapped = false;
    std::uint16_t last_sequence = 0;
    for (std::uint32_t base = 0; base < total; base += wave) {
      for (std::uint32_t i = 0; i < wave; ++i) prober->send(icmp_probe(base + i, "127.0.0.1", payload));
      for (const auto& r : collect(*prober, wave, 10s)) {
        if (r.status == SampleStatus::ok) ++answered;
        if (r.slot < base || r.slot >= base + wave) ++wrong_slot;
        if (r.sequence < last_sequence) wrapped = true;
        last_sequence = r.sequence;
      }
    }
    CHECK(answered == total);
    CHECK(wrong_slot == 0);
    CHECK(wrapped);
  }
}

TEST_CASE("Prober: a reply later than the timeout is a timeout, delivered once") {
  auto prober = open_icmp();
  // No loopback echo returns within a microsecond.
  prober->send(icmp_probe(3, "127.0.0.1", 56, 1us));
  std::this_thread::sleep_for(20ms);  // the reply is queued by now
  auto replies = collect(*prober, 1);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].slot == 3);
  CHECK(replies[0].status == SampleStatus::timeout);
  CHECK_FALSE(replies[0].rtt);
  CHECK(prober->in_flight() == 0);
  std::vector<Reply> more;
  prober->poll(std::chrono::steady_clock::now() + 50ms, more);
  CHECK(more.empty());
}

TEST_CASE("Prober: probers do not take each other's replies") {
  auto a = open_icmp();
  auto b = open_icmp();
  for (std::uint32_t slot = 0; slot < 50; ++slot) {
    a->send(icmp_probe(slot, "127.0.0.1"));
    b->send(icmp_probe(slot, "127.0.0.1"));
  }
  // Each raw socket sees the other's replies too; each must keep its own.
  std::vector<Reply> ra;
  std::vector<Reply> rb;
  const auto end = std::chrono::steady_clock::now() + 5s;
  while ((ra.size() < 50 || rb.size() < 50) && std::chrono::steady_clock::now() < end) {
    a->poll(std::chrono::steady_clock::now() + 10ms, ra);
    b->poll(std::chrono::steady_clock::now() + 10ms, rb);
  }
  CHECK(ra.size() == 50);
  CHECK(rb.size() == 50);
  CHECK(std::all_of(ra.begin(), ra.end(), [](const Reply& r) { return r.status == SampleStatus::ok; }));
  CHECK(std::all_of(rb.begin(), rb.end(), [](const Reply& r) { return r.status == SampleStatus::ok; }));
}

TEST_CASE("Prober: poll waits until the deadline when nothing finishes") {
  auto prober = Prober::open(false);
  REQUIRE(prober);
  std::vector<Reply> out;
  const auto start = std::chrono::steady_clock::now();
  (*prober)->poll(start + 30ms, out);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(out.empty());
  CHECK(waited >= 30ms);
  CHECK(waited < 1s);
}

TEST_CASE("Prober: a probe without an address is a send error") {
  auto prober = Prober::open(false);
  REQUIRE(prober);
  Probe p;
  p.slot = 9;
  p.kind = ProbeKind::tcp;
  (*prober)->send(p);
  auto replies = collect(**prober, 1, 1s);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].slot == 9);
  CHECK(replies[0].status == SampleStatus::send_error);
  CHECK_FALSE(replies[0].detail.empty());
  SUBCASE("ICMP without ICMP sockets") {
    (*prober)->send(icmp_probe(10, "127.0.0.1"));
    auto r = collect(**prober, 1, 1s);
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == SampleStatus::send_error);
  }
}

TEST_CASE("Prober: TCP connect to a listening loopback port") {
  auto prober = Prober::open(false);  // TCP needs no privilege
  REQUIRE(prober);
  auto listener = listen_loopback(64);
  for (std::uint32_t slot = 0; slot < 5; ++slot) (*prober)->send(tcp_probe(slot, listener.address));
  auto replies = collect(**prober, 5);
  REQUIRE(replies.size() == 5);
  for (const auto& r : replies) {
    CHECK(r.status == SampleStatus::ok);
    REQUIRE(r.rtt);
    CHECK(r.rtt->count() > 0);
    CHECK(r.sequence == 0);
    CHECK_FALSE(r.ttl);
  }
  CHECK((*prober)->in_flight() == 0);
}

TEST_CASE("Prober: TCP to a closed loopback port is refused, with an RTT") {
  auto prober = Prober::open(false);
  REQUIRE(prober);
  auto closed = closed_loopback_port();
  (*prober)->send(tcp_probe(4, closed.address));
  auto replies = collect(**prober, 1);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].slot == 4);
  CHECK(replies[0].status == SampleStatus::refused);
  REQUIRE(replies[0].rtt);
  CHECK(replies[0].rtt->count() > 0);
}

TEST_CASE("Prober: TCP connect that never completes times out") {
  auto prober = Prober::open(false);
  REQUIRE(prober);
  // Backlog 0 holds one connection; with it taken, further SYNs are dropped.
  auto listener = listen_loopback(0);
  UniqueFd first(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(connect(first.get(), listener.address.sockaddr_ptr(), listener.address.length()) == 0);
  std::this_thread::sleep_for(20ms);
  const auto start = std::chrono::steady_clock::now();
  (*prober)->send(tcp_probe(5, listener.address, 200ms));
  auto replies = collect(**prober, 1);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].status == SampleStatus::timeout);
  CHECK_FALSE(replies[0].rtt);
  CHECK(waited >= 200ms);
  CHECK(waited < 2s);
  CHECK((*prober)->in_flight() == 0);
}

TEST_CASE("Prober: without privileges, a datagram socket or a permission error that says how to fix it") {
  if (geteuid() != 0) {
    MESSAGE("skipped: needs root to switch to an unprivileged user");
    return;
  }
  // In a child process as nobody: ICMP works only through ping_group_range.
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(pipefd[0]);
    char result = 'x';
    if (setgroups(0, nullptr) == 0 && setgid(65534) == 0 && setuid(65534) == 0) {
      auto p = Prober::open(true);
      if (p) {
        result = (*p)->icmp_mode() == pk::probe::IcmpMode::datagram ? 'd' : 'r';
      } else if (p.error().kind == pk::ErrorKind::permission &&
                 p.error().message.find("ping_group_range=\"0 2147483647\"") != std::string::npos &&
                 p.error().message.find("setcap cap_net_raw+ep") != std::string::npos) {
        result = 'p';
      } else {
        result = 'e';
      }
    }
    (void)!write(pipefd[1], &result, 1);
    _exit(0);
  }
  close(pipefd[1]);
  char result = '?';
  (void)!read(pipefd[0], &result, 1);
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CAPTURE(result);
  // 'd': the host's ping_group_range lets nobody in; 'p': it does not, and the
  // error names both fixes. A raw socket ('r') or another error is wrong.
  CHECK((result == 'd' || result == 'p'));
}

TEST_SUITE_END();
