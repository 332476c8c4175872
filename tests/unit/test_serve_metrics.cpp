#include "core/sample.hpp"
#include "core/target.hpp"
#include "serve/metrics_process.hpp"
#include "serve/metrics_text.hpp"
#include "serve/router.hpp"
#include "serve/state.hpp"
#include "serve/target_counters.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace pk;
using namespace std::chrono_literals;
using core::SampleStatus;

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'795'000'000'000'000);

core::Target target(std::int64_t id, std::string name, std::string host = "127.0.0.1",
                    core::ProbeKind probe = core::ProbeKind::icmp) {
  core::Target t;
  t.id = id;
  t.name = std::move(name);
  t.host = std::move(host);
  t.probe = probe;
  return t;
}

// A sample sent `at` after k_t0: answered with `rtt` (ok, or `status`), or
// lost (timeout) without one.
core::Sample sample(util::Micros at, std::optional<util::Micros> rtt, SampleStatus status = SampleStatus::ok) {
  core::Sample s;
  s.ts = k_t0 + at;
  s.rtt = rtt;
  s.status = rtt ? status : SampleStatus::timeout;
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  auto all = lines_of(text);
  return std::find(all.begin(), all.end(), line) != all.end();
}

// The lines that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& l : lines_of(text)) {
    if (l.starts_with(prefix)) out.push_back(l);
  }
  return out;
}

std::string render(const serve::TargetCounters& counters) {
  serve::ServeState state(serve::ServeOptions{});
  return counters.render(state);
}

// A sample line of the exposition format, taken apart.
struct SampleLine {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // values unescaped
  double value = 0;
};

bool metric_name_char(char c, bool first) {
  return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

// Reads a sample line strictly (format 0.0.4, no timestamp); nullopt with a
// message in `why` when it is malformed.
std::optional<SampleLine> read_sample(const std::string& line, std::string& why) {
  SampleLine s;
  std::size_t i = 0;
  while (i < line.size() && metric_name_char(line[i], i == 0)) ++i;
  s.name = line.substr(0, i);
  if (s.name.empty()) return why = "no metric name", std::nullopt;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::size_t start = i;
      while (i < line.size() && metric_name_char(line[i], i == start) && line[i] != ':') ++i;
      std::string label = line.substr(start, i - start);
      if (label.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
        return why = "bad label at " + std::to_string(start), std::nullopt;
      }
      i += 2;
      std::string value;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] != '\\') {
          value += line[i];
          continue;
        }
        if (++i >= line.size()) return why = "escape at the end", std::nullopt;
        switch (line[i]) {
          case '\\': value += '\\'; break;
          case '"': value += '"'; break;
          case 'n': value += '\n'; break;
          default: return why = "unknown escape", std::nullopt;
        }
      }
      if (i >= line.size()) return why = "unterminated label value", std::nullopt;
      ++i;
      s.labels.emplace_back(label, value);
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return why = "unterminated label set", std::nullopt;
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') return why = "no space before the value", std::nullopt;
  std::string value = line.substr(i + 1);
  if (value == "+Inf" || value == "-Inf" || value == "NaN") {
    s.value = value == "NaN" ? 0 : (value[0] == '+' ? 1e308 : -1e308);
    return s;
  }
  char* end = nullptr;
  s.value = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size()) return why = "bad value \"" + value + "\"", std::nullopt;
  return s;
}

