#include "serve/target_counters.hpp"

#include "collect/collector.hpp"

#include "analyze/status_tracker.hpp"
#include "query/stats.hpp"
#include "serve/metrics_process.hpp"
#include "serve/metrics_text.hpp"
#include "serve/state.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace pk::serve {

namespace {

// Histogram upper bounds: 50 µs << i, i = 0..19 (50 µs .. 26.2144 s).
constexpr std::size_t k_bucket_count = 20;
constexpr std::int64_t k_first_bound_us = 50;

std::int64_t bound_us(std::size_t i) { return k_first_bound_us << i; }

struct Series {
  std::string name;
  std::string host;
  core::ProbeKind probe = core::ProbeKind::icmp;
  std::int64_t sent = 0;
  std::int64_t received = 0;
  // Answers per bucket (not cumulative); the last one counts RTTs above
  // every bound (+Inf).
  std::array<std::int64_t, k_bucket_count + 1> buckets{};
  std::int64_t rtt_count = 0;
  std::int64_t rtt_sum_us = 0;
  std::optional<util::Micros> last_rtt;
  std::optional<util::SysMicros> last_answer;                    // send time of the newest answer
  analyze::StatusTracker status{query::k_default_min_downtime};  // as host_status_change judges
};

std::size_t bucket_of(util::Micros rtt) {
  std::size_t i = 0;
  while (i < k_bucket_count && rtt.count() > bound_us(i)) ++i;
  return i;
}

double seconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

void write_targets(prom::Writer& out, const std::vector<Series>& all) {
  std::vector<std::string> labels;
  labels.reserve(all.size());
  for (const auto& s : all) {
    std::string l;
    prom::add_label(l, "target", s.name);
    prom::add_label(l, "host", s.host);
    prom::add_label(l, "probe", core::to_string(s.probe));
    labels.push_back(std::move(l));
  }
  out.family("pingkeeper_probes_sent_total", "counter", "Probes sent to the target since the server started.");
  for (std::size_t i = 0; i < all.size(); ++i) out.sample("pingkeeper_probes_sent_total", labels[i], all[i].sent);
  out.family("pingkeeper_probes_received_total", "counter",
             "Probes the target answered (echo reply, TCP connect or refusal) since the server started.");
  for (std::size_t i = 0; i < all.size(); ++i) {
    out.sample("pingkeeper_probes_received_total", labels[i], all[i].received);
  }
  out.family("pingkeeper_rtt_seconds", "histogram", "Round-trip time of answered probes in seconds.");
  static const auto k_le = [] {
    std::array<std::string, k_bucket_count + 1> le;
    for (std::size_t b = 0; b < k_bucket_count; ++b) le[b] = prom::format_value(seconds(bound_us(b)));
    le[k_bucket_count] = "+Inf";
    return le;
  }();
  std::string with_le;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    std::int64_t cumulative = 0;
    for (std::size_t b = 0; b <= k_bucket_count; ++b) {
      cumulative += s.buckets[b];
      with_le = labels[i];  // reuses the buffer
      prom::add_label(with_le, "le", k_le[b]);
      out.sample("pingkeeper_rtt_seconds_bucket", with_le, cumulative);
    }
    out.sample("pingkeeper_rtt_seconds_sum", labels[i], seconds(s.rtt_sum_us));
    out.sample("pingkeeper_rtt_seconds_count", labels[i], s.rtt_count);
  }
  out.family("pingkeeper_target_up", "gauge",
             "1 unless the target's current run of lost probes spans 30 s or more (the downtime rule).");
  for (std::size_t i = 0; i < all.size(); ++i) {
    out.sample("pingkeeper_target_up", labels[i], std::int64_t{all[i].status.down() ? 0 : 1});
  }
  out.family("pingkeeper_last_rtt_seconds", "gauge", "Round-trip time of the target's newest answer in seconds.");
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].last_rtt) out.sample("pingkeeper_last_rtt_seconds", labels[i], seconds(all[i].last_rtt->count()));
  }
}

// A family of one unlabelled sample.
void write_one(prom::Writer& out, std::string_view name, std::string_view type, std::string_view help,
               std::int64_t value) {
  out.family(name, type, help);
  out.sample(name, "", value);
}

