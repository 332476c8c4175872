#include "serve/seed_write.hpp"

#include "analyze/aggregate.hpp"
#include "serve/seed_api.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

namespace pk::serve::seed {

namespace {

// Id units tried after now before giving up (a target posted to a thousand
// times within 10 seconds).
constexpr int k_max_unit_tries = 1000;

// The fields of a PingMetricCreate.
struct Posted {
  std::string target_host;
  std::optional<double> response_time_ms;
  bool packet_loss = false;
  std::optional<std::string> error_message;
};

Expected<Posted> parse_body(std::string_view body) {
  auto doc = core::Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_input("request body is not valid JSON");
  if (!doc.is_object()) return invalid_input("request body must be a JSON object (PingMetricCreate)");
  Posted p;
  auto host = doc.find("target_host");
  if (host == doc.end()) return invalid_input("field 'target_host' is required");
  if (!host->is_string() || host->get<std::string>().empty()) {
    return invalid_input("field 'target_host' must be a non-empty string");
  }
  p.target_host = host->get<std::string>();
  if (auto rtt = doc.find("response_time_ms"); rtt != doc.end() && !rtt->is_null()) {
    if (!rtt->is_number()) return invalid_input("field 'response_time_ms' must be a number or null");
    const auto ms = rtt->get<double>();
    if (!std::isfinite(ms) || ms < 0 || ms > k_max_posted_rtt_ms) {
      return invalid_input(fmt::format("field 'response_time_ms' must be between 0 and {:g}", k_max_posted_rtt_ms));
    }
    p.response_time_ms = ms;
  }
  if (auto loss = doc.find("packet_loss"); loss != doc.end()) {
    if (!loss->is_boolean()) return invalid_input("field 'packet_loss' must be true or false");
    p.packet_loss = loss->get<bool>();
  }
  if (auto msg = doc.find("error_message"); msg != doc.end() && !msg->is_null()) {
    if (!msg->is_string()) return invalid_input("field 'error_message' must be a string or null");
    auto text = msg->get<std::string>();
    if (auto ok = core::check_description(text); !ok) {
      return invalid_input(fmt::format("field 'error_message': {}", ok.error().message));
    }
    p.error_message = std::move(text);
  }
  if (!p.packet_loss && !p.response_time_ms) {
    return invalid_input("field 'response_time_ms' is required when packet_loss is false");
  }
  if (p.packet_loss && p.response_time_ms) {
    return invalid_input("field 'response_time_ms' must be null when packet_loss is true");
  }
  return p;
}

// The posted host's target: the one it names, else a new paused one.
Expected<core::Target> target_for(const store::Database& db, const std::string& host, util::SysMicros now) {
  auto found = resolve_host(db, host);
  if (found && found->size() == 1) return found->front();
  if (found) {
    return invalid_input(fmt::format("host '{}' is the address of {} targets: post to one of their names ({}, ...)",
                                     host, found->size(), found->front().name));
  }
  if (found.error().kind != ErrorKind::not_found) return std::unexpected(found.error());
  core::TargetPatch patch;
  patch.paused = true;
  auto target = core::make_target(host, patch);
  if (!target) return std::unexpected(target.error());
  auto added = store::targets::add(db, {std::move(*target)}, now);
  if (added) return added->front();
  // A request for the same new host that came first added it meanwhile.
  auto again = resolve_host(db, host);
  if (again && again->size() == 1) return again->front();
  return std::unexpected(added.error());
}

// `now`, or the start of the first later id unit (seed::k_id_resolution) the
// target has no sample in.
Expected<util::SysMicros> free_time(const store::Database& db, std::int64_t target_id, util::SysMicros now) {
  auto ts = now;
  for (int i = 0; i < k_max_unit_tries; ++i) {
    const auto unit = analyze::floor_to(ts, k_id_resolution);
    auto taken = store::samples::any_in(db, target_id, unit, unit + k_id_resolution);
    if (!taken) return std::unexpected(taken.error());
    if (!*taken) return ts;
    ts = unit + k_id_resolution;
  }
  return make_error(ErrorKind::busy, "too many metrics posted for this host at once: try again");
}

}  // namespace

Expected<core::Json> create_metric(ServeState& state, std::string_view body) {
  auto posted = parse_body(body);
  if (!posted) return std::unexpected(posted.error());
  auto db = state.db.acquire();
  if (!db) return std::unexpected(db.error());
  const auto now = state.clock();
  auto target = target_for(**db, posted->target_host, now);
  if (!target) return std::unexpected(target.error());
  auto ts = free_time(**db, target->id, now);
  if (!ts) return std::unexpected(ts.error());
  core::Sample sample;
  sample.target_id = target->id;
  sample.ts = *ts;
  if (posted->packet_loss) {
    sample.status = core::SampleStatus::timeout;
  } else {
    sample.rtt = util::Micros{std::llround(*posted->response_time_ms * 1000.0)};
  }
  sample.detail = posted->error_message;
  if (auto stored = store::samples::insert_batch(**db, std::span(&sample, 1)); !stored) {
    return std::unexpected(stored.error());
  }
  return core::Json{
      {"id", sample_id(target->id, sample.ts)},
      {"message", "Ping metric created successfully"},
      {"metric",
       {{"target_host", posted->target_host},
        {"response_time_ms", posted->response_time_ms ? core::Json(*posted->response_time_ms) : core::Json(nullptr)},
        {"packet_loss", posted->packet_loss},
        {"error_message", posted->error_message ? core::Json(*posted->error_message) : core::Json(nullptr)}}},
  };
}

}  // namespace pk::serve::seed
