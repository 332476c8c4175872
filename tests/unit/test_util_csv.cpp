#include "util/csv.hpp"
#include "util/strings.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace pk;

TEST_SUITE_BEGIN("util");

TEST_CASE("csv records parse per RFC 4180") {
  using V = std::vector<std::string>;
  CHECK(*util::parse_csv_record("a,b,c") == V{"a", "b", "c"});
  CHECK(*util::parse_csv_record("") == V{""});
  CHECK(*util::parse_csv_record("a,,") == V{"a", "", ""});
  CHECK(*util::parse_csv_record("\"a,b\",\"say \"\"hi\"\"\"") == V{"a,b", "say \"hi\""});
  CHECK(*util::parse_csv_record("\"\"") == V{""});
  CHECK_FALSE(util::parse_csv_record("\"open"));
  CHECK_FALSE(util::parse_csv_record("\"a\"b"));
  CHECK_FALSE(util::parse_csv_record("a\"b"));
}

TEST_CASE("csv fields quote only when needed and round-trip") {
  CHECK(util::csv_field("plain") == "plain");
  CHECK(util::csv_field("a,b") == "\"a,b\"");
  CHECK(util::csv_field("q\"q") == "\"q\"\"q\"");
  std::vector<std::string> fields{"x", "a,b", "say \"hi\"", ""};
  CHECK(*util::parse_csv_record(util::csv_record(fields)) == fields);
}

TEST_CASE("string helpers") {
  CHECK(util::trim("  a b \t\r\n") == "a b");
  CHECK(util::trim("   ").empty());
  CHECK(util::split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
  CHECK(util::split("", ',') == std::vector<std::string_view>{""});
  CHECK(util::to_lower("MoN-FRI") == "mon-fri");
  CHECK(util::join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(util::join({}, ",").empty());
}

TEST_CASE("utf-8 validation") {
  CHECK(util::is_valid_utf8(""));
  CHECK(util::is_valid_utf8("plain ascii"));
  CHECK(util::is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  CHECK_FALSE(util::is_valid_utf8("caf\xe9"));                              // Latin-1
  CHECK_FALSE(util::is_valid_utf8("\xc3"));                                 // truncated
  CHECK_FALSE(util::is_valid_utf8("\xc0\xaf"));                             // overlong '/'
  CHECK_FALSE(util::is_valid_utf8("\xed\xa0\x80"));                         // surrogate
  CHECK_FALSE(util::is_valid_utf8("\xf4\x90\x80\x80"));                     // beyond U+10FFFF
  CHECK_FALSE(util::is_valid_utf8("\xff"));
}

TEST_CASE("natural order") {
  CHECK(util::natural_less("10.0.0.2", "10.0.0.10"));
  CHECK_FALSE(util::natural_less("10.0.0.10", "10.0.0.2"));
  CHECK(util::natural_less("db2", "db10"));
  CHECK(util::natural_less("a", "b"));
  CHECK(util::natural_less("a", "a1"));
  CHECK_FALSE(util::natural_less("x", "x"));
  CHECK(util::natural_less("r007", "r8"));
  std::vector<std::string> v{"h10", "h9", "g", "h1"};
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return util::natural_less(a, b); });
  CHECK(v == std::vector<std::string>{"g", "h1", "h9", "h10"});
}

TEST_SUITE_END();
