#include "fixture.hpp"

#include "collect/spool.hpp"
#include "collect/writer.hpp"
#include "core/target.hpp"
#include "store/samples.hpp"
#include "store/targets.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <thread>

using namespace pk;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("collect");

namespace {

const util::SysMicros k_t0 = util::from_epoch_us(1'790'000'000'000'000);

core::Sample sample(std::int64_t target, int i) {
  core::Sample s;
  s.target_id = target;
  s.ts = k_t0 + util::Micros{i * 100'000};
  s.rtt = util::Micros{1000 + i};
  s.ttl = 64;
  return s;
}

struct WriterDb {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  store::Database db = *store::Database::open(path);

  std::int64_t add(const std::string& name) {
    core::TargetPatch p;
    p.name = name;
    auto added = store::targets::add(db, {*core::make_target("192.0.2.1", p)}, k_t0);
    REQUIRE(added);
    return added->front().id;
  }
  std::int64_t count(std::int64_t id) { return *store::samples::count(db, id); }
};

}  // namespace

TEST_CASE("spool records round-trip every field") {
  std::vector<core::Sample> in;
  core::Sample a = sample(7, 1);
  in.push_back(a);
  core::Sample lost;
  lost.target_id = 1LL << 40;
  lost.ts = util::from_epoch_us(-5);  // before the epoch: a backwards clock
  lost.status = core::SampleStatus::timeout;
  in.push_back(lost);
  core::Sample detailed = sample(3, 2);
  detailed.status = core::SampleStatus::unreachable;
  detailed.rtt.reset();
  detailed.ttl = 65535;
  detailed.detail = "from 192.0.2.1: host unreachable";
  in.push_back(detailed);
  core::Sample empty_detail = sample(3, 3);
  empty_detail.detail = "";  // kept apart from no detail
  in.push_back(empty_detail);
  core::Sample long_detail = sample(3, 4);
  long_detail.detail = std::string(70'000, 'x');  // cut to the format's limit
  in.push_back(long_detail);

  std::string bytes;
  for (const auto& s : in) bytes += collect::encode_record(s);
  auto out = collect::decode_records(bytes);
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i + 1 < in.size(); ++i) CHECK(out[i] == in[i]);
  CHECK(out.back().detail->size() == 65534);

  // A torn tail (a crash mid-append) ends the records; garbage is not read.
  std::size_t consumed = 0;
  auto torn = collect::decode_records(bytes.substr(0, bytes.size() - 3), &consumed);
  CHECK(torn.size() == in.size() - 1);
  CHECK(collect::decode_records("garbage that is long enough to hold a record header").empty());
}

TEST_CASE("the writer commits in bounded transactions") {
  WriterDb w;
  auto id = w.add("a");
  collect::WriterOptions o;
  o.flush_samples = 1000;
  o.flush_interval = 10s;  // only the size wakes it, and stop()
  auto writer = collect::Writer::start(w.path, o);
  REQUIRE(writer);
  for (int i = 0; i < 2500; ++i) (*writer)->add(sample(id, i));
  REQUIRE((*writer)->stop());
  auto stats = (*writer)->stats();
  CHECK(stats.committed == 2500);
  CHECK(stats.batches >= 3);  // never more than 1000 in one
  CHECK(stats.backlog == 0);
  CHECK(stats.dropped == 0);
  CHECK(w.count(id) == 2500);
}

TEST_CASE("the writer stores a spool left by an earlier run first, then removes it") {
  WriterDb w;
  auto id = w.add("a");
  collect::Spool spool(w.path + ".spool");
  std::vector<core::Sample> old;
  for (int i = 0; i < 3000; ++i) old.push_back(sample(id, i));
  REQUIRE(spool.append(old));
  // A torn last record (a crash mid-append) is ignored.
  { std::ofstream(spool.path(), std::ios::app) << "PKS1\x01\x02"; }
  collect::WriterOptions o;
  o.flush_samples = 1000;
  o.flush_interval = 50ms;
  auto writer = collect::Writer::start(w.path, o);
  REQUIRE(writer);
  (*writer)->add(sample(id, 5000));
  REQUIRE((*writer)->stop());
  CHECK(w.count(id) == 3001);
  CHECK((*writer)->stats().spooled == 0);
  CHECK_FALSE(std::filesystem::exists(spool.path()));
}

TEST_CASE("spool chunks: every record once, in order, across chunk edges") {
  test::TempDir dir;
  collect::Spool spool(dir.file("s.spool"));
  std::vector<core::Sample> in;
  for (int i = 0; i < 5000; ++i) in.push_back(sample(1, i));
  REQUIRE(spool.append(in));
  std::vector<core::Sample> out;
  std::int64_t at = 0;
  for (int round = 0; round < 1000; ++round) {
    auto chunk = spool.read_chunk(at, 4096);
    REQUIRE(chunk);
    out.insert(out.end(), chunk->samples.begin(), chunk->samples.end());
    at = chunk->next;
    if (chunk->end) break;
  }
  CHECK(out == in);
  collect::Spool tiny(dir.file("t.spool"), 100);
  CHECK_FALSE(tiny.append(in));  // over its size limit: nothing appended
  CHECK_FALSE(tiny.exists());
}

namespace {

// Files of this process may not grow past `bytes` while it lives (a full
// disk as SQLite and the spool see it: writes fail with EFBIG).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &m_old);
    m_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{bytes, m_old.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &m_old);
    std::signal(SIGXFSZ, m_handler);
  }

 private:
  rlimit m_old{};
  void (*m_handler)(int) = nullptr;
};

template <typename Pred>
collect::WriterStats wait_until(const collect::Writer& w, Pred done) {
  for (int i = 0; i < 200 && !done(w.stats()); ++i) std::this_thread::sleep_for(25ms);  // at most 5 s
  return w.stats();
}

}  // namespace

