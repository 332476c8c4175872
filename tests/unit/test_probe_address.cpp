#include "probe/address.hpp"
#include "probe/detail.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <net/if.h>

using pk::probe::Address;

TEST_SUITE_BEGIN("probe");

TEST_CASE("Address::parse_literal: IPv4") {
  auto a = Address::parse_literal("192.0.2.1");
  REQUIRE(a);
  CHECK(a->family() == AF_INET);
  CHECK_FALSE(a->is_v6());
  CHECK(a->port() == 0);
  CHECK(a->length() == sizeof(sockaddr_in));
  CHECK(a->to_string() == "192.0.2.1");
  auto p = Address::parse_literal("127.0.0.1", 443);
  REQUIRE(p);
  CHECK(p->port() == 443);
  CHECK(p->to_string() == "127.0.0.1");  // no port in the text
  CHECK(Address::parse_literal("0.0.0.0"));
  CHECK(Address::parse_literal("255.255.255.255"));
}

TEST_CASE("Address::parse_literal: IPv6 and zones") {
  auto a = Address::parse_literal("2001:DB8:0:0::1", 22);
  REQUIRE(a);
  CHECK(a->is_v6());
  CHECK(a->family() == AF_INET6);
  CHECK(a->length() == sizeof(sockaddr_in6));
  CHECK(a->to_string() == "2001:db8::1");  // canonical form
  CHECK(a->port() == 22);
  CHECK(Address::parse_literal("::1")->to_string() == "::1");
  CHECK(Address::parse_literal("::ffff:192.0.2.1")->to_string() == "::ffff:192.0.2.1");
  SUBCASE("a zone by interface name or number") {
    auto lo = Address::parse_literal("fe80::1%lo");
    REQUIRE(lo);
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(lo->sockaddr_ptr());
    CHECK(sin6->sin6_scope_id == if_nametoindex("lo"));
    CHECK(lo->to_string() == "fe80::1%lo");
    auto numeric = Address::parse_literal("fe80::1%" + std::to_string(if_nametoindex("lo")));
    REQUIRE(numeric);
    CHECK(*numeric == *lo);
  }
}

TEST_CASE("Address::parse_literal: anything else is not a literal") {
  for (const char* text :
       {"", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "0x7f.0.0.1", "127.1",
        " 127.0.0.1", "127.0.0.1 ", "[::1]", "::1::2", "2001:db8::g", "1.2.3.4%lo", "fe80::1%no-such-interface-here"}) {
    CAPTURE(text);
    CHECK_FALSE(Address::parse_literal(text));
  }
}

TEST_CASE("Address: construction from sockaddr, ports and equality") {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(8080);
  inet_pton(AF_INET, "10.1.2.3", &sin.sin_addr);
  const Address a(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
  CHECK(a.port() == 8080);
  CHECK(a.to_string() == "10.1.2.3");
  CHECK(a == *Address::parse_literal("10.1.2.3", 8080));
  CHECK_FALSE(a == *Address::parse_literal("10.1.2.3"));  // port differs
  CHECK(a.with_port(0) == *Address::parse_literal("10.1.2.3"));
  CHECK_FALSE(a == *Address::parse_literal("10.1.2.4", 8080));
  CHECK_FALSE(*Address::parse_literal("::1") == *Address::parse_literal("127.0.0.1"));
  CHECK(*Address::parse_literal("::1", 5) == *Address::parse_literal("0::1", 5));
  SUBCASE("too short or of another family: empty") {
    const Address shortened(reinterpret_cast<const sockaddr*>(&sin), 4);
    CHECK(shortened.family() == 0);
    CHECK(shortened.length() == 0);
    CHECK(shortened.to_string().empty());
    sockaddr unix_like{};
    unix_like.sa_family = AF_UNIX;
    CHECK(Address(&unix_like, sizeof(unix_like)).family() == 0);
    CHECK(Address(nullptr, 0) == Address());
  }
}

TEST_CASE("error details: format and split") {
  CHECK(pk::probe::format_error_detail("192.0.2.1", "host unreachable") == "from 192.0.2.1: host unreachable");
  auto d = pk::probe::split_error_detail("from 2001:db8::1: hop limit exceeded");
  REQUIRE(d);
  CHECK(d->from == "2001:db8::1");
  CHECK(d->reason == "hop limit exceeded");
  CHECK_FALSE(pk::probe::split_error_detail("sendto: Network is unreachable"));
  CHECK_FALSE(pk::probe::split_error_detail("from 192.0.2.1"));
  CHECK_FALSE(pk::probe::split_error_detail("from : x"));
  CHECK_FALSE(pk::probe::split_error_detail(""));
}

TEST_SUITE_END();
