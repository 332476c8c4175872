#include "util/atomic_file.hpp"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <dirent.h>
#include <string_view>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pk::util {

namespace {

std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

std::unexpected<Error> file_error(const std::string& what, const std::string& path, int err) {
  return make_error(err == EACCES || err == EPERM || err == EROFS ? ErrorKind::permission : ErrorKind::io,
                    fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

}  // namespace

namespace {

// Temporary files ".NAME.PID.XXXXXX" of `name` left by a writer that was
// killed (SIGKILL, a power cut): removed when their process is gone.
void remove_stale_temps(const std::string& dir, const std::string& name) {
  const std::string prefix = "." + name + ".";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    std::string_view entry(e->d_name);
    if (!entry.starts_with(prefix)) continue;
    auto rest = entry.substr(prefix.size());  // "PID.XXXXXX"
    auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 || rest.size() - dot - 1 != 6) continue;
    long pid = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + dot, pid);
    if (ec != std::errc{} || end != rest.data() + dot || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;  // its writer still runs
    ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace

Expected<AtomicFile> AtomicFile::create(const std::string& path, bool overwrite) {
  if (path.empty()) return invalid_input("the output file name is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return invalid_input(fmt::format("{} is a directory", path));
    if (!overwrite) return invalid_input(fmt::format("{} exists; add --force to overwrite it", path));
  }
  const auto [dir, name] = split_path(path);
  if (name.empty()) return invalid_input(fmt::format("{} names a directory, not a file", path));
  remove_stale_temps(dir, name);
  std::string temp = fmt::format("{}/.{}.{}.XXXXXX", dir, name, ::getpid());
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return file_error("cannot create a file in", dir, errno);
  // mkstemp makes 0600; give the file the mode a plain create would.
  ::fchmod(fd, 0666 & ~current_umask());
  std::FILE* stream = ::fdopen(fd, "wb");
  if (stream == nullptr) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return file_error("cannot open", temp, err);
  }
  return AtomicFile(path, std::move(temp), stream, overwrite);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_temp(std::exchange(other.m_temp, {})),
      m_stream(std::exchange(other.m_stream, nullptr)),
      m_overwrite(other.m_overwrite) {}

AtomicFile::~AtomicFile() {
  if (m_stream != nullptr) std::fclose(m_stream);
  if (!m_temp.empty()) ::unlink(m_temp.c_str());
}

Expected<void> AtomicFile::commit() {
  if (m_temp.empty()) return make_error(ErrorKind::io, fmt::format("{} was already written", m_path));
  if (m_stream != nullptr) {
    std::FILE* stream = std::exchange(m_stream, nullptr);
    const bool flushed = std::fflush(stream) == 0 && ::fsync(::fileno(stream)) == 0;
    const int err = errno;
    if (std::fclose(stream) != 0 || !flushed) return file_error("cannot write", m_temp, flushed ? errno : err);
  }
  const unsigned flags = m_overwrite ? 0U : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, m_temp.c_str(), AT_FDCWD, m_path.c_str(), flags) != 0) {
    const int err = errno;
    if (err == EEXIST) return invalid_input(fmt::format("{} exists; add --force to overwrite it", m_path));
    return file_error("cannot rename the output to", m_path, err);
  }
  m_temp.clear();
  return {};
}

Expected<TempFile> TempFile::create() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/pingkeeper-XXXXXX", dir != nullptr && *dir != '\0' ? dir : "/tmp");
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return file_error("cannot create a temporary file like", path, errno);
  ::close(fd);
  return TempFile(std::move(path));
}

TempFile::~TempFile() {
  if (!m_path.empty()) ::unlink(m_path.c_str());
}

Expected<void> TempFile::copy_to(std::FILE* out) const {
  std::FILE* in = std::fopen(m_path.c_str(), "rb");
  if (in == nullptr) return file_error("cannot read", m_path, errno);
  std::vector<char> buffer(1 << 16);
  bool ok = true;
  while (ok) {
    const auto n = std::fread(buffer.data(), 1, buffer.size(), in);
    if (n == 0) break;
    ok = std::fwrite(buffer.data(), 1, n, out) == n;
  }
  const int err = errno;
  const bool read_error = std::ferror(in) != 0;
  std::fclose(in);
  if (!ok || std::fflush(out) != 0)
    return make_error(ErrorKind::io, fmt::format("cannot write the output: {}", std::strerror(err)));
  if (read_error) return file_error("cannot read", m_path, err);
  return {};
}

}  // namespace pk::util