void write_server(prom::Writer& out, const ServeCounters& c) {
  auto one = [&](std::string_view name, std::string_view type, std::string_view help,
                 const std::atomic<std::int64_t>& value) {
    write_one(out, name, type, help, value.load(std::memory_order_relaxed));
  };
  one("pingkeeper_websocket_clients", "gauge", "Open WebSocket connections.", c.ws_clients);
  one("pingkeeper_websocket_accepted_total", "counter", "WebSocket connections accepted.", c.ws_accepted);
  one("pingkeeper_websocket_rejected_total", "counter", "WebSocket upgrades refused at the connection limit.",
      c.ws_rejected);
  one("pingkeeper_websocket_slow_closed_total", "counter",
      "WebSocket connections closed because their send queue was full.", c.ws_slow_closed);
  one("pingkeeper_http_requests_total", "counter", "HTTP requests answered.", c.http_requests);
  one("pingkeeper_http_server_errors_total", "counter", "HTTP requests answered with a 5xx status.", c.http_errors);
  one("pingkeeper_http_cache_hits_total", "counter", "HTTP requests answered from the answer cache.", c.http_cache_hits);
}

// The collector's writer: whether commits fail and what waits or was lost.
void write_storage(prom::Writer& out, const collect::WriterStats& w) {
  auto one = [&](std::string_view name, std::string_view type, std::string_view help, std::int64_t value) {
    write_one(out, name, type, help, value);
  };
  one("pingkeeper_storage_failing", "gauge", "1 while the collector's commits to the database fail.",
      w.failing_since ? 1 : 0);
  one("pingkeeper_storage_backlog_samples", "gauge", "Samples waiting in memory to be committed.", w.backlog);
  one("pingkeeper_storage_spooled_samples", "gauge", "Samples waiting in the spool file beside the database.",
      w.spooled);
  one("pingkeeper_storage_dropped_samples_total", "counter",
      "Samples lost because neither memory nor the spool file could hold them.", w.dropped);
  one("pingkeeper_storage_committed_samples_total", "counter", "Samples committed to the database.", w.committed);
}

}  // namespace

struct TargetCounters::Impl {
  mutable std::mutex mutex;
  std::unordered_map<std::int64_t, Series> by_id;

  // Gives `s` the target's labels; drops any other series with that name.
  void relabel(std::int64_t id, Series& s, const core::Target& target) {
    s.name = target.name;
    s.host = target.host;
    s.probe = target.probe;
    std::erase_if(by_id, [&](const auto& entry) { return entry.first != id && entry.second.name == target.name; });
  }
};

TargetCounters::TargetCounters() : m_impl(new Impl) {}
TargetCounters::~TargetCounters() { delete m_impl; }

TargetCounters::StatusChange TargetCounters::record(const core::Target& target, const core::Sample& sample) {
  std::lock_guard lock(m_impl->mutex);
  auto [it, inserted] = m_impl->by_id.try_emplace(target.id);
  auto& s = it->second;
  if (inserted || s.name != target.name || s.host != target.host || s.probe != target.probe) {
    m_impl->relabel(target.id, s, target);
  }
  ++s.sent;
  if (core::answered(sample.status)) {
    ++s.received;
    if (sample.rtt) {
      ++s.buckets[bucket_of(*sample.rtt)];
      ++s.rtt_count;
      s.rtt_sum_us += sample.rtt->count();
    }
    if (!s.last_answer || sample.ts >= *s.last_answer) {
      s.last_answer = sample.ts;
      if (sample.rtt) s.last_rtt = *sample.rtt;
    }
  }
  const auto before = s.status.loss_since();
  const auto change = s.status.observe(sample.ts, core::answered(sample.status));
  return {change, change == analyze::StatusTracker::Change::went_down ? s.status.loss_since() : before};
}

std::string TargetCounters::render(const ServeState& state) const {
  std::vector<Series> all;
  {
    std::lock_guard lock(m_impl->mutex);
    all.reserve(m_impl->by_id.size());
    for (const auto& [id, s] : m_impl->by_id) all.push_back(s);
  }
  std::sort(all.begin(), all.end(), [](const Series& a, const Series& b) { return a.name < b.name; });
  prom::Writer out;
  out.text().reserve(all.size() * 2800 + 4096);  // ~28 lines of ~90 bytes per target
  write_targets(out, all);
  write_server(out, state.counters);
  if (const auto* health = state.monitor != nullptr ? state.monitor->health() : nullptr) {
    write_storage(out, health->writer());
  }
  prom::write_process_metrics(out);
  return std::move(out.text());
}

}  // namespace pk::serve
