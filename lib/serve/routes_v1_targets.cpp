#include "core/json.hpp"
#include "core/target_options.hpp"
#include "serve/v1_body.hpp"
#include "serve/v1_params.hpp"
#include "serve/v1_routes.hpp"
#include "store/targets.hpp"

#include <fmt/format.h>

// GET/POST /targets, GET/PATCH/DELETE /targets/{t}, POST /targets/{t}/pause
// and /resume: what `target list/add/show/edit/rm/pause/resume` do.
namespace pk::serve::v1 {

namespace {

core::Json to_json(const std::vector<core::Target>& targets) {
  auto doc = core::Json::array();
  for (const auto& t : targets) doc.push_back(core::to_json(t));
  return doc;
}

// 409 when a live target other than `id` is called `name`.
Reply<void> check_name_free(const store::Database& db, const std::string& name, std::int64_t id) {
  auto other = store::targets::find(db, name);
  if (other && other->id != id) return fail(409, fmt::format("target \"{}\" already exists", name));
  return {};
}

Reply<bool> flag_param(const Request& r, std::string_view name) {
  auto text = r.query_param(name);
  if (!text || *text == "false" || *text == "0") return false;
  if (*text == "true" || *text == "1" || text->empty()) return true;
  return fail(422, fmt::format("query parameter '{}' must be true or false", name));
}

Response list(const Request& r, ServeState& state) {
  auto all = flag_param(r, "all");
  if (!all) return all.error();
  auto db = open_db(state);
  if (!db) return db.error();
  auto targets = store::targets::list(**db, *all);
  if (!targets) return error_response(targets.error());
  return json_response(to_json(*targets));
}

Response add(const Request& r, ServeState& state) {
  auto body = json_object_body(r);
  if (!body) return body.error();
  auto options = target_options(*body, /*edit=*/false);
  if (!options) return options.error();
  auto patch = core::to_patch(*options);
  if (!patch) return error_response(patch.error());
  auto target = core::make_target(*options->host, *patch);
  if (!target) return error_response(target.error());
  auto db = open_db(state);
  if (!db) return db.error();
  if (auto free = check_name_free(**db, target->name, 0); !free) return free.error();
  auto added = store::targets::add(**db, {std::move(*target)}, state.clock());
  if (!added) return error_response(added.error());
  return json_response(core::to_json(added->front()), 201);
}

Response show(const Request& r, ServeState& state) {
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  return json_response(core::to_json(*target));
}

Response edit(const Request& r, ServeState& state) {
  auto body = json_object_body(r);
  if (!body) return body.error();
  auto options = target_options(*body, /*edit=*/true);
  if (!options) return options.error();
  auto patch = core::to_patch(*options);
  if (!patch) return error_response(patch.error());
  auto db = open_db(state);
  if (!db) return db.error();
  auto target = store::targets::find(**db, r.param("t"));
  if (!target) return error_response(target.error());
  if (patch->name) {
    if (auto free = check_name_free(**db, *patch->name, target->id); !free) return free.error();
  }
  auto edited = store::targets::edit(**db, std::to_string(target->id), *patch, state.clock());
  if (!edited) return error_response(edited.error());
  return json_response(core::to_json(*edited));
}

Response remove(const Request& r, ServeState& state) {
  auto keep = flag_param(r, "keep_data");
  if (!keep) return keep.error();
  auto db = open_db(state);
  if (!db) return db.error();
  auto removed = store::targets::remove(**db, r.param("t"), *keep, state.clock());
  if (!removed) return error_response(removed.error());
  auto jobs = core::Json::array();
  for (const auto& j : removed->jobs) jobs.push_back(j);
  return json_response({{"target", core::to_json(removed->target)},
                        {"data_kept", *keep},
                        {"samples_deleted", removed->samples_deleted},
                        {"removed_from_jobs", jobs}});
}

Handler set_paused(bool paused) {
  return [paused](const Request& r, ServeState& state) {
    auto db = open_db(state);
    if (!db) return db.error();
    const std::vector<std::string> refs{r.param("t")};
    auto targets = store::targets::set_paused(**db, refs, paused, state.clock());
    if (!targets) return error_response(targets.error());
    return json_response(core::to_json(targets->front()));
  };
}

}  // namespace

void add_target_routes(Router& router) {
  const std::string base = std::string(k_v1) + "/targets";
  router.add(Method::get, base, takes({"all"}, list));
  router.add(Method::post, base, takes({}, add));
  router.add(Method::get, base + "/{t}", takes({}, show));
  router.add(Method::patch, base + "/{t}", takes({}, edit));
  router.add(Method::del, base + "/{t}", takes({"keep_data"}, remove));
  router.add(Method::post, base + "/{t}/pause", takes({}, set_paused(true)));
  router.add(Method::post, base + "/{t}/resume", takes({}, set_paused(false)));
}

}  // namespace pk::serve::v1
