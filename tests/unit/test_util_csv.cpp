#include <doctest/doctest.h>

#include "util/csv.hpp"
#include "util/strings.hpp"

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
  CHECK(util::starts_with_ci("Weekdays", "week"));
  CHECK_FALSE(util::starts_with_ci("we", "week"));
}

TEST_SUITE_END();
