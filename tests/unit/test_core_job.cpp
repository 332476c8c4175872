#include "core/job.hpp"

#include <date/tz.h>
#include <doctest/doctest.h>

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
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
    p.interval = 25h;
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
    p.interval = 100ms;
    CHECK(core::apply_patch(j, p, k_monday_noon_utc));
  }
  SUBCASE("count bounds") {
    p.count = 0;
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
    p.count = 101;
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
  }
  SUBCASE("end after start") {
    p.starts_at = std::optional{k_monday_noon_utc};
    p.ends_at = std::optional{k_monday_noon_utc};
    auto r = core::apply_patch(j, p, k_monday_noon_utc);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not after") != std::string::npos);
    CHECK_FALSE(j.starts_at);  // unchanged on error
  }
  SUBCASE("zone") {
    p.tz = "Nowhere/City";
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
    CHECK(j.tz == "Europe/Berlin");
  }
  SUBCASE("name") {
    p.name = "123";
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
    p.name = "";
    CHECK_FALSE(core::apply_patch(j, p, k_monday_noon_utc));
  }
}

TEST_CASE("typed times and windows are read in the job's zone") {
  core::Job j = biz();  // Europe/Berlin
  core::JobPatch p;
  p.start_text = "2026-12-01T09:00";
  p.end_text = "2026-12-01T17:30+00:00";
  p.window_texts = {"mon-fri 09:00-12:00", "sat 10:00-11:00"};
  REQUIRE(core::apply_patch(j, p, k_monday_noon_utc));
  CHECK(util::format_iso_utc(*j.starts_at) == "2026-12-01T08:00:00Z");  // CET
  CHECK(util::format_iso_utc(*j.ends_at) == "2026-12-01T17:30:00Z");    // explicit offset
  CHECK(j.windows.to_string() == "mon-fri 09:00-12:00; sat 10:00-11:00");

  SUBCASE("a new zone in the same patch applies to its times") {
    core::JobPatch q;
    q.tz = "America/New_York";
    q.start_text = "2026-12-01T09:00";
    REQUIRE(core::apply_patch(j, q, k_monday_noon_utc));
    CHECK(util::format_iso_utc(*j.starts_at) == "2026-12-01T14:00:00Z");  // EST
  }
  SUBCASE("none and always clear") {
    core::JobPatch q;
    q.start_text = "none";
    q.end_text = "none";
    q.window_texts = {"always"};
    REQUIRE(core::apply_patch(j, q, k_monday_noon_utc));
    CHECK_FALSE(j.starts_at);
    CHECK_FALSE(j.ends_at);
    CHECK(j.windows.always_open());
  }
  SUBCASE("bad text leaves the job unchanged") {
    core::JobPatch q;
    q.start_text = "someday";
    CHECK_FALSE(core::apply_patch(j, q, k_monday_noon_utc));
    q.start_text.reset();
    q.window_texts = {"mon 9-17"};
    CHECK_FALSE(core::apply_patch(j, q, k_monday_noon_utc));
    CHECK(j.windows.to_string() == "mon-fri 09:00-12:00; sat 10:00-11:00");
  }
}

TEST_CASE("make_job: default zone, past end refused, empty patch") {
  core::JobPatch p;
  p.name = "n";
  auto j = core::make_job(p, k_monday_noon_utc);
  REQUIRE(j);
  CHECK(j->tz == util::local_zone()->name());
  p.end_text = "24h";  // 24 hours ago
  auto past = core::make_job(p, k_monday_noon_utc);
  REQUIRE_FALSE(past);
  CHECK(past.error().message.find("already past") != std::string::npos);
  p.end_text = "+24h";
  CHECK(core::make_job(p, k_monday_noon_utc));
  CHECK(core::JobPatch{}.empty());
  CHECK_FALSE(p.empty());
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

TEST_CASE("active_intervals: windows in the job's zone, clipped to start and end") {
  core::Job j = biz();
  const auto monday = k_monday_noon_utc - 12h;  // 00:00 UTC
  auto week = core::active_intervals(j, monday, monday + 7 * 24h);
  REQUIRE(week);
  REQUIRE(week->size() == 5);
  CHECK(week->front() == core::Interval{monday + 8h, monday + 16h});  // 09:00-17:00 CET
  CHECK(week->back() == core::Interval{monday + 4 * 24h + 8h, monday + 4 * 24h + 16h});
  SUBCASE("start and end cut the windows") {
    j.starts_at = monday + 10h;
    j.ends_at = monday + 24h + 9h;
    auto cut = core::active_intervals(j, monday, monday + 7 * 24h);
    REQUIRE(cut);
    CHECK(*cut == std::vector<core::Interval>{{monday + 10h, monday + 16h}, {monday + 24h + 8h, monday + 24h + 9h}});
  }
  SUBCASE("no windows: the whole range between start and end") {
    j.windows = {};
    j.ends_at = monday + 1h;
    CHECK(*core::active_intervals(j, monday - 1h, monday + 2h) ==
          std::vector<core::Interval>{{monday - 1h, monday + 1h}});
    CHECK(core::active_intervals(j, monday + 1h, monday + 2h)->empty());
  }
  SUBCASE("unknown zone") {
    j.tz = "Nowhere/City";
    CHECK_FALSE(core::active_intervals(j, monday, monday + 1h));
  }
}

TEST_SUITE_END();
