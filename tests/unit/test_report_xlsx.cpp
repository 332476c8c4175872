#include "query_data.hpp"

#include "report/xlsx.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <set>

// The workbook's content is read back with openpyxl in tests/cli/export_xlsx.bash;
// here: what write_xlsx returns, and its errors.

using namespace std::chrono_literals;
using pk::test::k_monday;

namespace {

struct Fixture {
  pk::test::QueryDb q;
  std::vector<pk::core::Sample> samples = pk::test::irregular_samples(q.target.id);

  Fixture() {
    q.insert(samples);
    q.roll_up(samples, k_monday + 60h);
  }

  pk::report::ExportRequest request() const {
    pk::report::ExportRequest r;
    r.scope = {{q.target}, std::nullopt, k_monday, k_monday + 72h};
    r.periods = {{k_monday, k_monday + 72h}};
    r.zone = pk::util::locate_zone("Europe/Berlin").value();
    r.generated = k_monday + 80h;
    return r;
  }

  std::string path() const { return q.dir.file("out.xlsx"); }
};

std::string head(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

}  // namespace

TEST_SUITE_BEGIN("report.xlsx");

TEST_CASE_FIXTURE(Fixture, "raw samples: one row per sample on one Samples sheet, in a zip file") {
  auto reader = q.reader();
  auto written = pk::report::write_xlsx(reader, request(), path());
  REQUIRE(written);
  CHECK(written->rows == static_cast<std::int64_t>(samples.size()));
  CHECK(written->sheets == 1);
  CHECK(head(path(), 2) == "PK");
}

TEST_CASE_FIXTURE(Fixture, "a coarser resolution: one row per bucket with samples") {
  auto reader = q.reader();
  auto r = request();
  r.resolution = pk::analyze::Tier::h1;
  auto written = pk::report::write_xlsx(reader, r, path());
  REQUIRE(written);
  std::set<pk::util::SysMicros> hours;
  for (const auto& s : samples) hours.insert(pk::analyze::floor_to(s.ts, 1h));
  CHECK(written->rows == static_cast<std::int64_t>(hours.size()));
  CHECK(written->sheets == 1);
}

TEST_CASE_FIXTURE(Fixture, "an empty range still makes a workbook") {
  auto reader = q.reader();
  auto r = request();
  r.scope.from = k_monday - 48h;
  r.scope.to = k_monday - 24h;
  r.periods = {{r.scope.from, r.scope.to}};
  auto written = pk::report::write_xlsx(reader, r, path());
  REQUIRE(written);
  CHECK(written->rows == 0);
  CHECK(written->sheets == 1);
  CHECK(head(path(), 2) == "PK");
}

TEST_CASE_FIXTURE(Fixture, "a stop request ends the export with an io error") {
  auto reader = q.reader();
  std::atomic<bool> stop{true};
  auto r = request();
  r.control.stop = &stop;
  auto written = pk::report::write_xlsx(reader, r, path());
  REQUIRE_FALSE(written);
  CHECK(written.error().kind == pk::ErrorKind::io);
  CHECK(written.error().message == "export interrupted");
}

TEST_CASE_FIXTURE(Fixture, "a file that cannot be created: an io error with the system's reason") {
  // libxlsxwriter also prints its own "[ERROR] workbook_close(): ..." line on stderr.
  auto reader = q.reader();
  auto written = pk::report::write_xlsx(reader, request(), q.dir.path().string());
  REQUIRE_FALSE(written);
  CHECK(written.error().kind == pk::ErrorKind::io);
  CHECK(written.error().message.starts_with("cannot write the workbook: "));
  CHECK(written.error().message.ends_with("(Is a directory)"));
}

TEST_CASE_FIXTURE(Fixture, "a request without a display zone is refused") {
  auto reader = q.reader();
  auto r = request();
  r.zone = nullptr;
  auto written = pk::report::write_xlsx(reader, r, path());
  REQUIRE_FALSE(written);
  CHECK(written.error().kind == pk::ErrorKind::invalid_input);
}

TEST_SUITE_END();
