#include "core/host.hpp"

#include <doctest/doctest.h>

#include <string>

using pk::core::classify_host;
using pk::core::HostKind;

namespace {

HostKind kind_of(std::string_view host) {
  auto result = classify_host(host);
  REQUIRE_MESSAGE(result.has_value(), "classify_host(\"", std::string(host),
                  "\") failed: ", result ? std::string() : result.error().message);
  return *result;
}

// The error message; fails the test case if the host was accepted.
std::string rejection(std::string_view host) {
  auto result = classify_host(host);
  REQUIRE_MESSAGE(!result.has_value(), "classify_host(\"", std::string(host), "\") should have failed");
  CHECK(result.error().kind == pk::ErrorKind::invalid_input);
  CHECK(result.error().message.find("invalid host \"" + std::string(host) + "\": ") == 0);
  return result.error().message;
}

bool mentions(const std::string& message, std::string_view what) { return message.find(what) != std::string::npos; }

std::string label(std::size_t length, char c = 'a') { return std::string(length, c); }

}  // namespace

TEST_SUITE_BEGIN("core");

TEST_CASE("classify_host: empty") { CHECK(mentions(rejection(""), "empty")); }

TEST_CASE("classify_host: addresses that name no single host are refused") {
  CHECK(mentions(rejection("0.0.0.0"), "not an address to probe"));
  CHECK(mentions(rejection("255.255.255.255"), "broadcast"));
  CHECK(mentions(rejection("224.0.0.1"), "multicast"));
  CHECK(mentions(rejection("239.255.255.250"), "multicast"));
  CHECK(mentions(rejection("::"), "unspecified"));
  CHECK(mentions(rejection("0:0:0:0:0:0:0:0"), "unspecified"));
  CHECK(mentions(rejection("ff02::1"), "multicast"));
}

TEST_CASE("classify_host: IPv4") {
  SUBCASE("valid dotted quads") {
    for (const char* host :
         {"0.0.0.1", "127.0.0.1", "192.0.2.1", "255.255.255.254", "10.0.0.10", "1.2.3.4", "100.200.250.199",
          "223.255.255.255", "240.0.0.1"}) {
      CAPTURE(host);
      CHECK(kind_of(host) == HostKind::ipv4);
    }
  }
  SUBCASE("octets out of range") {
    CHECK(mentions(rejection("256.1.1.1"), "\"256\" is out of range"));
    CHECK(mentions(rejection("1.2.3.256"), "out of range 0-255"));
    CHECK(mentions(rejection("1.2.3.999"), "out of range"));
    CHECK(mentions(rejection("1.2.3.1000"), "out of range"));
  }
  SUBCASE("leading zeros (octal to the C resolver)") {
    CHECK(mentions(rejection("01.2.3.4"), "\"01\" has a leading zero"));
    CHECK(mentions(rejection("1.2.3.00"), "leading zero"));
    CHECK(mentions(rejection("127.000.000.001"), "leading zero"));
  }
  SUBCASE("wrong number of octets") {
    CHECK(mentions(rejection("1.2.3"), "four decimal octets"));
    CHECK(mentions(rejection("1.2.3.4.5"), "four decimal octets"));
    CHECK(mentions(rejection("1"), "four decimal octets"));
    CHECK(mentions(rejection("16909060"), "four decimal octets"));
  }
  SUBCASE("empty octets and dots") {
    CHECK(mentions(rejection("1..2.3"), "four decimal octets"));
    CHECK(mentions(rejection(".1.2.3"), "four decimal octets"));
    CHECK(mentions(rejection("1.2.3."), "four decimal octets"));
    CHECK(mentions(rejection("1.2.3.4."), "four decimal octets"));
    CHECK(mentions(rejection("."), "four decimal octets"));
    CHECK(mentions(rejection("..."), "four decimal octets"));
  }
  SUBCASE("hex and mixed numeric forms inet_aton would accept") {
    CHECK(mentions(rejection("0x7f.0.0.1"), "numeric"));
    CHECK(mentions(rejection("0x7f000001"), "numeric"));
    CHECK(mentions(rejection("0X7F.1"), "numeric"));
  }
  SUBCASE("white space and signs") {
    CHECK(mentions(rejection(" 1.2.3.4"), "a space"));
    CHECK(mentions(rejection("1.2.3.4 "), "a space"));
    CHECK(mentions(rejection("1.2.3.-4"), "hyphen"));
  }
}

