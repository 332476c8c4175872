#include "fixture.hpp"

#include "util/atomic_file.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The names in `dir`.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("util.atomic_file");

TEST_CASE("the file appears only on commit, with the usual mode") {
  pk::test::TempDir dir;
  const auto path = dir.file("report.csv");
  auto file = pk::util::AtomicFile::create(path, false);
  REQUIRE(file);
  CHECK(file->temp_path().rfind(dir.path().string() + "/.report.csv.", 0) == 0);
  std::fputs("a,b\r\n", file->stream());
  CHECK_FALSE(fs::exists(path));
  REQUIRE(file->commit());
  CHECK(read(path) == "a,b\r\n");
  CHECK(entries(dir.path()) == std::vector<std::string>{"report.csv"});
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  CHECK_FALSE(file->commit());  // only once
}

TEST_CASE("without commit nothing is left behind") {
  pk::test::TempDir dir;
  {
    auto file = pk::util::AtomicFile::create(dir.file("x.xlsx"), false);
    REQUIRE(file);
    std::fputs("partial", file->stream());
    auto moved = std::move(*file);  // the moved-from handle owns nothing
  }
  CHECK(entries(dir.path()).empty());
}

TEST_CASE("an existing file needs overwrite; a directory never") {
  pk::test::TempDir dir;
  const auto path = dir.file("old.csv");
  write(path, "old");
  auto refused = pk::util::AtomicFile::create(path, false);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == pk::ErrorKind::invalid_input);
  CHECK(refused.error().message == path + " exists; add --force to overwrite it");
  CHECK(entries(dir.path()) == std::vector<std::string>{"old.csv"});

  auto file = pk::util::AtomicFile::create(path, true);
  REQUIRE(file);
  std::fputs("new", file->stream());
  REQUIRE(file->commit());
  CHECK(read(path) == "new");

  auto dir_refused = pk::util::AtomicFile::create(dir.path().string(), true);
  REQUIRE_FALSE(dir_refused);
  CHECK(dir_refused.error().message.find("is a directory") != std::string::npos);
}

TEST_CASE("a file created meanwhile is not overwritten without overwrite") {
  pk::test::TempDir dir;
  const auto path = dir.file("race.csv");
  auto file = pk::util::AtomicFile::create(path, false);
  REQUIRE(file);
  write(path, "theirs");
  auto committed = file->commit();
  REQUIRE_FALSE(committed);
  CHECK(committed.error().kind == pk::ErrorKind::invalid_input);
  CHECK(read(path) == "theirs");
}

TEST_CASE("a missing directory is an io error naming it") {
  pk::test::TempDir dir;
  auto file = pk::util::AtomicFile::create(dir.file("no/such/x.csv"), false);
  REQUIRE_FALSE(file);
  CHECK(file.error().kind == pk::ErrorKind::io);
  CHECK(file.error().message.find(dir.file("no/such")) != std::string::npos);
  CHECK_FALSE(pk::util::AtomicFile::create("", false));
}

TEST_CASE("a bare file name is created in the working directory") {
  pk::test::TempDir dir;
  const auto cwd = fs::current_path();
  fs::current_path(dir.path());
  {
    auto file = pk::util::AtomicFile::create("here.csv", false);
    REQUIRE(file);
    CHECK(file->temp_path().rfind("./.here.csv.", 0) == 0);
    REQUIRE(file->commit());
  }
  fs::current_path(cwd);
  CHECK(fs::exists(dir.path() / "here.csv"));
}

TEST_CASE("AtomicFile: temporary files a killed writer left are removed by the next create") {
  pk::test::TempDir dir;
  // pid 1 lives; a pid above pid_max never does.
  write(dir.file(".out.xlsx.4194305.abcdef"), "left by a killed export");
  write(dir.file(".out.xlsx.1.ghijkl"), "a live writer's");
  write(dir.file(".other.xlsx.4194305.abcdef"), "another file's");
  write(dir.file(".out.xlsx.notapid"), "not ours");
  auto file = pk::util::AtomicFile::create(dir.file("out.xlsx"), false);
  REQUIRE(file);
  CHECK_FALSE(fs::exists(dir.file(".out.xlsx.4194305.abcdef")));
  CHECK(fs::exists(dir.file(".out.xlsx.1.ghijkl")));
  CHECK(fs::exists(dir.file(".other.xlsx.4194305.abcdef")));
  CHECK(fs::exists(dir.file(".out.xlsx.notapid")));
  CHECK(file->temp_path().find(".out.xlsx." + std::to_string(::getpid()) + ".") != std::string::npos);
}

TEST_CASE("TempFile: a scratch file, copied out, removed at the end") {
  std::string path;
  {
    auto scratch = pk::util::TempFile::create();
    REQUIRE(scratch);
    path = scratch->path();
    write(path, std::string(100'000, 'x') + "end");
    pk::test::TempDir dir;
    std::FILE* out = std::fopen(dir.file("copy").c_str(), "wb");
    REQUIRE(out != nullptr);
    REQUIRE(scratch->copy_to(out));
    std::fclose(out);
    CHECK(read(dir.file("copy")) == read(path));
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_SUITE_END();
