#include "util/duration.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

using namespace std::chrono_literals;
using pk::util::format_duration;
using pk::util::Micros;
using pk::util::parse_duration;

namespace {

// The parsed value; fails the test case if parsing failed.
Micros parsed(std::string_view text) {
  auto result = parse_duration(text);
  REQUIRE_MESSAGE(result.has_value(), "parse_duration(\"", std::string(text),
                  "\") failed: ", result ? std::string() : result.error().message);
  return *result;
}

// The error message; fails the test case if parsing succeeded.
std::string rejection(std::string_view text) {
  auto result = parse_duration(text);
  REQUIRE_MESSAGE(!result.has_value(), "parse_duration(\"", std::string(text), "\") should have failed");
  CHECK(result.error().kind == pk::ErrorKind::invalid_input);
  return result.error().message;
}

constexpr std::int64_t k_hundred_years_us = 3'155'695'200'000'000;  // 36524.25 days

}  // namespace

TEST_SUITE_BEGIN("util");

TEST_CASE("parse_duration: each unit") {
  CHECK(parsed("1us") == 1us);
  CHECK(parsed("250ms") == 250ms);
  CHECK(parsed("5s") == 5s);
  CHECK(parsed("1m") == 1min);
  CHECK(parsed("2h") == 2h);
  CHECK(parsed("7d") == 24h * 7);
  CHECK(parsed("1w") == 24h * 7);
  CHECK(parsed("3w") == 24h * 21);
  CHECK(parsed("1000000us") == 1s);
}

TEST_CASE("parse_duration: zero") {
  SUBCASE("bare 0") { CHECK(parsed("0") == 0us); }
  SUBCASE("with a unit") {
    CHECK(parsed("0s") == 0us);
    CHECK(parsed("0us") == 0us);
    CHECK(parsed("0h0m") == 0us);
  }
  SUBCASE("zero fraction") { CHECK(parsed("0.0s") == 0us); }
}

TEST_CASE("parse_duration: combinations, largest first") {
  CHECK(parsed("1h30m") == 90min);
  CHECK(parsed("1w2d") == 24h * 9);
  CHECK(parsed("1s500ms") == 1500ms);
  CHECK(parsed("1m1s1ms1us") == 1min + 1s + 1ms + 1us);
  CHECK(parsed("1w1d1h1m1s1ms1us") == 24h * 8 + 1h + 1min + 1s + 1ms + 1us);
  CHECK(parsed("2d12h") == 60h);
  SUBCASE("units may be skipped") { CHECK(parsed("1h5s") == 1h + 5s); }
  SUBCASE("a term may exceed the next unit") {
    CHECK(parsed("90m") == 90min);
    CHECK(parsed("1500ms") == 1500ms);
  }
  SUBCASE("leading zeros in a number") { CHECK(parsed("05s") == 5s); }
}

TEST_CASE("parse_duration: decimal fractions in a single term") {
  CHECK(parsed("1.5s") == 1500ms);
  CHECK(parsed("0.25h") == 15min);
  CHECK(parsed("0.5ms") == 500us);
  CHECK(parsed("1.5w") == 24h * 10 + 12h);
  CHECK(parsed("0.000001s") == 1us);
  CHECK(parsed("2.50m") == 150s);
  SUBCASE("trailing zeros beyond microseconds are exact") { CHECK(parsed("1.0000000000s") == 1s); }
  SUBCASE("many digits that still come out whole") {
    // 1/1024 h = 3515625 us exactly.
    CHECK(parsed("0.0009765625h") == 3515625us);
  }
}