// Checks a whole exposition: every line is HELP, TYPE or a sample; each
// family is announced once (HELP then TYPE) and its samples follow it
// together; a sample's name is its family's (or, for a histogram, with
// _bucket, _sum, _count); no series twice; histogram buckets are cumulative,
// end with le="+Inf" and equal _count. Returns the problems found.
std::vector<std::string> validate(const std::string& text) {
  std::vector<std::string> problems;
  if (!text.empty() && text.back() != '\n') problems.push_back("no final line feed");
  std::set<std::string> families;
  std::set<std::string> series;
  std::string family, type, help_for;
  std::map<std::string, std::vector<double>> buckets;  // histogram series -> bucket values
  std::map<std::string, double> counts;
  int n = 0;
  for (const auto& line : lines_of(text)) {
    auto where = "line " + std::to_string(++n) + " \"" + line + "\": ";
    if (line.starts_with("# HELP ")) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      if (!families.insert(name).second) problems.push_back(where + "family announced twice");
      help_for = name;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::istringstream in(line.substr(7));
      in >> family >> type;
      if (family != help_for) problems.push_back(where + "TYPE without its HELP");
      if (type != "counter" && type != "gauge" && type != "histogram") problems.push_back(where + "unknown type");
      if (type == "counter" && !family.ends_with("_total")) problems.push_back(where + "counter without _total");
      continue;
    }
    std::string why;
    auto s = read_sample(line, why);
    if (!s) {
      problems.push_back(where + why);
      continue;
    }
    std::string base = s->name;
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (base.ends_with(suffix) && base.size() - std::string(suffix).size() == family.size()) {
          base.resize(family.size());
        }
      }
    }
    if (base != family) problems.push_back(where + "sample outside its family (" + family + ")");
    std::string key = s->name;
    std::string without_le;
    for (const auto& [k, v] : s->labels) {
      key += "|" + k + "=" + v;
      if (k != "le") without_le += "|" + k + "=" + v;
    }
    if (!series.insert(key).second) problems.push_back(where + "duplicate series");
    if (type == "histogram" && s->name == family + "_bucket") {
      auto& b = buckets[without_le];
      if (!b.empty() && s->value < b.back()) problems.push_back(where + "bucket counts decrease");
      b.push_back(s->value);
      bool inf = std::any_of(s->labels.begin(), s->labels.end(),
                             [](const auto& l) { return l.first == "le" && l.second == "+Inf"; });
      if (inf) counts[without_le] = s->value;
    }
    if (type == "histogram" && s->name == family + "_count") {
      auto it = counts.find(without_le);
      if (it == counts.end() || it->second != s->value) problems.push_back(where + "_count is not the +Inf bucket");
    }
  }
  return problems;
}

}  // namespace

TEST_SUITE_BEGIN("serve.metrics");

