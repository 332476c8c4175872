// Resolver tests use literals and /etc/hosts names only: no DNS traffic.
#include "probe/resolver.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <poll.h>
#include <set>

using pk::core::Family;
using pk::probe::Resolution;
using pk::probe::Resolver;

namespace {

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

// Waits on the notify fd until `count` results were taken (or 5 s passed).
std::vector<Resolution> wait_for(Resolver& r, std::size_t count) {
  std::vector<Resolution> out;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (out.size() < count && std::chrono::steady_clock::now() < end) {
    if (!readable(r.notify_fd(), 100)) continue;
    for (auto& res : r.take()) out.push_back(std::move(res));
  }
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("probe");

TEST_CASE("Resolver: literals resolve at once") {
  Resolver r;
  CHECK_FALSE(readable(r.notify_fd(), 0));
  CHECK(r.take().empty());
  r.request(1, "127.0.0.1", Family::any);
  r.request(2, "::1", Family::v6);
  CHECK(readable(r.notify_fd(), 0));  // no thread round trip
  auto results = r.take();
  CHECK_FALSE(readable(r.notify_fd(), 0));
  REQUIRE(results.size() == 2);
  CHECK(results[0].slot == 1);
  CHECK(results[0].host == "127.0.0.1");
  REQUIRE(results[0].address);
  CHECK(results[0].address->to_string() == "127.0.0.1");
  CHECK(results[1].slot == 2);
  REQUIRE(results[1].address);
  CHECK(results[1].address->is_v6());
}

TEST_CASE("Resolver: a literal of the wrong family is an error, not a crash") {
  Resolver r;
  r.request(5, "127.0.0.1", Family::v6);
  r.request(6, "::1", Family::v4);
  auto results = r.take();
  REQUIRE(results.size() == 2);
  for (const auto& res : results) {
    REQUIRE_FALSE(res.address);
    CHECK(res.address.error().kind == pk::ErrorKind::invalid_input);
    CHECK(res.address.error().message.find("cannot resolve") != std::string::npos);
  }
  CHECK(results[0].address.error().message.find("IPv4 address, not IPv6") != std::string::npos);
}

TEST_CASE("Resolver: names resolve in a worker thread (localhost from /etc/hosts)") {
  Resolver r;
  for (std::uint32_t slot = 0; slot < 20; ++slot) r.request(slot, "localhost", Family::v4);
  auto results = wait_for(r, 20);
  REQUIRE(results.size() == 20);
  std::set<std::uint32_t> slots;
  for (const auto& res : results) {
    slots.insert(res.slot);
    CHECK(res.host == "localhost");
    REQUIRE(res.address);
    CHECK_FALSE(res.address->is_v6());
    CHECK(res.address->to_string().starts_with("127."));
  }
  CHECK(slots.size() == 20);
}

TEST_CASE("Resolver: destruction with lookups queued does not hang") {
  const auto start = std::chrono::steady_clock::now();
  {
    Resolver r;
    for (std::uint32_t slot = 0; slot < 100; ++slot) r.request(slot, "localhost", Family::any);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("Resolver::resolve_now") {
  auto v4 = Resolver::resolve_now("localhost", Family::any);
  REQUIRE(v4);
  CHECK_FALSE(v4->is_v6());
  auto lit = Resolver::resolve_now("::1", Family::any);
  REQUIRE(lit);
  CHECK(lit->to_string() == "::1");
  auto zone = Resolver::resolve_now("fe80::1%lo", Family::v6);
  REQUIRE(zone);
  CHECK(zone->to_string() == "fe80::1%lo");
  auto wrong = Resolver::resolve_now("::1", Family::v4);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == pk::ErrorKind::invalid_input);
}

TEST_SUITE_END();
