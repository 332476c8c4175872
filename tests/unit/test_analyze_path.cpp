#include "analyze/path.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

using namespace pk;

TEST_SUITE_BEGIN("analyze");

namespace {

// A trace from rows of responders per TTL ("" = silent), one probe each.
core::Trace trace_of(std::initializer_list<std::vector<std::string>> hops, bool reached, int first_ttl = 1) {
  core::Trace t;
  t.first_ttl = first_ttl;
  t.reached = reached;
  int ttl = first_ttl;
  for (const auto& hop : hops) {
    int query = 1;
    for (const auto& address : hop) {
      core::TraceProbe p;
      p.ttl = ttl;
      p.query = query++;
      if (!address.empty()) {
        p.address = address;
        p.reply = core::HopReply::time_exceeded;
      }
      t.probes.push_back(p);
    }
    ++ttl;
  }
  t.hop_count = ttl - 1;
  return t;
}

analyze::PathSignature sig(std::initializer_list<std::vector<std::string>> hops, bool reached = true,
                           int first_ttl = 1) {
  return analyze::path_signature(trace_of(hops, reached, first_ttl));
}

}  // namespace

TEST_CASE("path_signature: sorted distinct responders per TTL, trailing silence dropped") {
  auto s = sig({{"10.0.1.1", "10.0.1.1", "10.0.1.1"}, {"10.0.2.9", "", "10.0.2.1"}, {"", "", ""}, {"", "", ""}}, false);
  REQUIRE(s.hops.size() == 2);
  CHECK(s.hops[0] == std::vector<std::string>{"10.0.1.1"});
  CHECK(s.hops[1] == std::vector<std::string>{"10.0.2.1", "10.0.2.9"});
  CHECK_FALSE(s.reached);
  CHECK(analyze::path_text(s) == "10.0.1.1 > 10.0.2.1|10.0.2.9");
  CHECK(analyze::path_text(sig({{"", ""}, {"10.0.2.1"}})) == "* > 10.0.2.1");
  CHECK(analyze::path_text(sig({{"", ""}}, false)) == "*");
}

TEST_CASE("path_hash: equal signatures alike, different ones apart") {
  auto a = sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.2"}});
  auto b = sig({{"10.0.1.1", "10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.2"}});
  CHECK(analyze::path_hash(a) == analyze::path_hash(b));
  CHECK(analyze::path_hash(a).size() == 16);
  CHECK(analyze::path_hash(a) != analyze::path_hash(sig({{"10.0.1.1"}, {"10.0.2.9"}, {"10.0.3.2"}})));
  CHECK(analyze::path_hash(a) != analyze::path_hash(sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.2"}}, false)));
  CHECK(analyze::path_hash(a) != analyze::path_hash(sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.2"}}, true, 2)));
  // Hop boundaries are part of the text: {a,b} in one hop is not a then b.
  CHECK(analyze::path_hash(sig({{"1.1.1.1", "2.2.2.2"}})) != analyze::path_hash(sig({{"1.1.1.1"}, {"2.2.2.2"}})));
}

TEST_CASE("path_changed: a different responder, length or outcome is a change; silence is not") {
  const auto base = sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.2"}});
  CHECK_FALSE(analyze::path_changed(base, base));
  SUBCASE("another router at one hop") {
    CHECK(analyze::path_changed(base, sig({{"10.0.1.1"}, {"10.0.9.1"}, {"10.0.3.2"}})));
  }
  SUBCASE("an ECMP hop that gained a second responder") {
    CHECK(analyze::path_changed(base, sig({{"10.0.1.1"}, {"10.0.2.1", "10.0.9.1"}, {"10.0.3.2"}})));
  }
  SUBCASE("one hop more to the destination") {
    CHECK(analyze::path_changed(base, sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.5.1"}, {"10.0.3.2"}})));
  }
  SUBCASE("reached, then not") {
    CHECK(analyze::path_changed(base, sig({{"10.0.1.1"}, {"10.0.2.1"}}, false)));
    CHECK(analyze::path_changed(sig({{"10.0.1.1"}, {"10.0.2.1"}}, false), base));
  }
  SUBCASE("a hop silent this time is not a change") {
    CHECK_FALSE(analyze::path_changed(base, sig({{"10.0.1.1"}, {""}, {"10.0.3.2"}})));
    CHECK_FALSE(analyze::path_changed(sig({{""}, {"10.0.2.1"}, {"10.0.3.2"}}), base));
  }
  SUBCASE("an unreached trace that got less far is not a change") {
    auto far = sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.4.1"}}, false);
    CHECK_FALSE(analyze::path_changed(far, sig({{"10.0.1.1"}, {"10.0.2.1"}}, false)));
    CHECK(analyze::path_changed(far, sig({{"10.0.1.1"}, {"10.0.7.1"}}, false)));
  }
  SUBCASE("traces from different first TTLs compare TTL by TTL") {
    auto from2 = sig({{"10.0.2.1"}, {"10.0.3.2"}}, true, 2);
    CHECK_FALSE(analyze::path_changed(base, from2));
    CHECK(analyze::path_changed(base, sig({{"10.0.8.1"}, {"10.0.3.2"}}, true, 2)));
  }
}

TEST_CASE("reference_path: silent hops of the newest trace filled from older ones") {
  std::vector<analyze::PathSignature> newest_first{
      sig({{"10.0.1.1"}, {""}, {""}, {"10.0.4.2"}}),
      sig({{"10.0.1.1"}, {""}, {"10.0.3.1"}, {"10.0.4.2"}}),
      sig({{"10.0.1.1"}, {"10.0.2.1"}, {"10.0.3.9"}, {"10.0.4.2"}}),
  };
  auto ref = analyze::reference_path(newest_first);
  CHECK(analyze::path_text(ref) == "10.0.1.1 > 10.0.2.1 > 10.0.3.1 > 10.0.4.2");
  CHECK(ref.reached);
  // A change behind a silent hop is still seen.
  CHECK(analyze::path_changed(ref, sig({{"10.0.1.1"}, {"10.0.2.7"}, {"10.0.3.1"}, {"10.0.4.2"}})));
  CHECK_FALSE(analyze::path_changed(ref, sig({{"10.0.1.1"}, {"10.0.2.1"}, {""}, {"10.0.4.2"}})));
  CHECK(analyze::reference_path({}).hops.empty());
  // Older traces from another first TTL line up by TTL.
  std::vector<analyze::PathSignature> shifted{sig({{""}, {"10.0.3.1"}}, true, 2), sig({{"10.0.2.1"}}, false, 2)};
  CHECK(analyze::path_text(analyze::reference_path(shifted)) == "10.0.2.1 > 10.0.3.1");
}

TEST_SUITE_END();