TEST_CASE("text: label values and HELP escaped as the exposition format says") {
  CHECK(serve::prom::escape_label_value("plain") == "plain");
  CHECK(serve::prom::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(serve::prom::escape_label_value("héllo\t") == "héllo\t");
  CHECK(serve::prom::escape_help("say \"hi\"\\\n") == "say \"hi\"\\\\\\n");
  CHECK(serve::prom::format_value(0.00005) == "5e-05");
  CHECK(serve::prom::format_value(0.0015) == "0.0015");
  CHECK(serve::prom::format_value(26.2144) == "26.2144");
  CHECK(serve::prom::format_value(3.0) == "3");
  CHECK(serve::prom::format_value(1.0 / 0.0) == "+Inf");
  CHECK(serve::prom::format_value(-1.0 / 0.0) == "-Inf");
  CHECK(serve::prom::format_value(0.0 / 0.0) == "NaN");
}

TEST_CASE("counters: sent, received, histogram buckets, sum and count of a known sequence") {
  serve::TargetCounters counters;
  auto db1 = target(1, "db1");
  counters.record(db1, sample(0s, 40us));                        // le 5e-05
  counters.record(db1, sample(1s, 50us));                        // le 5e-05 (bounds are inclusive)
  counters.record(db1, sample(2s, 150us));                       // le 0.0002
  counters.record(db1, sample(3s, std::nullopt));                // lost
  counters.record(db1, sample(4s, 1500us));                      // le 0.0016
  counters.record(db1, sample(5s, 2ms, SampleStatus::refused));  // an answer: le 0.0032
  counters.record(db1, sample(6s, 30s));                         // above every bound
  counters.record(db1, sample(7s, std::nullopt, SampleStatus::unreachable));
  auto text = render(counters);
  const std::string l = R"(target="db1",host="127.0.0.1",probe="icmp")";
  CHECK(has_line(text, "pingkeeper_probes_sent_total{" + l + "} 8"));
  CHECK(has_line(text, "pingkeeper_probes_received_total{" + l + "} 6"));
  const std::vector<std::string> expected_buckets = {
      "le=\"5e-05\"} 2",  "le=\"0.0001\"} 2", "le=\"0.0002\"} 3", "le=\"0.0004\"} 3",  "le=\"0.0008\"} 3",
      "le=\"0.0016\"} 4", "le=\"0.0032\"} 5", "le=\"0.0064\"} 5", "le=\"0.0128\"} 5",  "le=\"0.0256\"} 5",
      "le=\"0.0512\"} 5", "le=\"0.1024\"} 5", "le=\"0.2048\"} 5", "le=\"0.4096\"} 5",  "le=\"0.8192\"} 5",
      "le=\"1.6384\"} 5", "le=\"3.2768\"} 5", "le=\"6.5536\"} 5", "le=\"13.1072\"} 5", "le=\"26.2144\"} 5",
      "le=\"+Inf\"} 6"};
  auto buckets = lines_starting(text, "pingkeeper_rtt_seconds_bucket{");
  REQUIRE(buckets.size() == expected_buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    CHECK(buckets[i] == "pingkeeper_rtt_seconds_bucket{" + l + "," + expected_buckets[i]);
  }
  CHECK(has_line(text, "pingkeeper_rtt_seconds_sum{" + l + "} 30.00374"));
  CHECK(has_line(text, "pingkeeper_rtt_seconds_count{" + l + "} 6"));
  CHECK(has_line(text, "pingkeeper_last_rtt_seconds{" + l + "} 30"));
  CHECK(has_line(text, "pingkeeper_target_up{" + l + "} 1"));
  CHECK(has_line(text, "# TYPE pingkeeper_rtt_seconds histogram"));
  CHECK(validate(text).empty());
}

TEST_CASE("counters: label values escaped; tcp targets labelled probe=\"tcp\"") {
  serve::TargetCounters counters;
  counters.record(target(1, "we\"ird\\name\nx", "host\"1"), sample(0s, 1ms));
  counters.record(target(2, "web", "127.0.0.1", core::ProbeKind::tcp), sample(0s, 2ms, SampleStatus::refused));
  auto text = render(counters);
  CHECK(has_line(text, R"(pingkeeper_probes_sent_total{target="we\"ird\\name\nx",host="host\"1",probe="icmp"} 1)"));
  CHECK(has_line(text, R"(pingkeeper_last_rtt_seconds{target="web",host="127.0.0.1",probe="tcp"} 0.002)"));
  CHECK(validate(text).empty());
}

TEST_CASE("counters: no last RTT before the first answer; a target never answered is up for its first 30 s") {
  serve::TargetCounters counters;
  auto t = target(1, "silent");
  for (int i = 0; i < 30; ++i) counters.record(t, sample(std::chrono::seconds{i}, std::nullopt));
  auto text = render(counters);
  CHECK(lines_starting(text, "pingkeeper_last_rtt_seconds{").empty());
  CHECK(has_line(text, R"(pingkeeper_target_up{target="silent",host="127.0.0.1",probe="icmp"} 1)"));
  CHECK(has_line(text, R"(pingkeeper_probes_received_total{target="silent",host="127.0.0.1",probe="icmp"} 0)"));
  counters.record(t, sample(30s, std::nullopt));  // losses at 0..30 s: the run spans 30 s
  CHECK(has_line(render(counters), R"(pingkeeper_target_up{target="silent",host="127.0.0.1",probe="icmp"} 0)"));
}

TEST_CASE("counters: up goes to 0 when a loss run spans 30 s and back to 1 with the next answer") {
  serve::TargetCounters counters;
  auto t = target(1, "gw");
  const std::string up_line = R"(pingkeeper_target_up{target="gw",host="127.0.0.1",probe="icmp"} )";
  auto up = [&] {
    auto found = lines_starting(render(counters), up_line);
    REQUIRE(found.size() == 1);
    return found[0].substr(up_line.size());
  };
  counters.record(t, sample(0s, 1ms));
  CHECK(up() == "1");
  for (int i = 1; i <= 30; ++i) counters.record(t, sample(std::chrono::seconds{i}, std::nullopt));
  CHECK(up() == "1");  // losses at 1..30 s span 29 s
  counters.record(t, sample(31s, std::nullopt));
  CHECK(up() == "0");  // 1..31 s: 30 s
  counters.record(t, sample(32s, std::nullopt));
  CHECK(up() == "0");

  SUBCASE("an answer ends the run") {
    counters.record(t, sample(33s, 1ms));
    CHECK(up() == "1");
    counters.record(t, sample(34s, std::nullopt));
    CHECK(up() == "1");  // a new run, 0 s long
  }
  SUBCASE("an answer sent before the run began (known late) does not end it") {
    counters.record(t, sample(500ms, 2ms));
    CHECK(up() == "0");
  }
  SUBCASE("a loss sent before the newest answer (a late timeout) opens no run") {
    counters.record(t, sample(100s, 1ms));
    for (int i = 60; i < 100; ++i) counters.record(t, sample(std::chrono::seconds{i}, std::nullopt));
    CHECK(up() == "1");
  }
}

TEST_CASE("counters: the last RTT is the newest answer's by send time") {
  serve::TargetCounters counters;
  auto t = target(1, "a");
  counters.record(t, sample(2s, 3ms));
  counters.record(t, sample(1s, 9ms));  // older, arrives late
  CHECK(has_line(render(counters), R"(pingkeeper_last_rtt_seconds{target="a",host="127.0.0.1",probe="icmp"} 0.003)"));
}

TEST_CASE("counters: a renamed target, or a name reused by another target, gives one series per name") {
  serve::TargetCounters counters;
  counters.record(target(1, "a"), sample(0s, 1ms));
  counters.record(target(1, "a"), sample(1s, 1ms));
  counters.record(target(1, "b"), sample(2s, 1ms));  // renamed: labels follow, counters kept
  counters.record(target(2, "a"), sample(3s, 1ms));  // another target now named "a"
  auto text = render(counters);
  CHECK(has_line(text, R"(pingkeeper_probes_sent_total{target="b",host="127.0.0.1",probe="icmp"} 3)"));
  CHECK(has_line(text, R"(pingkeeper_probes_sent_total{target="a",host="127.0.0.1",probe="icmp"} 1)"));
  CHECK(lines_starting(text, "pingkeeper_probes_sent_total{").size() == 2);
  counters.record(target(2, "b"), sample(4s, 1ms));  // and now "b": target 1's series goes
  text = render(counters);
  CHECK(lines_starting(text, "pingkeeper_probes_sent_total{").size() == 1);
  CHECK(has_line(text, R"(pingkeeper_probes_sent_total{target="b",host="127.0.0.1",probe="icmp"} 2)"));
  CHECK(validate(text).empty());
}

TEST_CASE("counters: records from several threads while rendering are all counted") {
  serve::TargetCounters counters;
  constexpr int k_threads = 4, k_per_thread = 5000;
  std::vector<std::thread> threads;
  for (int n = 0; n < k_threads; ++n) {
    threads.emplace_back([&counters, n] {
      auto t = target(1 + n % 2, "t" + std::to_string(1 + n % 2));
      for (int i = 0; i < k_per_thread; ++i) counters.record(t, sample(std::chrono::milliseconds{i}, 1ms));
    });
  }
  for (int i = 0; i < 20; ++i) CHECK(validate(render(counters)).empty());
  for (auto& t : threads) t.join();
  auto text = render(counters);
  CHECK(has_line(text, R"(pingkeeper_probes_sent_total{target="t1",host="127.0.0.1",probe="icmp"} 10000)"));
  CHECK(has_line(text, R"(pingkeeper_rtt_seconds_count{target="t2",host="127.0.0.1",probe="icmp"} 10000)"));
}

TEST_CASE("render: server counters and process figures, the whole output well formed") {
  serve::ServeState state(serve::ServeOptions{});
  state.counters.ws_clients = 3;
  state.counters.ws_accepted = 10;
  state.counters.ws_rejected = 2;
  state.counters.ws_slow_closed = 1;
  state.counters.http_requests = 42;
  state.counters.http_errors = 4;
  for (int id = 1; id <= 5; ++id) {
    auto t = target(id, "t" + std::to_string(id), "127.0.0." + std::to_string(id));
    for (int i = 0; i < 10; ++i) {
      state.targets.record(
          t, sample(std::chrono::seconds{i}, i % 3 ? std::optional<util::Micros>(i * 100us) : std::nullopt));
    }
  }
  auto text = state.targets.render(state);
  CHECK(has_line(text, "pingkeeper_websocket_clients 3"));
  CHECK(has_line(text, "pingkeeper_websocket_accepted_total 10"));
  CHECK(has_line(text, "pingkeeper_websocket_rejected_total 2"));
  CHECK(has_line(text, "pingkeeper_websocket_slow_closed_total 1"));
  CHECK(has_line(text, "pingkeeper_http_requests_total 42"));
  CHECK(has_line(text, "pingkeeper_http_server_errors_total 4"));
  CHECK(has_line(text, "# TYPE process_cpu_seconds_total counter"));
  for (const char* name : {"process_resident_memory_bytes ", "process_virtual_memory_bytes ", "process_open_fds ",
                           "process_max_fds ", "process_start_time_seconds "}) {
    auto found = lines_starting(text, name);
    REQUIRE_MESSAGE(found.size() == 1, name);
    CHECK_MESSAGE(std::strtod(found[0].c_str() + std::string(name).size(), nullptr) > 0, found[0]);
  }
  // Families in name order of targets: t1 .. t5.
  auto sent = lines_starting(text, "pingkeeper_probes_sent_total{");
  REQUIRE(sent.size() == 5);
  CHECK(sent[0].starts_with(R"(pingkeeper_probes_sent_total{target="t1")"));
  CHECK(sent[4].starts_with(R"(pingkeeper_probes_sent_total{target="t5")"));
  auto problems = validate(text);
  for (const auto& p : problems) FAIL_CHECK(p);
}

TEST_CASE("render: with no targets yet the output is still well formed") {
  auto text = render(serve::TargetCounters{});
  CHECK(has_line(text, "# TYPE pingkeeper_probes_sent_total counter"));
  CHECK(lines_starting(text, "pingkeeper_probes_sent_total").empty());
  CHECK(validate(text).empty());
}

TEST_CASE("validate: the checker itself catches broken expositions") {
  CHECK(validate("# HELP a_total x\n# TYPE a_total counter\na_total 1\n").empty());
  CHECK(!validate("a_total 1\n").empty());                                                       // no family
  CHECK(!validate("# HELP a_total x\n# TYPE a_total counter\na_total 1\na_total 2\n").empty());  // duplicate
  CHECK(!validate("# HELP a_total x\n# TYPE a_total counter\nb_total 1\n").empty());             // wrong family
  CHECK(!validate("# HELP a x\n# TYPE a gauge\na{l=\"x\\q\"} 1\n").empty());                     // bad escape
  CHECK(!validate("# HELP a x\n# TYPE a gauge\na{l=\"x\"} one\n").empty());                      // bad value
  CHECK(!validate("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                  "h_count 1\n")
             .empty());  // decreasing buckets
  CHECK(!validate("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 2\n").empty());
}

TEST_CASE("process: /proc/<pid>/stat and /proc/stat parsed, command names with spaces and parentheses") {
  // Fields 3.. of proc(5): state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14)
  // stime(15) cutime cstime priority nice threads itrealvalue starttime(22) vsize(23) rss(24) ...
  std::string line =
      "4242 (pk (serve) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 123456 "
      "987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto stat = util::parse_proc_stat(line);
  REQUIRE(stat);
  CHECK(stat->utime_ticks == 250);
  CHECK(stat->stime_ticks == 75);
  CHECK(stat->start_ticks == 123456);
  CHECK(stat->vsize_bytes == 987654321);
  CHECK(stat->rss_pages == 2048);
  CHECK_FALSE(util::parse_proc_stat("4242 (pk) S 1 2 3"));
  CHECK_FALSE(util::parse_proc_stat("no parenthesis"));
  CHECK(serve::prom::parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1795000000\nprocesses 9\n") == 1795000000);
  CHECK_FALSE(serve::prom::parse_boot_time("cpu  1 2 3\n"));
}

TEST_CASE("route: GET /metrics answers the exposition as text/plain version 0.0.4") {
  serve::Router router;
  serve::add_metrics_routes(router);
  serve::ServeState state(serve::ServeOptions{});
  state.targets.record(target(1, "db1"), sample(0s, 1ms));
  auto match = router.match(serve::Method::get, "/metrics");
  REQUIRE(match.handler);
  serve::Request request;
  request.path = "/metrics";
  auto response = (*match.handler)(request, state);
  CHECK(response.status == 200);
  CHECK(response.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(has_line(response.body, R"(pingkeeper_probes_sent_total{target="db1",host="127.0.0.1",probe="icmp"} 1)"));
  CHECK(validate(response.body).empty());
  CHECK_FALSE(router.match(serve::Method::post, "/metrics").handler);
}
