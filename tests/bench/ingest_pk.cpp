// pk_bench_ingest: pingkeeper's own writer path, inserting the same synthetic
// rows (rows.h) as the plain C loop of ingest_c.c, for the ingest ceiling
// benchmark (tests/bench/ingest.bash).
//
//   pk_bench_ingest batch  DB N BATCH   store::samples::insert_batch, BATCH rows a call
//   pk_bench_ingest writer DB N BATCH   collect::Writer (flush_samples = BATCH):
//                                       add() every row from this thread, then stop()
//
// DB must not exist: it is created by store::Database::open (schema
// migrations, WAL, synchronous=NORMAL) as `pingkeeper` creates it. Prints one
// JSON object: rows, seconds (wall, from the first row to the last commit),
// rows_per_s, cpu_s, batches, and the rows found in the database afterwards.

#include "rows.h"

#include "collect/writer.hpp"
#include "core/sample.hpp"
#include "store/db.hpp"
#include "store/samples.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

namespace {

pk::core::Sample make_sample(std::int64_t i) {
  const pk_bench_row r = pk_bench_make_row(i);
  pk::core::Sample s;
  s.target_id = r.target_id;
  s.ts = pk::util::from_epoch_us(r.ts);
  if (r.rtt_us >= 0) s.rtt = pk::util::Micros{r.rtt_us};
  s.status = static_cast<pk::core::SampleStatus>(r.status);
  if (r.ttl >= 0) s.ttl = r.ttl;
  return s;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

int fail(const std::string& what) {
  std::fprintf(stderr, "pk_bench_ingest: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: pk_bench_ingest batch|writer DB N BATCH\n");
    return 2;
  }
  const std::string_view mode = argv[1];
  const std::string path = argv[2];
  const std::int64_t n = std::atoll(argv[3]);
  const std::int64_t batch = std::atoll(argv[4]);
  if ((mode != "batch" && mode != "writer") || n <= 0 || batch <= 0) {
    std::fprintf(stderr, "usage: pk_bench_ingest batch|writer DB N BATCH (N, BATCH > 0)\n");
    return 2;
  }

  using Clock = std::chrono::steady_clock;
  std::int64_t batches = 0;
  double seconds = 0;
  double cpu = 0;
  if (mode == "batch") {
    auto db = pk::store::Database::open(path);
    if (!db) return fail(db.error().message);
    std::vector<pk::core::Sample> rows;
    rows.reserve(static_cast<std::size_t>(batch));
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    for (std::int64_t first = 0; first < n; first += batch) {
      rows.clear();
      const std::int64_t end = std::min(first + batch, n);
      for (std::int64_t i = first; i < end; ++i) rows.push_back(make_sample(i));
      if (auto ok = pk::store::samples::insert_batch(*db, rows); !ok) return fail(ok.error().message);
      ++batches;
    }
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    cpu = cpu_seconds() - cpu0;
  } else {
    {  // create and migrate the database first, as `pingkeeper init` would
      auto db = pk::store::Database::open(path);
      if (!db) return fail(db.error().message);
    }
    pk::collect::WriterOptions options;
    options.flush_samples = static_cast<std::size_t>(batch);
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    auto writer = pk::collect::Writer::start(path, options);
    if (!writer) return fail(writer.error().message);
    for (std::int64_t i = 0; i < n; ++i) (*writer)->add(make_sample(i));
    if (auto ok = (*writer)->stop(); !ok) return fail(ok.error().message);
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    cpu = cpu_seconds() - cpu0;
    const auto stats = (*writer)->stats();
    if (stats.committed != n) return fail("the writer committed " + std::to_string(stats.committed) + " rows");
    batches = stats.batches;
  }

  auto db = pk::store::Database::open(path);
  if (!db) return fail(db.error().message);
  auto st = db->prepare("SELECT count(*) FROM samples");
  st.step();
  const std::int64_t stored = st.int64(0);
  std::printf(R"({"rows":%lld,"seconds":%.6f,"rows_per_s":%.0f,"cpu_s":%.6f,"batches":%lld,"stored":%lld})"
              "\n",
              static_cast<long long>(n), seconds, static_cast<double>(n) / seconds, cpu,
              static_cast<long long>(batches), static_cast<long long>(stored));
  return stored == n ? 0 : fail("the database holds " + std::to_string(stored) + " rows, not " + std::to_string(n));
}
