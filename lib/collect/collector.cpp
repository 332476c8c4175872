#include "collect/collector.hpp"

#include "collect/plan.hpp"
#include "probe/resolver.hpp"
#include "store/inventory.hpp"
#include "store/jobs.hpp"
#include "store/targets.hpp"
#include "store/traces.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <queue>
#include <unordered_map>
#include <vector>

namespace pk::collect {

namespace {

using Clock = std::chrono::steady_clock;
using probe::SteadyTime;

// The longest the loop sleeps, so a stop request is noticed promptly.
constexpr auto k_max_sleep = std::chrono::milliseconds{100};
// New targets start within their interval, spread, but at most within this.
constexpr auto k_max_start_spread = std::chrono::seconds{60};
// How soon job runs are opened or closed again after the database refused it.
constexpr auto k_retry_runs = std::chrono::seconds{1};
// How soon a name that never resolved is looked up again.
constexpr auto k_resolve_retry = std::chrono::seconds{5};
// The longest gap between the probes of one target in --once mode.
constexpr auto k_once_spacing = std::chrono::seconds{1};
// How soon a due target whose name is being resolved is looked at again.
constexpr auto k_resolve_wait = std::chrono::milliseconds{50};
// How often due path traces are looked for.
constexpr auto k_path_check = std::chrono::seconds{1};
// How often the writer's health and the wall clock are looked at.
constexpr auto k_watch = std::chrono::milliseconds{250};
// How often a failing writer is reported again.
constexpr auto k_failing_reminder = std::chrono::seconds{30};
// A change of the wall clock against the monotonic one bigger than this is a jump.
constexpr auto k_clock_jump = std::chrono::seconds{2};

std::string describe(const WriterStats& w) {
  std::string text = fmt::format("{} samples waiting in memory", w.backlog);
  if (w.spooled > 0) text += fmt::format(", {} in the spool file", w.spooled);
  if (w.dropped > 0) text += fmt::format(", {} lost (the oldest, when neither could hold more)", w.dropped);
  return text;
}

// One target's scheduling state. Slots are never reused within a run, so a
// late reply can never be credited to another target.
struct Slot {
  core::Target target;
  std::optional<util::Micros> interval;  // nullopt: not probed now
  SteadyTime next_due{};
  std::optional<probe::Address> address;
  std::optional<std::string> resolve_error;
  SteadyTime resolve_after{};
  bool resolving = false;
  bool removed = false;
  int sent = 0;
  util::SysMicros last_ts{};
  // The path metric: traced every path_every for job path_job while set.
  std::optional<util::Micros> path_every;
  std::int64_t path_job = 0;
  std::optional<SteadyTime> next_path;
};

class Loop {
 public:
  Loop(const store::Database& db, probe::Prober& prober, const CollectOptions& options, const SampleObserver& observer,
       const NoticeObserver& notices)
      : m_db(db), m_prober(prober), m_options(options), m_observer(observer), m_notices(notices) {}

  Expected<CollectStats> run(const std::atomic<bool>& stop);

 private:
  Expected<void> load();
  void replan(util::SysMicros now_wall, SteadyTime now);
  Expected<void> sync_job_runs(const Plan& plan, util::SysMicros now_wall);
  void schedule(std::uint32_t slot, SteadyTime due);
  void fire(std::uint32_t slot_index, SteadyTime now);
  void record(const probe::Reply& reply);
  void take_resolutions();
  void plan_path(Slot& slot, const TargetPlan& tp, util::SysMicros now_wall, SteadyTime now);
  void submit_due_paths(SteadyTime now);
  bool done() const;
  SteadyTime next_wakeup(SteadyTime now) const;
  void watch(SteadyTime now);
  void notify(Notice::Kind kind, std::string message);

  const store::Database& m_db;
  probe::Prober& m_prober;
  const CollectOptions& m_options;
  const SampleObserver& m_observer;
  const NoticeObserver& m_notices;

