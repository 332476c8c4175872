#include "fixture.hpp"

#include "core/target.hpp"
#include "store/db.hpp"
#include "store/jobs.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("store");

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'000'000'000);

struct Fixture {
  test::TempDir dir;
  store::Database db = *store::Database::open(dir.file("a.db"));
  Fixture() {
    std::vector<core::Target> ts;
    for (auto [host, name] : {std::pair{"10.0.0.1", "a"}, {"10.0.0.2", "b"}, {"10.0.0.3", "c"}}) {
      core::TargetPatch p;
      p.name = name;
      ts.push_back(*core::make_target(host, p));
    }
    REQUIRE(store::targets::add(db, ts, k_t0));
  }
};

core::JobPatch job_patch(const std::string& name, std::vector<std::string> targets) {
  core::JobPatch p;
  p.name = name;
  p.targets = std::move(targets);
  return p;
}

std::vector<std::string> names(const core::Job& j) {
  std::vector<std::string> out;
  for (const auto& m : j.targets) out.push_back(m.name);
  return out;
}

}  // namespace

TEST_CASE("jobs: add and find round-trip every field") {
  Fixture f;
  auto p = job_patch("biz", {"b", "a"});
  p.interval = 5s;
  p.count = 3;
  p.starts_at = std::optional{k_t0};
  p.ends_at = std::optional{k_t0 + 24h};
  p.windows = *core::WeeklySchedule::parse("mon-fri 09:00-17:00; sat 10:00-12:00");
  p.tz = "Europe/Berlin";
  p.metrics = *core::parse_metrics("rtt,loss,path");
  p.path_every = 5min;
  p.description = "business hours";
  auto added = store::jobs::add(f.db, p, k_t0);
  REQUIRE(added);
  auto j = store::jobs::find(f.db, "biz");
  REQUIRE(j);
  CHECK(j->id == added->id);
  CHECK(names(*j) == std::vector<std::string>{"a", "b"});
  CHECK(j->interval == 5s);
  CHECK(j->count == 3);
  CHECK(j->starts_at == k_t0);
  CHECK(j->ends_at == k_t0 + 24h);
  CHECK(j->windows.to_string() == "mon-fri 09:00-17:00; sat 10:00-12:00");
  CHECK(j->tz == "Europe/Berlin");
  CHECK(core::format_metrics(j->metrics) == "rtt,loss,path");
  CHECK(j->path_every == 5min);
  CHECK(j->description == "business hours");
  CHECK_FALSE(j->stopped);
  CHECK(store::jobs::find(f.db, std::to_string(j->id)));
}

TEST_CASE("jobs: invalid adds change nothing") {
  Fixture f;
  REQUIRE(store::jobs::add(f.db, job_patch("biz", {"a"}), k_t0));
  SUBCASE("unknown target") {
    auto r = store::jobs::add(f.db, job_patch("j2", {"a", "nosuch"}), k_t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::not_found);
  }
  SUBCASE("duplicate name") {
    auto r = store::jobs::add(f.db, job_patch("biz", {"b"}), k_t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
  }
  SUBCASE("no targets") {
    auto r = store::jobs::add(f.db, job_patch("j2", {}), k_t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
  }
  SUBCASE("unknown zone") {
    auto p = job_patch("j2", {"a"});
    p.tz = "Mars/Olympus";
    auto r = store::jobs::add(f.db, p, k_t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::invalid_input);
  }
  CHECK(store::jobs::list(f.db)->size() == 1);
}

TEST_CASE("jobs: edit members and fields, stop, start, rm") {
  Fixture f;
  REQUIRE(store::jobs::add(f.db, job_patch("biz", {"a", "b"}), k_t0));

  core::JobPatch p;
  p.add_targets = {"c"};
  p.remove_targets = {"a"};
  p.interval = 10s;
  auto e = store::jobs::edit(f.db, "biz", p, k_t0 + 1s);
  REQUIRE(e);
  CHECK(names(*e) == std::vector<std::string>{"b", "c"});
  CHECK(store::jobs::find(f.db, "biz")->interval == 10s);

  core::JobPatch empty;
  empty.remove_targets = {"b", "c"};
  auto r = store::jobs::edit(f.db, "biz", empty, k_t0 + 2s);
  REQUIRE_FALSE(r);
  CHECK(names(*store::jobs::find(f.db, "biz")) == std::vector<std::string>{"b", "c"});

  auto stopped = store::jobs::set_stopped(f.db, "biz", true, k_t0 + 3s);
  REQUIRE(stopped);
  CHECK(store::jobs::find(f.db, "biz")->stopped);
  CHECK(core::job_state(*stopped, k_t0 + 4s)->status == core::JobStatus::stopped);
  REQUIRE(store::jobs::set_stopped(f.db, "biz", false, k_t0 + 4s));
  CHECK_FALSE(store::jobs::find(f.db, "biz")->stopped);

  CHECK_FALSE(store::jobs::latest_run(f.db, e->id)->has_value());
  REQUIRE(store::jobs::remove(f.db, "biz"));
  CHECK(store::jobs::find(f.db, "biz").error().kind == ErrorKind::not_found);
  CHECK(store::targets::list(f.db)->size() == 3);  // targets stay
}

TEST_SUITE_END();
