#pragma once

#include "util/expected.hpp"

#include <cstdio>
#include <string>
#include <utility>

namespace pk::util {

// A file that appears whole or not at all: written under a temporary name
// next to `path` (".NAME.PID.XXXXXX", same directory, so same file system),
// then renamed over it by commit(). Destroyed without commit(), the temporary
// file is removed, so a failed or interrupted export leaves nothing behind;
// the temporary files of NAME that a killed writer left are removed by the
// next create() of NAME.
class AtomicFile {
 public:
  // Creates the temporary file. Without `overwrite`, invalid_input when
  // `path` exists ("add --force to overwrite"); io when its directory is
  // missing or not writable; `path` must not be a directory.
  static Expected<AtomicFile> create(const std::string& path, bool overwrite);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::string& path() const { return m_path; }
  const std::string& temp_path() const { return m_temp; }
  // The temporary file, open for writing (for writers that take a FILE*).
  // Writers that open the file by name (libxlsxwriter) use temp_path().
  std::FILE* stream() const { return m_stream; }

  // Flushes, fsyncs and closes the stream, then renames the temporary file to
  // path(): atomically, and without `overwrite` only if path() still does not
  // exist (RENAME_NOREPLACE). The file gets the usual 0666 & ~umask mode.
  Expected<void> commit();

 private:
  AtomicFile(std::string path, std::string temp, std::FILE* stream, bool overwrite)
      : m_path(std::move(path)), m_temp(std::move(temp)), m_stream(stream), m_overwrite(overwrite) {}

  std::string m_path;
  std::string m_temp;  // empty once committed or moved from
  std::FILE* m_stream = nullptr;
  bool m_overwrite = false;
};

// A scratch file in $TMPDIR (else /tmp), removed when destroyed: where a
// workbook is written before it is copied to a pipe (`export -o -`, serve).
class TempFile {
 public:
  static Expected<TempFile> create();

  TempFile(TempFile&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  const std::string& path() const { return m_path; }

  // Copies the file's bytes to `out` (flushed). io error when a read or write fails.
  Expected<void> copy_to(std::FILE* out) const;

  // Hands the file over to the caller, who removes it (serve sends a
  // download, then deletes it): returns its path, and the file is no longer
  // removed when this is destroyed.
  std::string release() { return std::exchange(m_path, {}); }

 private:
  explicit TempFile(std::string path) : m_path(std::move(path)) {}
  std::string m_path;
};

}  // namespace pk::util