TEST_CASE("parse_duration: the 100-year limit") {
  CHECK(parsed("36524d") == 24h * 36524);
  CHECK(parsed("5217w") == 24h * 7 * 5217);
  CHECK(parsed("36524d6h") == Micros{k_hundred_years_us});
  CHECK(rejection("36524d6h1us").find("100 years") != std::string::npos);
  CHECK(rejection("36525d").find("100 years") != std::string::npos);
  CHECK(rejection("5218w").find("100 years") != std::string::npos);
  CHECK(rejection("100.1w0d").find("fraction") != std::string::npos);
  SUBCASE("numbers that overflow 64 bits") {
    CHECK(rejection("99999999999999999999999us").find("100 years") != std::string::npos);
    CHECK(rejection("9223372036854775807us").find("100 years") != std::string::npos);
    CHECK(rejection("18446744073709551617s").find("100 years") != std::string::npos);
  }
  SUBCASE("sum beyond the limit although each term is within") {
    CHECK(rejection("5217w7d").find("100 years") != std::string::npos);
  }
}

TEST_CASE("parse_duration: rejections") {
  SUBCASE("empty") { CHECK(rejection("").find("empty") != std::string::npos); }
  SUBCASE("missing unit") {
    CHECK(rejection("5").find("missing unit") != std::string::npos);
    CHECK(rejection("00").find("missing unit") != std::string::npos);
    CHECK(rejection("1h30").find("missing unit") != std::string::npos);
    CHECK(rejection("1.5").find("missing unit") != std::string::npos);
  }
  SUBCASE("signs") {
    CHECK(rejection("-5s").find("sign") != std::string::npos);
    CHECK(rejection("+5s").find("sign") != std::string::npos);
    CHECK(rejection("1h-5m").find("sign") != std::string::npos);
  }
  SUBCASE("unknown units") {
    CHECK(rejection("5x").find("unknown unit \"x\"") != std::string::npos);
    CHECK(rejection("5sec").find("unknown unit \"sec\"") != std::string::npos);
    CHECK(rejection("5S").find("unexpected character") != std::string::npos);
    CHECK(rejection("5Y").find("unexpected character") != std::string::npos);
    CHECK(rejection("5yr").find("unknown unit \"yr\"") != std::string::npos);
    CHECK(rejection("5ns").find("unknown unit") != std::string::npos);
    CHECK(rejection("5\xc2\xb5s").find("write microseconds as \"us\"") != std::string::npos);
    CHECK(rejection(std::string_view("5s\0", 3)).find("number must come") != std::string::npos);
    CHECK(rejection(std::string_view("5\0s", 3)).find("unexpected byte 0x00") != std::string::npos);
  }
  SUBCASE("units out of order") {
    CHECK(rejection("1m1h").find("out of order") != std::string::npos);
    CHECK(rejection("1us1ms").find("out of order") != std::string::npos);
    CHECK(rejection("1d1w").find("out of order") != std::string::npos);
  }
  SUBCASE("repeated units") {
    CHECK(rejection("1s1s").find("repeated") != std::string::npos);
    CHECK(rejection("1h1h").find("repeated") != std::string::npos);
  }
  SUBCASE("a fraction with more than one term") {
    CHECK(rejection("1.5h30m").find("single term") != std::string::npos);
    CHECK(rejection("1h0.5m").find("single term") != std::string::npos);
  }
  SUBCASE("fractions finer than a microsecond") {
    CHECK(rejection("0.5us").find("microsecond") != std::string::npos);
    CHECK(rejection("1.0001ms").find("microsecond") != std::string::npos);
    CHECK(rejection("0.0000001s").find("microsecond") != std::string::npos);
    CHECK(rejection("0.1234567890123456789012s").find("microsecond") != std::string::npos);
  }
  SUBCASE("malformed fractions") {
    CHECK(rejection("1.s").find("decimal point") != std::string::npos);
    CHECK(rejection(".5s").find("number must come") != std::string::npos);
    CHECK(rejection("1..5s").find("decimal point") != std::string::npos);
    CHECK(rejection("1.5.5s").find("unexpected character") != std::string::npos);
  }
  SUBCASE("white space") {
    CHECK(rejection(" 5s").find("white space") != std::string::npos);
    CHECK(rejection("5s ").find("white space") != std::string::npos);
    CHECK(rejection("1h 30m").find("white space") != std::string::npos);
    CHECK(rejection("5 s").find("unexpected character") != std::string::npos);
    CHECK(rejection("\t5s").find("white space") != std::string::npos);
  }
  SUBCASE("unit without a number") {
    CHECK(rejection("s").find("number must come") != std::string::npos);
    CHECK(rejection("h1m").find("number must come") != std::string::npos);
  }
}