  std::unique_ptr<Writer> m_writer;
  std::unique_ptr<PathTracer> m_path;
  probe::Resolver m_resolver;
  std::vector<Slot> m_slots;
  std::unordered_map<std::int64_t, std::uint32_t> m_slot_of;  // target id -> slot
  std::vector<core::Job> m_jobs;
  std::unordered_map<std::int64_t, std::int64_t> m_open_runs;                 // job id -> run id
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> m_target_runs;  // target id -> open run ids
  std::optional<util::SysMicros> m_next_change;
  std::string m_fingerprint;
  std::int64_t m_data_version = -1;
  std::priority_queue<std::pair<SteadyTime, std::uint32_t>, std::vector<std::pair<SteadyTime, std::uint32_t>>,
                      std::greater<>>
      m_due;
  CollectStats m_stats;
  std::vector<probe::Reply> m_replies;
  // watch(): the writer failing since, the next reminder, the clock's offset.
  SteadyTime m_next_watch{};
  bool m_failing = false;
  SteadyTime m_next_reminder{};
  std::optional<util::Micros> m_clock_offset;
  bool m_lease_lost = false;
  unsigned m_reloads_seen = 0;
  unsigned m_flushes_seen = 0;
};

void Loop::notify(Notice::Kind kind, std::string message) {
  if (m_notices) m_notices(Notice{kind, std::move(message)});
}

void Loop::watch(SteadyTime now) {
  if (now < m_next_watch) return;
  m_next_watch = now + k_watch;
  const auto w = m_writer->stats();
  if (m_options.health) m_options.health->set_writer(w);
  if (w.lease_lost) m_lease_lost = true;
  if (w.failing_since && (!m_failing || now >= m_next_reminder)) {
    notify(Notice::Kind::writes_failing,
           fmt::format("{} samples since {}: {}; {}", m_failing ? "still cannot store" : "cannot store",
                       util::format_iso_utc(*w.failing_since),
                       w.last_error ? w.last_error->message : std::string("the database refused them"), describe(w)));
    m_failing = true;
    m_next_reminder = now + k_failing_reminder;
  } else if (!w.failing_since && m_failing) {
    m_failing = false;
    notify(Notice::Kind::writes_recovered,
           fmt::format("storing samples again; the backlog is committed{}",
                       w.dropped > 0 ? fmt::format(" ({} samples were lost)", w.dropped) : std::string()));
  }
  // The wall clock against the monotonic one: a jump moves one, not the other.
  const auto wall = util::now_utc();
  const auto offset = std::chrono::duration_cast<util::Micros>(wall.time_since_epoch() - now.time_since_epoch());
  if (m_clock_offset) {
    const auto by = offset - *m_clock_offset;
    if (by > k_clock_jump || by < -k_clock_jump) {
      if (m_options.health) m_options.health->set_clock_jump({wall, by});
      notify(Notice::Kind::clock_jump,
             fmt::format("the system clock jumped {} by {} (now {}): samples are stamped with the wall clock; "
                         "maintenance does not prune or roll up past the newest stored sample",
                         by.count() > 0 ? "forward" : "back", util::format_duration(by.count() > 0 ? by : -by),
                         util::format_iso_utc(wall)));
    }
  }
  m_clock_offset = offset;
}

Expected<void> Loop::load() {
  auto targets = store::targets::list(m_db);
  if (!targets) return std::unexpected(targets.error());
  auto jobs = store::jobs::list(m_db);
  if (!jobs) return std::unexpected(jobs.error());
  m_jobs = std::move(*jobs);

  for (auto& slot : m_slots) slot.removed = true;  // unless the database still lists its target
  auto now = Clock::now();
  for (auto& t : *targets) {
    auto it = m_slot_of.find(t.id);
    if (it != m_slot_of.end()) {
      auto& slot = m_slots[it->second];
      bool moved = slot.target.host != t.host || slot.target.family != t.family || slot.target.port != t.port;
      slot.target = std::move(t);
      slot.removed = false;
      if (moved) {
        slot.address.reset();
        slot.resolve_error.reset();
        slot.resolve_after = now;
      }
      continue;
    }
    auto index = static_cast<std::uint32_t>(m_slots.size());
    m_slot_of.emplace(t.id, index);
    Slot slot;
    slot.target = std::move(t);
    slot.resolve_after = now;
    m_slots.push_back(std::move(slot));
  }
  // A removed slot forgets its schedule; its heap entries die as stale.
  for (auto& slot : m_slots) {
    if (slot.removed) slot.interval.reset();
  }
  return {};
}

void Loop::schedule(std::uint32_t slot, SteadyTime due) {
  m_slots[slot].next_due = due;
  m_due.emplace(due, slot);
}

void Loop::replan(util::SysMicros now_wall, SteadyTime now) {
  std::vector<core::Target> targets;
  targets.reserve(m_slots.size());
  std::vector<std::uint32_t> indexes;
  for (std::uint32_t i = 0; i < m_slots.size(); ++i) {
    if (m_slots[i].removed) continue;
    targets.push_back(m_slots[i].target);
    indexes.push_back(i);
  }
  auto plan = make_plan(targets, m_jobs, now_wall);
  m_next_change = plan.next_change;

  // Targets that start now are spread evenly over their first interval (at
  // most a minute, so a target of a long interval is not first probed an
  // hour late), and their probes stay spread for good: 50,000 targets at
  // 10 s send 5,000 a second, not 50,000 in one second and nothing for nine.
  std::vector<std::uint32_t> starting;
  for (std::size_t k = 0; k < plan.targets.size(); ++k) {
    auto& slot = m_slots[indexes[k]];
    plan_path(slot, plan.targets[k], now_wall, now);
    bool was_active = slot.interval.has_value();
    slot.interval = plan.targets[k].interval;
    // Cron mode spaces a target's probes at most 1 s apart, so it ends quickly.
    if (m_options.once && slot.interval) slot.interval = std::min<util::Micros>(*slot.interval, k_once_spacing);
    if (m_options.count && slot.sent >= *m_options.count) slot.interval.reset();
    if (!slot.interval) continue;
    if (!was_active) {
      starting.push_back(indexes[k]);
    } else if (slot.next_due > now + *slot.interval) {
      schedule(indexes[k], now + *slot.interval);  // the interval shrank: do not wait out the old one
    }
  }
  for (std::size_t k = 0; k < starting.size(); ++k) {
    auto spread = std::min<Clock::duration>(*m_slots[starting[k]].interval, k_max_start_spread);
    auto offset = spread * static_cast<std::int64_t>(k) / static_cast<std::int64_t>(starting.size());
    schedule(starting[k], now + offset);
  }
  if (!m_options.once) {
    if (auto ok = sync_job_runs(plan, now_wall); !ok) {
      // Job run bookkeeping must not stop collection: replan again soon to retry.
      m_next_change = now_wall + k_retry_runs;
    }
  }
}

void Loop::plan_path(Slot& slot, const TargetPlan& tp, util::SysMicros now_wall, SteadyTime now) {
  if (!m_path || !tp.path_every) {
    slot.path_every.reset();
    slot.next_path.reset();
    return;
  }
  slot.path_every = tp.path_every;
  slot.path_job = tp.path_job_id.value_or(0);
  if (slot.next_path && *slot.next_path <= now + *tp.path_every) return;  // keeps its phase
  // The first trace: when the latest stored one is path_every old (also across
  // restarts), else now.
  slot.next_path = now;
  auto last = store::traces::last_started(m_db, slot.target.id);
  if (last && *last) {
    const auto age = now_wall - **last;
    if (age < *tp.path_every) slot.next_path = now + (*tp.path_every - age);
  }
}

void Loop::submit_due_paths(SteadyTime now) {
  for (auto& slot : m_slots) {
    if (slot.removed || !slot.path_every || !slot.next_path || *slot.next_path > now || !slot.address) continue;
    slot.next_path = now + *slot.path_every;
    PathTask task;
    task.target_id = slot.target.id;
    task.job_id = slot.path_job;
    task.target = slot.target.name;
    task.host = slot.target.host;
    task.address = *slot.address;
    if (slot.target.probe == core::ProbeKind::tcp) {
      task.method = core::TraceMethod::tcp;
      task.port = static_cast<std::uint16_t>(slot.target.port.value_or(core::k_default_tcp_port));
    }
    (void)m_path->submit(std::move(task));  // false: its previous trace is still queued
  }
}

Expected<void> Loop::sync_job_runs(const Plan& plan, util::SysMicros now_wall) {
  for (const auto& jp : plan.jobs) {
    auto open = m_open_runs.find(jp.job_id);
    if (jp.collecting && open == m_open_runs.end()) {
      auto id = store::jobs::open_run(m_db, jp.job_id, now_wall);
      if (!id) return std::unexpected(id.error());
      m_open_runs.emplace(jp.job_id, *id);
    } else if (!jp.collecting && open != m_open_runs.end()) {
      if (auto ok = store::jobs::close_run(m_db, open->second, now_wall, "window closed"); !ok) return ok;
      m_open_runs.erase(open);
    }
  }
  // Runs of jobs that were deleted meanwhile are gone with them.
  std::erase_if(m_open_runs, [&](const auto& entry) {
    return std::none_of(plan.jobs.begin(), plan.jobs.end(),
                        [&](const JobPlan& jp) { return jp.job_id == entry.first; });
  });
  m_target_runs.clear();
  for (const auto& job : m_jobs) {
    auto open = m_open_runs.find(job.id);
    if (open == m_open_runs.end()) continue;
    for (const auto& m : job.targets) m_target_runs[m.id].push_back(open->second);
  }
  return {};
}

void Loop::fire(std::uint32_t index, SteadyTime now) {
  auto& slot = m_slots[index];
  if (slot.removed || !slot.interval || slot.next_due > now) return;  // a stale heap entry
  if (!slot.address && !slot.resolve_error) {  // the name is still being resolved: look again soon
    schedule(index, now + k_resolve_wait);
    return;
  }
  auto interval = *slot.interval;
  // The next round keeps the phase; after a stall it restarts from now rather than bursting.
  auto next = slot.next_due + interval;
  if (next < now) next = now + interval;
  schedule(index, next);
  ++slot.sent;
  if (m_options.count && slot.sent >= *m_options.count) slot.interval.reset();
  if (slot.sent == 1) ++m_stats.targets;
  ++m_stats.sent;
  if (!slot.address) {
    probe::Reply failed;
    failed.slot = index;
    failed.sent_at = util::now_utc();
    failed.status = core::SampleStatus::resolve_error;
    failed.detail = *slot.resolve_error;
    record(failed);
    return;
  }
  probe::Probe p;
  p.slot = index;
  p.kind = slot.target.probe;
  p.address = slot.target.probe == core::ProbeKind::tcp
                  ? slot.address->with_port(static_cast<std::uint16_t>(slot.target.port.value_or(0)))
                  : *slot.address;
  p.payload_size = slot.target.payload_size;
  p.timeout = slot.target.timeout;
  m_prober.send(p);
}

void Loop::record(const probe::Reply& reply) {
  if (reply.slot >= m_slots.size()) return;
  auto& slot = m_slots[reply.slot];
  core::Sample s;
  s.target_id = slot.target.id;
  // A sample's time is its probe's send time, also when replies come back out
  // of order. Sends of one target are an interval apart, so two never share a
  // microsecond; should they, the later one moves by 1 µs rather than replace.
  s.ts = reply.sent_at == slot.last_ts ? reply.sent_at + util::Micros{1} : reply.sent_at;
  slot.last_ts = s.ts;
  s.rtt = reply.rtt;
  s.status = reply.status;
  s.ttl = reply.ttl;
  if (!reply.detail.empty()) s.detail = reply.detail;
  bool answered = core::answered(s.status);
  ++(answered ? m_stats.answered : m_stats.lost);
  if (slot.removed) return;  // removed meanwhile: its data is gone or retired
  m_writer->add(s);
  if (auto it = m_target_runs.find(s.target_id); it != m_target_runs.end()) {
    for (auto run : it->second) {
      m_writer->add_run_counts({run, 1, answered ? 1 : 0, s.status == core::SampleStatus::send_error ? 1 : 0});
    }
  }
  if (m_observer) m_observer(s, slot.target);
}

void Loop::take_resolutions() {
  for (auto& r : m_resolver.take()) {
    if (r.slot >= m_slots.size()) continue;
    auto& slot = m_slots[r.slot];
    slot.resolving = false;
    if (r.host != slot.target.host) continue;  // the host changed meanwhile; a new lookup is queued
    if (r.address) {
      slot.address = *r.address;
      slot.resolve_error.reset();
    } else if (!slot.address) {
      // Keep a previous address through a DNS hiccup; without one, record the failure.
      slot.resolve_error = r.address.error().message;
      slot.resolve_after = std::min(slot.resolve_after, Clock::now() + k_resolve_retry);
    }
  }
  auto now = Clock::now();
  for (std::uint32_t i = 0; i < m_slots.size(); ++i) {
    auto& slot = m_slots[i];
    if (slot.removed || slot.resolving || now < slot.resolve_after) continue;
    slot.resolve_after = now + m_options.resolve_interval;
    if (auto literal = probe::Address::parse_literal(slot.target.host)) {
      slot.address = *literal;
      slot.resolve_error.reset();
      continue;
    }
    slot.resolving = true;
    m_resolver.request(i, slot.target.host, slot.target.family);
  }
}

bool Loop::done() const {
  if (!m_options.once && !m_options.count) return false;
  return std::none_of(m_slots.begin(), m_slots.end(), [](const Slot& s) { return !s.removed && s.interval; });
}

SteadyTime Loop::next_wakeup(SteadyTime now) const {
  auto wake = now + k_max_sleep;
  if (!m_due.empty()) wake = std::min(wake, m_due.top().first);
  return std::max(wake, now);
}

Expected<CollectStats> Loop::run(const std::atomic<bool>& stop) {
  auto start_wall = util::now_utc();
  if (!m_options.once) {
    if (auto closed = store::jobs::close_open_runs(m_db, start_wall, "collector restarted"); !closed) {
      return std::unexpected(closed.error());
    }
  }
  auto writer = Writer::start(m_db.path(), m_options.writer);
  if (!writer) return std::unexpected(writer.error());
  m_writer = std::move(*writer);
  std::unique_ptr<Maintenance> maintenance;
  if (!m_options.once && m_options.maintenance) {
    auto started = Maintenance::start(m_db.path(), *m_options.maintenance);
    if (!started) return std::unexpected(started.error());
    maintenance = std::move(*started);
  }

  if (!m_options.once && m_options.tracers) {
    auto started = PathTracer::start(m_db.path(), m_options.tracers);
    if (!started) return std::unexpected(started.error());
    m_path = std::move(*started);
  }

  if (auto ok = load(); !ok) return std::unexpected(ok.error());
  if (auto fp = store::inventory::fingerprint(m_db)) m_fingerprint = *fp;
  if (auto dv = store::inventory::data_version(m_db)) m_data_version = *dv;
  auto start = Clock::now();
  take_resolutions();
  replan(start_wall, start);

  std::optional<SteadyTime> end;
  if (m_options.duration) end = start + *m_options.duration;
  auto next_reload = start + m_options.reload_interval;
  auto next_path_check = start;

  watch(Clock::now());
  if (m_options.reload_requests) m_reloads_seen = m_options.reload_requests->load();
  if (m_options.flush_requests) m_flushes_seen = m_options.flush_requests->load();
  while (!stop.load() && !done() && !(end && Clock::now() >= *end)) {
    auto now = Clock::now();
    if (m_options.flush_requests && m_options.flush_requests->load() != m_flushes_seen) {
      m_flushes_seen = m_options.flush_requests->load();
      m_writer->flush();
    }
    if (m_options.reload_requests && m_options.reload_requests->load() != m_reloads_seen) {
      // Asked to reload: whatever the fingerprint says.
      m_reloads_seen = m_options.reload_requests->load();
      m_fingerprint.clear();
      m_data_version = -1;
      next_reload = now;
    }
    if (!m_options.once && now >= next_reload) {
      next_reload = now + m_options.reload_interval;
      auto dv = store::inventory::data_version(m_db);
      if (dv && *dv != m_data_version) {
        auto fp = store::inventory::fingerprint(m_db);
        if (fp && *fp == m_fingerprint) {
          m_data_version = *dv;  // a commit of samples, not of configuration
        } else if (fp && load()) {
          // Recorded only once loaded: a failed reload is tried again next time.
          m_data_version = *dv;
          m_fingerprint = *fp;
          replan(util::now_utc(), now);
        }
      }
    }
    if (!m_options.once && m_next_change && util::now_utc() >= *m_next_change) replan(util::now_utc(), now);
    take_resolutions();
    if (m_path && now >= next_path_check) {
      next_path_check = now + k_path_check;
      submit_due_paths(now);
    }
    while (!m_due.empty() && m_due.top().first <= now) {
      auto [due, index] = m_due.top();
      m_due.pop();
      if (m_slots[index].next_due == due) fire(index, now);
    }
    auto wake = next_wakeup(Clock::now());
    if (end) wake = std::min(wake, *end);
    m_replies.clear();
    m_prober.poll(wake, m_replies);
    for (const auto& r : m_replies) record(r);
    watch(Clock::now());
    if (m_lease_lost) break;
  }

  // Await what is in flight (bounded by the longest timeout) so every probe sent is stored.
  auto drain_until = Clock::now() + core::k_max_timeout + std::chrono::seconds{1};
  while (m_prober.in_flight() > 0 && Clock::now() < drain_until) {
    m_replies.clear();
    m_prober.poll(std::min(drain_until, Clock::now() + k_max_sleep), m_replies);
    for (const auto& r : m_replies) record(r);
  }
  auto end_wall = util::now_utc();
  for (const auto& [job, run] : m_open_runs) {
    (void)store::jobs::close_run(m_db, run, end_wall, stop.load() ? "collector stopped" : "collector finished");
  }
  if (m_path) {
    m_path->stop();
    m_stats.path = m_path->stats();
  }
  if (maintenance) {
    maintenance->stop();
    m_stats.maintenance = maintenance->stats();
  }
  // What the database did not take is counted in m_stats.writer (spooled, dropped).
  (void)m_writer->stop();
  m_stats.writer = m_writer->stats();
  m_stats.stored = m_stats.writer.committed;
  if (m_options.health) m_options.health->set_writer(m_stats.writer);
  if (m_lease_lost) {
    return make_error(ErrorKind::busy,
                      "another collector replaced this one's lease on the database; stopped collecting (the samples "
                      "of this one are stored)");
  }
  return m_stats;
}

}  // namespace

Collector::Collector(const store::Database& db, probe::Prober& prober, CollectOptions options)
    : m_db(db), m_prober(prober), m_options(std::move(options)) {}

Expected<CollectStats> Collector::run(const std::atomic<bool>& stop, const SampleObserver& observer,
                                      const NoticeObserver& notices) {
  CollectOptions options = m_options;
  if (options.once && !options.count) options.count = 1;
  Loop loop(m_db, m_prober, options, observer, notices);
  return loop.run(stop);
}

void CollectorHealth::set_writer(const WriterStats& stats) {
  std::lock_guard lock(m_mutex);
  m_writer = stats;
}

void CollectorHealth::set_clock_jump(const ClockJump& jump) {
  std::lock_guard lock(m_mutex);
  m_jump = jump;
}

WriterStats CollectorHealth::writer() const {
  std::lock_guard lock(m_mutex);
  return m_writer;
}

std::optional<CollectorHealth::ClockJump> CollectorHealth::clock_jump() const {
  std::lock_guard lock(m_mutex);
  return m_jump;
}

}  // namespace pk::collect
