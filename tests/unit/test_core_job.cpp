#include <doctest/doctest.h>

#include "core/job.hpp"

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("core");

namespace {

// 2026-11-23 is a Monday. 12:00 UTC = 13:00 in Berlin (CET, UTC+1).
const util::SysMicros k_monday_noon_utc = util::from_epoch_us(1'795'435'200'000'000);

core::Job biz() {
  core::Job j;
  j.name = "biz";
  j.windows = *core::WeeklySchedule::parse("mon-fri 09:00-17:00");
  j.tz = "Europe/Berlin";
  return j;
}

}  // namespace

TEST_CASE("metrics parse and format") {
  CHECK(core::parse_metrics("rtt,loss") == 3u);
  CHECK(core::format_metrics(*core::parse_metrics("path, TTL ,rtt")) == "rtt,ttl,path");
  CHECK_FALSE(core::parse_metrics("rtt,bogus"));
  CHECK_FALSE(core::parse_metrics(""));
  CHECK(core::format_metrics(core::k_default_metrics) == "rtt,loss,jitter,ttl");
}

TEST_CASE("job validation") {
  core::Job j = biz();
  core::JobPatch p;
  SUBCASE("interval bounds") {
    p.interval = 50ms;
    CHECK_FALSE(core::apply_patch(j, p));
    p.interval = 25h;
    CHECK_FALSE(core::apply_patch(j, p));
    p.interval = 100ms;
    CHECK(core::apply_patch(j, p));
  }
  SUBCASE("count bounds") {
    p.count = 0;
    CHECK_FALSE(core::apply_patch(j, p));
    p.count = 101;
    CHECK_FALSE(core::apply_patch(j, p));
  }
  SUBCASE("end after start") {
    p.starts_at = std::optional{k_monday_noon_utc};
    p.ends_at = std::optional{k_monday_noon_utc};
    auto r = core::apply_patch(j, p);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not after") != std::string::npos);
    CHECK_FALSE(j.starts_at);  // unchanged on error
  }
  SUBCASE("zone") {
    p.tz = "Nowhere/City";
    CHECK_FALSE(core::apply_patch(j, p));
    CHECK(j.tz == "Europe/Berlin");
  }
  SUBCASE("name") {
    p.name = "123";
    CHECK_FALSE(core::apply_patch(j, p));
    p.name = "";
    CHECK_FALSE(core::apply_patch(j, p));
  }
}

TEST_CASE("job state follows start, end, windows and stop") {
  auto j = biz();
  auto s = core::job_state(j, k_monday_noon_utc);
  REQUIRE(s);
  CHECK(s->status == core::JobStatus::in_window);
  // closes at 17:00 Berlin = 16:00 UTC
  CHECK(s->next_change == k_monday_noon_utc + 4h);

  auto evening = core::job_state(j, k_monday_noon_utc + 5h);
  CHECK(evening->status == core::JobStatus::outside_window);
  CHECK(evening->next_change == k_monday_noon_utc + 20h);  // Tue 09:00 Berlin = 08:00 UTC

  j.starts_at = k_monday_noon_utc + 1h;
  auto before = core::job_state(j, k_monday_noon_utc);
  CHECK(before->status == core::JobStatus::scheduled);
  CHECK(before->next_change == k_monday_noon_utc + 1h);

  j.starts_at.reset();
  j.ends_at = k_monday_noon_utc + 2h;
  CHECK(core::job_state(j, k_monday_noon_utc)->next_change == k_monday_noon_utc + 2h);  // ends before close
  CHECK(core::job_state(j, k_monday_noon_utc + 2h)->status == core::JobStatus::finished);

  j.ends_at.reset();
  j.stopped = true;
  CHECK(core::job_state(j, k_monday_noon_utc)->status == core::JobStatus::stopped);

  core::Job always;
  always.name = "all";
  auto a = core::job_state(always, k_monday_noon_utc);
  CHECK(a->status == core::JobStatus::in_window);
  CHECK_FALSE(a->next_change);
}

TEST_SUITE_END();
