#include "core/target.hpp"
#include "core/target_import.hpp"

#include <doctest/doctest.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("core");

TEST_CASE("make_target applies defaults") {
  auto t = core::make_target("127.0.0.1", {});
  REQUIRE(t);
  CHECK(t->name == "127.0.0.1");
  CHECK(t->interval == 1s);
  CHECK(t->timeout == 1s);
  CHECK(t->payload_size == 56);
  CHECK(t->probe == core::ProbeKind::icmp);
  CHECK_FALSE(t->port);
  CHECK_FALSE(t->paused);
  CHECK_FALSE(t->job_only);
}

TEST_CASE("target validation") {
  core::TargetPatch p;
  SUBCASE("bad hosts") {
    for (const char* host : {"", "999.1.1.1", "bad_host!", "-x", "1.2.3"}) {
      CAPTURE(host);
      auto r = core::make_target(host, p);
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == ErrorKind::invalid_input);
    }
  }
  SUBCASE("interval and timeout bounds, inclusive") {
    p.interval = 100ms;
    p.timeout = 60s;
    CHECK(core::make_target("h.example", p));
    p.interval = 24h;
    p.timeout = 100ms;
    CHECK(core::make_target("h.example", p));
    p.interval = 99ms;
    CHECK_FALSE(core::make_target("h.example", p));
    p.interval = 24h + 1ms;
    CHECK_FALSE(core::make_target("h.example", p));
    p.interval = 1s;
    p.timeout = 61s;
    CHECK_FALSE(core::make_target("h.example", p));
    p.timeout = std::chrono::microseconds{1'000'500};
    CHECK_FALSE(core::make_target("h.example", p));  // not whole ms
  }
  SUBCASE("payload bounds") {
    p.payload_size = 0;
    CHECK(core::make_target("h.example", p));
    p.payload_size = 65000;
    CHECK(core::make_target("h.example", p));
    p.payload_size = 65001;
    CHECK_FALSE(core::make_target("h.example", p));
    p.payload_size = -1;
    CHECK_FALSE(core::make_target("h.example", p));
  }
  SUBCASE("tcp gets port 443; port needs tcp") {
    p.probe = core::ProbeKind::tcp;
    CHECK(core::make_target("h.example", p)->port == 443);
    p.port = 22;
    CHECK(core::make_target("h.example", p)->port == 22);
    p.port = 70000;
    CHECK_FALSE(core::make_target("h.example", p));
    p.probe.reset();
    p.port = 22;
    auto r = core::make_target("h.example", p);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("TCP probes only") != std::string::npos);
  }
  SUBCASE("family must match a literal") {
    p.family = core::Family::v6;
    CHECK_FALSE(core::make_target("10.0.0.1", p));
    CHECK(core::make_target("::1", p));
    CHECK(core::make_target("dual.example", p));
    p.family = core::Family::v4;
    CHECK_FALSE(core::make_target("::1", p));
  }
  SUBCASE("names") {
    for (const char* name : {"a", "db-1.fra", "::1", "x_y"}) {
      CAPTURE(name);
      CHECK(core::validate_name(name));
    }
    for (const char* name : {"", "42", "has space", "semi;colon", "é"}) {
      CAPTURE(name);
      CHECK_FALSE(core::validate_name(name));
    }
    CHECK(core::validate_name(std::string(255, 'a')));
    CHECK_FALSE(core::validate_name(std::string(256, 'a')));
    CHECK(core::validate_name("fe80::1%eth0"));
  }
}

TEST_CASE("apply_patch edits, keeps the target on error") {
  auto t = *core::make_target("10.0.0.1", {});
  core::TargetPatch p;
  p.set_tags = {{"site", "fra"}, {"role", "db"}};
  REQUIRE(core::apply_patch(t, p));
  CHECK(t.tags.size() == 2);
  core::TargetPatch q;
  q.remove_tags = {"role"};
  q.interval = 5s;
  REQUIRE(core::apply_patch(t, q));
  CHECK(t.tags == core::Tags{{"site", "fra"}});
  CHECK(t.interval == 5s);
  core::TargetPatch bad;
  bad.interval = 1ms;
  bad.name = "renamed";
  REQUIRE_FALSE(core::apply_patch(t, bad));
  CHECK(t.name == "10.0.0.1");
  CHECK(t.interval == 5s);
  core::TargetPatch to_tcp;
  to_tcp.probe = core::ProbeKind::tcp;
  REQUIRE(core::apply_patch(t, to_tcp));
  CHECK(t.port == 443);
  core::TargetPatch back;
  back.probe = core::ProbeKind::icmp;
  REQUIRE(core::apply_patch(t, back));
  CHECK_FALSE(t.port);
}

TEST_CASE("tags") {
  CHECK(core::parse_tag("site=fra")->second == "fra");
  CHECK(core::parse_tag("empty=")->second.empty());
  CHECK(core::parse_tag("k=a=b")->second == "a=b");
  CHECK_FALSE(core::parse_tag("novalue"));
  CHECK_FALSE(core::parse_tag("=v"));
  CHECK_FALSE(core::parse_tag("bad key=v"));
  CHECK_FALSE(core::parse_tag("k=line\nbreak"));
}

TEST_CASE("import: one host per line") {
  core::TargetPatch defaults;
  defaults.interval = 10s;
  auto r = core::parse_target_import("# routers\n10.0.0.1\n\n  10.0.0.2  # core\r\nhost.example\n", defaults);
  REQUIRE(r);
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].line == 2);
  CHECK((*r)[1].line == 4);
  CHECK((*r)[1].target.host == "10.0.0.2");
  CHECK((*r)[2].target.interval == 10s);
}

TEST_CASE("import: CSV with a header") {
  auto text =
      "host,name,interval,timeout,probe,port,tags\n"
      "10.0.0.1,r1,5s,,icmp,,site=fra;role=core\n"
      "\"web.example\",web,,2s,tcp,8443,\n";
  core::TargetPatch defaults;
  defaults.set_tags = {{"team", "net"}};
  auto r = core::parse_target_import(text, defaults);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  const auto& r1 = (*r)[0].target;
  CHECK(r1.name == "r1");
  CHECK(r1.interval == 5s);
  CHECK(r1.timeout == 1s);
  CHECK(r1.tags == core::Tags{{"role", "core"}, {"site", "fra"}, {"team", "net"}});
  const auto& web = (*r)[1].target;
  CHECK(web.probe == core::ProbeKind::tcp);
  CHECK(web.port == 8443);
  CHECK(web.timeout == 2s);
  CHECK((*r)[1].line == 3);
}

TEST_CASE("import errors name the line") {
  auto check_error = [](std::string_view text, std::string_view expected) {
    auto r = core::parse_target_import(text, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
    CAPTURE(r.error().message);
    CHECK(r.error().message.find(expected) != std::string::npos);
  };
  check_error("10.0.0.1\n10.0.0.2\nnot a host\n", "line 3:");
  check_error("host,name\n10.0.0.1,a\n10.0.0.2\n", "line 3: 1 fields");
  check_error("host,colour\n10.0.0.1,red\n", "unknown column \"colour\"");
  check_error("name,interval\na,1s\n", "needs a \"host\" column");
  check_error("host,interval\n10.0.0.1,5x\n", "line 2:");
  check_error("host,name\n\"10.0.0.1,a\n", "line 2: unclosed quote");
  check_error("# only comments\n\n", "no hosts");
}

TEST_SUITE_END();