TEST_CASE("parse_duration: the message quotes the text and shows the form") {
  const std::string message = rejection("1m1h");
  CHECK(message.find("invalid duration \"1m1h\"") == 0);
  CHECK(message.find("expected e.g. \"250ms\", \"5s\", \"1h30m\"") != std::string::npos);
}

TEST_CASE("parse_duration: y is 365 days, the largest unit") {
  CHECK(parsed("1y") == 24h * 365);
  CHECK(parsed("5y") == 24h * 1825);
  CHECK(parsed("1y2d") == 24h * 367);
  CHECK(parsed("1.5y") == 24h * 547 + 12h);
  CHECK(parsed("100y") == 24h * 36500);
  CHECK(rejection("101y").find("100 years") != std::string::npos);
  CHECK(rejection("1w1y").find("out of order") != std::string::npos);
  CHECK(rejection("1y1y").find("repeated") != std::string::npos);
  CHECK(rejection("0.00000000000001y").find("finer than a microsecond") != std::string::npos);
  CHECK(rejection("1x").find("w, y, largest first") != std::string::npos);
}

TEST_CASE("format_duration: largest units first, exact") {
  CHECK(format_duration(0us) == "0s");
  CHECK(format_duration(90min) == "1h30m");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(1500ms) == "1s500ms");
  CHECK(format_duration(1us) == "1us");
  CHECK(format_duration(1001us) == "1ms1us");
  CHECK(format_duration(24h) == "1d");
  CHECK(format_duration(24h * 7) == "1w");
  CHECK(format_duration(24h * 8) == "1w1d");
  CHECK(format_duration(24h * 9 + 1h + 1min + 1s + 1ms + 1us) == "1w2d1h1m1s1ms1us");
  CHECK(format_duration(3600s) == "1h");
  CHECK(format_duration(24h * 365) == "1y");
  CHECK(format_duration(24h * 1825) == "5y");
  CHECK(format_duration(24h * 400) == "1y5w");
  CHECK(format_duration(61s) == "1m1s");
}

TEST_CASE("format_duration: negative durations") {
  CHECK(format_duration(-5s) == "-5s");
  CHECK(format_duration(-90min) == "-1h30m");
  SUBCASE("the most negative value does not overflow") {
    const std::string text = format_duration(Micros{std::numeric_limits<std::int64_t>::min()});
    CHECK(text.front() == '-');
    CHECK(text.find("us") != std::string::npos);
    CHECK(text == "-292471y10w6d4h54s775ms808us");
  }
}

TEST_CASE("format_duration and parse_duration round-trip") {
  SUBCASE("formatted values parse back") {
    for (const Micros d :
         {Micros{1}, Micros{999}, Micros{1000}, Micros{1'000'001}, Micros{59'999'999}, Micros{3'600'000'000},
          Micros{86'399'999'999}, Micros{604'800'000'000}, Micros{1'234'567'890'123}, Micros{k_hundred_years_us}}) {
      CAPTURE(d.count());
      CHECK(parsed(format_duration(d)) == d);
    }
  }
  SUBCASE("canonical texts format back to themselves") {
    for (const char* text : {"1h30m", "250ms", "1s500ms", "1w2d", "5s", "1us", "3w6d23h59m", "1y", "2y1d"}) {
      CAPTURE(text);
      CHECK(format_duration(parsed(text)) == text);
    }
  }
  SUBCASE("non-canonical texts normalise") {
    CHECK(format_duration(parsed("90m")) == "1h30m");
    CHECK(format_duration(parsed("1.5s")) == "1s500ms");
    CHECK(format_duration(parsed("7d")) == "1w");
    CHECK(format_duration(parsed("1825d")) == "5y");
    CHECK(format_duration(parsed("0")) == "0s");
  }
}

TEST_SUITE_END();
