#include "collect/spool.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pk::collect {

namespace {

constexpr std::string_view k_magic = "PKS1";
constexpr std::size_t k_fixed = 4 + 8 + 8 + 8 + 1 + 4 + 2;
constexpr std::size_t k_max_detail = 0xfffe;

void put(std::string& out, std::uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get(std::string_view in, std::size_t at, unsigned bytes) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
  return v;
}

}  // namespace

std::string encode_record(const core::Sample& s) {
  std::string out(k_magic);
  put(out, static_cast<std::uint64_t>(s.target_id), 8);
  put(out, static_cast<std::uint64_t>(util::to_epoch_us(s.ts)), 8);
  put(out, static_cast<std::uint64_t>(s.rtt ? s.rtt->count() : -1), 8);
  put(out, static_cast<std::uint64_t>(s.status), 1);
  put(out, static_cast<std::uint32_t>(s.ttl ? *s.ttl : -1), 4);
  std::string_view detail = s.detail ? std::string_view(*s.detail).substr(0, k_max_detail) : std::string_view();
  put(out, s.detail ? detail.size() + 1 : 0, 2);  // 0: no detail; n + 1: n bytes (an empty one is kept)
  out.append(detail);
  return out;
}

std::vector<core::Sample> decode_records(std::string_view bytes, std::size_t* consumed) {
  std::vector<core::Sample> out;
  std::size_t at = 0;
  while (bytes.size() - at >= k_fixed && bytes.substr(at, 4) == k_magic) {
    std::size_t p = at + 4;
    core::Sample s;
    s.target_id = static_cast<std::int64_t>(get(bytes, p, 8));
    s.ts = util::from_epoch_us(static_cast<std::int64_t>(get(bytes, p + 8, 8)));
    auto rtt = static_cast<std::int64_t>(get(bytes, p + 16, 8));
    if (rtt >= 0) s.rtt = util::Micros{rtt};
    auto status = get(bytes, p + 24, 1);
    if (status > static_cast<std::uint64_t>(core::SampleStatus::send_error)) break;
    s.status = static_cast<core::SampleStatus>(status);
    auto ttl = static_cast<std::int32_t>(static_cast<std::uint32_t>(get(bytes, p + 25, 4)));
    if (ttl >= 0) s.ttl = ttl;
    auto len = get(bytes, p + 29, 2);
    p += 31;
    if (len > 0) {
      if (bytes.size() - p < len - 1) break;
      s.detail = std::string(bytes.substr(p, len - 1));
      p += len - 1;
    }
    out.push_back(std::move(s));
    at = p;
  }
  if (consumed != nullptr) *consumed = at;
  return out;
}

bool Spool::exists() const {
  struct stat st {};
  return ::stat(m_path.c_str(), &st) == 0 && st.st_size > 0;
}

Expected<void> Spool::append(std::span<const core::Sample> samples) {
  if (samples.empty()) return {};
  std::string bytes;
  for (const auto& s : samples) bytes += encode_record(s);
  int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorKind::io, fmt::format("cannot open {}: {}", m_path, std::strerror(errno)));
  struct stat st {};
  off_t start = ::fstat(fd, &st) == 0 ? st.st_size : 0;
  if (start + static_cast<off_t>(bytes.size()) > m_max_bytes) {
    if (start == 0) ::unlink(m_path.c_str());
    ::close(fd);
    return make_error(ErrorKind::io, fmt::format("{} is full ({} bytes at most)", m_path, m_max_bytes));
  }
  std::size_t done = 0;
  int err = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fdatasync(fd) != 0) err = errno;
  if (err != 0) {
    // Whatever part went in is cut off again (a new file goes): the samples stay with the caller.
    if (start == 0) {
      ::unlink(m_path.c_str());
    } else if (::ftruncate(fd, start) != 0) {
      // A torn tail is ignored when read (and the samples are keyed).
    }
    ::close(fd);
    return make_error(ErrorKind::io, fmt::format("cannot write {}: {}", m_path, std::strerror(err)));
  }
  ::close(fd);
  return {};
}

Expected<Spool::Chunk> Spool::read_chunk(std::int64_t offset, std::size_t max_bytes) const {
  Chunk chunk;
  chunk.next = offset;
  int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return chunk;
    return make_error(ErrorKind::io, fmt::format("cannot read {}: {}", m_path, std::strerror(errno)));
  }
  // A record is at most k_fixed + k_max_detail bytes: read that much beyond max_bytes.
  std::string bytes(max_bytes + k_fixed + k_max_detail, '\0');
  struct stat st {};
  const std::int64_t size = ::fstat(fd, &st) == 0 ? st.st_size : 0;
  std::size_t have = 0;
  while (have < bytes.size()) {
    auto n = ::pread(fd, bytes.data() + have, bytes.size() - have, static_cast<off_t>(offset + static_cast<std::int64_t>(have)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(have);
  auto all = decode_records(bytes);
  // Keep to about max_bytes: the records that start before it.
  std::size_t used = 0;
  std::size_t taken = 0;
  for (const auto& s : all) {
    if (used >= max_bytes) break;
    used += encode_record(s).size();
    ++taken;
  }
  all.resize(taken);
  chunk.samples = std::move(all);
  chunk.next = offset + static_cast<std::int64_t>(used);
  // The end: the end of the file, or nothing more that decodes (a torn tail).
  chunk.end = taken == 0 || chunk.next >= size;
  return chunk;
}

Expected<void> Spool::truncate_to(std::int64_t size) {
  struct stat st {};
  if (::stat(m_path.c_str(), &st) != 0 || st.st_size <= size) return {};
  if (::truncate(m_path.c_str(), static_cast<off_t>(size)) != 0) {
    return make_error(ErrorKind::io, fmt::format("cannot cut {}: {}", m_path, std::strerror(errno)));
  }
  return {};
}

Expected<void> Spool::clear() {
  if (::unlink(m_path.c_str()) != 0 && errno != ENOENT) {
    return make_error(ErrorKind::io, fmt::format("cannot remove {}: {}", m_path, std::strerror(errno)));
  }
  return {};
}

}  // namespace pk::collect
