#include "core/job_options.hpp"
#include "core/json.hpp"
#include "serve/v1_body.hpp"
#include "serve/v1_params.hpp"
#include "serve/v1_routes.hpp"
#include "store/jobs.hpp"

#include <fmt/format.h>

// GET/POST /jobs, GET/PATCH/DELETE /jobs/{j}, POST /jobs/{j}/start and /stop,
// GET /jobs/{j}/runs: what `job list/add/show/edit/rm/start/stop` do.
namespace pk::serve::v1 {

namespace {

constexpr std::int64_t k_default_runs = 100;
constexpr std::int64_t k_max_runs = 10'000;

// A job as `job show --json` prints it: with its live state at `now` and
// its latest run.
Reply<core::Json> view(const store::Database& db, const core::Job& job, util::SysMicros now) {
  auto state = core::job_state(job, now);
  if (!state) return fail(state.error());
  auto run = store::jobs::latest_run(db, job.id);
  if (!run) return fail(run.error());
  return core::to_json(job, *state, *run);
}

Response answer(const store::Database& db, const Expected<core::Job>& job, util::SysMicros now, int status = 200) {
  if (!job) return error_response(job.error());
  auto doc = view(db, *job, now);
  if (!doc) return doc.error();
  return json_response(*doc, status);
}

// 409 when a job other than `id` is called `name`.
Reply<void> check_name_free(const store::Database& db, const std::string& name, std::int64_t id) {
  auto other = store::jobs::find(db, name);
  if (other && other->id != id) return fail(409, fmt::format("job \"{}\" already exists", name));
  return {};
}

Response list(const Request& /*r*/, ServeState& state) {
  auto db = open_db(state);
  if (!db) return db.error();
  auto jobs = store::jobs::list(**db);
  if (!jobs) return error_response(jobs.error());
  const auto now = state.clock();
  auto doc = core::Json::array();
  for (const auto& j : *jobs) {
    auto v = view(**db, j, now);
    if (!v) return v.error();
    doc.push_back(std::move(*v));
  }
  return json_response(doc);
}

Response add(const Request& r, ServeState& state) {
  auto body = json_object_body(r);
  if (!body) return body.error();
  auto options = job_options(*body, /*edit=*/false);
  if (!options) return options.error();
  auto patch = core::to_patch(*options);
  if (!patch) return error_response(patch.error());
  auto db = open_db(state);
  if (!db) return db.error();
  if (auto free = check_name_free(**db, *patch->name, 0); !free) return free.error();
  const auto now = state.clock();
  return answer(**db, store::jobs::add(**db, *patch, now), now, 201);
}

Response show(const Request& r, ServeState& state) {
  auto db = open_db(state);
  if (!db) return db.error();
  return answer(**db, store::jobs::find(**db, r.param("j")), state.clock());
}

Response edit(const Request& r, ServeState& state) {
  auto body = json_object_body(r);
  if (!body) return body.error();
  auto options = job_options(*body, /*edit=*/true);
  if (!options) return options.error();
  auto patch = core::to_patch(*options);
  if (!patch) return error_response(patch.error());
  auto db = open_db(state);
  if (!db) return db.error();
  auto job = store::jobs::find(**db, r.param("j"));
  if (!job) return error_response(job.error());
  if (patch->name) {
    if (auto free = check_name_free(**db, *patch->name, job->id); !free) return free.error();
  }
  const auto now = state.clock();
  return answer(**db, store::jobs::edit(**db, std::to_string(job->id), *patch, now), now);
}

Response remove(const Request& r, ServeState& state) {
  auto db = open_db(state);
  if (!db) return db.error();
  auto job = store::jobs::find(**db, r.param("j"));
  if (!job) return error_response(job.error());
  // Its view before the runs go with it.
  auto doc = view(**db, *job, state.clock());
  if (!doc) return doc.error();
  auto removed = store::jobs::remove(**db, std::to_string(job->id));
  if (!removed) return error_response(removed.error());
  return json_response(*doc);
}

Handler set_stopped(bool stopped) {
  return [stopped](const Request& r, ServeState& state) {
    auto db = open_db(state);
    if (!db) return db.error();
    const auto now = state.clock();
    return answer(**db, store::jobs::set_stopped(**db, r.param("j"), stopped, now), now);
  };
}

Response runs(const Request& r, ServeState& state) {
  auto limit = integer_param(r, "limit", 1, k_max_runs);
  if (!limit) return limit.error();
  auto db = open_db(state);
  if (!db) return db.error();
  auto job = store::jobs::find(**db, r.param("j"));
  if (!job) return error_response(job.error());
  auto found = store::jobs::runs(**db, job->id, limit->value_or(k_default_runs));
  if (!found) return error_response(found.error());
  auto list = core::Json::array();
  for (const auto& run : *found) list.push_back(core::to_json(run));
  return json_response({{"job", job->name}, {"job_id", job->id}, {"runs", list}});
}

}  // namespace

void add_job_routes(Router& router) {
  const std::string base = std::string(k_v1) + "/jobs";
  router.add(Method::get, base, takes({}, list));
  router.add(Method::post, base, takes({}, add));
  router.add(Method::get, base + "/{j}", takes({}, show));
  router.add(Method::patch, base + "/{j}", takes({}, edit));
  router.add(Method::del, base + "/{j}", takes({}, remove));
  router.add(Method::post, base + "/{j}/start", takes({}, set_stopped(false)));
  router.add(Method::post, base + "/{j}/stop", takes({}, set_stopped(true)));
  router.add(Method::get, base + "/{j}/runs", takes({"limit"}, runs));
}

}  // namespace pk::serve::v1