TEST_CASE("a full disk: failing commits are reported, the backlog is bounded, and stored once space returns") {
  WriterDb w;
  auto id = w.add("a");
  collect::WriterOptions o;
  o.flush_samples = 200;
  o.flush_interval = 50ms;
  o.max_backlog = 1000;
  o.exit_grace = 200ms;
  auto writer = collect::Writer::start(w.path, o);
  REQUIRE(writer);
  auto& wr = **writer;
  for (int i = 0; i < 100; ++i) wr.add(sample(id, i));
  REQUIRE(wait_until(wr, [](const auto& s) { return s.committed == 100; }).committed == 100);
  {
    FileSizeLimit full(4096);
    for (int i = 100; i < 1600; ++i) wr.add(sample(id, i));
    auto s = wait_until(wr, [](const auto& st) { return st.failing_since && st.dropped > 0; });
    CHECK(s.failing_since.has_value());
    REQUIRE(s.last_error.has_value());
    CHECK(s.committed == 100);
    // The spool cannot take them either (the same full disk): the oldest 500 go, 1000 wait.
    CHECK(s.dropped == 500);
    CHECK(s.backlog == 1000);
    CHECK(s.spooled == 0);
    CHECK_FALSE(std::filesystem::exists(w.path + ".spool"));
  }
  // Space again: the backlog goes in at once, in pieces.
  auto s = wait_until(wr, [](const auto& st) { return !st.failing_since && st.backlog == 0; });
  CHECK_FALSE(s.failing_since.has_value());
  CHECK(s.committed == 1100);
  CHECK(w.count(id) == 1100);
  {
    // Stopping while the disk is full: retried for exit_grace, then counted as lost.
    FileSizeLimit full(4096);
    for (int i = 2000; i < 2300; ++i) wr.add(sample(id, i));
    auto stopped = wr.stop();
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().message.find("800 were lost") != std::string::npos);  // over the whole run
  }
  CHECK(wr.stats().dropped == 800);
  CHECK(w.count(id) == 1100);
}

TEST_CASE("samples of a removed target are not stored") {
  WriterDb w;
  auto kept = w.add("kept");
  auto gone = w.add("gone");
  auto retired = w.add("retired");
  REQUIRE(store::targets::remove(w.db, "gone", /*keep_data=*/false, k_t0));
  REQUIRE(store::targets::remove(w.db, "retired", /*keep_data=*/true, k_t0 + 1s));
  std::vector<core::Sample> batch{sample(kept, 1), sample(gone, 1), sample(retired, 1), sample(retired, 20),
                                  sample(999, 1)};
  auto stored = store::samples::insert_batch(w.db, batch);
  REQUIRE(stored);
  CHECK(*stored == 2);
  CHECK(w.count(kept) == 1);
  CHECK(w.count(gone) == 0);
  CHECK(w.count(retired) == 1);  // sent before its removal: kept with its data
  CHECK(w.count(999) == 0);
}

TEST_SUITE_END();