TEST_CASE("classify_host: IPv6") {
  SUBCASE("valid literals") {
    for (const char* host :
         {"::1", "::2", "2001:db8::1", "2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8:0:0:0:ff00:42:8329",
          "fe80::1", "FE80::ABCD:1", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "1::", "1:2:3:4:5:6:7:8"}) {
      CAPTURE(host);
      CHECK(kind_of(host) == HostKind::ipv6);
    }
  }
  SUBCASE("a zone suffix") {
    CHECK(kind_of("fe80::1%eth0") == HostKind::ipv6);
    CHECK(kind_of("fe80::1%2") == HostKind::ipv6);
    CHECK(kind_of("fe80::1%br-lan.10_x") == HostKind::ipv6);
    CHECK(mentions(rejection("fe80::1%"), "zone after '%' is empty"));
    CHECK(mentions(rejection("fe80::1%eth 0"), "zone after '%' contains a space"));
    CHECK(mentions(rejection("fe80::1%eth0%1"), "zone after '%' contains '%'"));
    CHECK(mentions(rejection("fe80::1%eth/0"), "'/'"));
    CHECK(mentions(rejection("%eth0"), "cannot contain '%'"));
  }
  SUBCASE("malformed literals") {
    for (const char* host :
         {":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "2001:db8::1::2", "12345::1", "g::1", "::ffff:256.0.0.1",
          "::ffff:1.2.3", "2001:db8:::1", "1:2:3:4:5:6:7:8::", ":1::2", "::1 ", " ::1", "::1/128"}) {
      CAPTURE(host);
      const std::string message = rejection(host);
      CHECK((mentions(message, "not a valid IPv6 address") || mentions(message, "zone")));
    }
  }
  SUBCASE("brackets are not part of the host") {
    CHECK(mentions(rejection("[::1]"), "without brackets"));
    CHECK(mentions(rejection("[::1"), "without brackets"));
    CHECK(mentions(rejection("[::1]:80"), "without brackets"));
  }
  SUBCASE("host:port is pointed out") {
    CHECK(mentions(rejection("example.com:443"), "port"));
    CHECK(mentions(rejection("192.0.2.1:80"), "port"));
  }
  SUBCASE("an embedded NUL byte is not ignored") {
    CHECK(mentions(rejection(std::string_view("::1\0zz", 6)), "not a valid IPv6 address"));
  }
}

TEST_CASE("classify_host: DNS names") {
  SUBCASE("valid names") {
    for (const char* host :
         {"localhost", "example.com", "www.example.com", "EXAMPLE.COM", "a", "a.b", "x-1.example",
          "xn--bcher-kva.example", "123.example", "1e100.net", "db1", "host-01.dc-2.internal", "a1.2b.3c"}) {
      CAPTURE(host);
      CHECK(kind_of(host) == HostKind::dns_name);
    }
  }
  SUBCASE("one trailing dot") {
    CHECK(kind_of("example.com.") == HostKind::dns_name);
    CHECK(kind_of("localhost.") == HostKind::dns_name);
    CHECK(mentions(rejection("example.com.."), "empty label"));
  }
  SUBCASE("label length 63 is fine, 64 is not") {
    CHECK(kind_of(label(63)) == HostKind::dns_name);
    CHECK(kind_of(label(63) + ".example") == HostKind::dns_name);
    CHECK(kind_of("example." + label(63)) == HostKind::dns_name);
    CHECK(mentions(rejection(label(64)), "longer than 63 characters"));
    CHECK(mentions(rejection("www." + label(64) + ".example"), "longer than 63"));
  }
  SUBCASE("total length 253 is fine, 254 is not; a trailing dot does not count") {
    // Three labels of 63 and one of 61 with three dots: 63*3 + 61 + 3 = 253.
    const std::string name253 = label(63) + "." + label(63, 'b') + "." + label(63, 'c') + "." + label(61, 'd');
    REQUIRE(name253.size() == 253);
    CHECK(kind_of(name253) == HostKind::dns_name);
    CHECK(kind_of(name253 + ".") == HostKind::dns_name);
    const std::string name254 = name253 + "d";
    REQUIRE(name254.size() == 254);
    CHECK(mentions(rejection(name254), "at most 253 characters"));
    CHECK(mentions(rejection(name254 + "."), "at most 253 characters"));
  }
  SUBCASE("underscores are rejected") {
    CHECK(mentions(rejection("my_host"), "underscores"));
    CHECK(mentions(rejection("_sip._tcp.example.com"), "underscores"));
  }
  SUBCASE("hyphens only inside labels") {
    CHECK(mentions(rejection("-example.com"), "\"-example\" starts or ends with a hyphen"));
    CHECK(mentions(rejection("example-.com"), "starts or ends with a hyphen"));
    CHECK(mentions(rejection("www.example.com-"), "starts or ends with a hyphen"));
    CHECK(mentions(rejection("-"), "hyphen"));
    CHECK(kind_of("a--b.example") == HostKind::dns_name);
  }
  SUBCASE("empty labels") {
    CHECK(mentions(rejection(".example.com"), "empty label"));
    CHECK(mentions(rejection("example..com"), "empty label"));
    CHECK(mentions(rejection(".."), "four decimal octets"));
  }
  SUBCASE("other characters") {
    CHECK(mentions(rejection("exa mple.com"), "a space"));
    CHECK(mentions(rejection("example.com/path"), "'/'"));
    CHECK(mentions(rejection("user@example.com"), "'@'"));
    CHECK(mentions(rejection("b\xc3\xbc"
                             "cher.example"),
                   "byte 0xc3"));
    CHECK(mentions(rejection("tab\there"), "byte 0x09"));
    CHECK(mentions(rejection("*.example.com"), "'*'"));
  }
}

TEST_SUITE_END();
