#pragma once

#include "core/sample.hpp"
#include "util/expected.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pk::collect {

// The writer's overflow on disk: samples that could not be committed and no
// longer fit the in-memory backlog are appended to "<db>.spool" (beside the
// database), and committed from there once the database takes writes again
// (also by the next collector, should this one stop first). Records are
// self-delimiting binary (see encode_record); a torn last record (a crash
// mid-append) is ignored. Replaying twice is harmless: samples are keyed.
class Spool {
 public:
  explicit Spool(std::string path, std::int64_t max_bytes = std::int64_t{1} << 30)
      : m_path(std::move(path)), m_max_bytes(max_bytes) {}

  const std::string& path() const { return m_path; }
  // Appends samples (and syncs them to disk); io when the file cannot take
  // them (a full disk, or max_bytes reached): then nothing was appended.
  Expected<void> append(std::span<const core::Sample> samples);
  // The samples of the records starting at byte `offset`, oldest first, from
  // at most about `max_bytes` of the file; `next` is where the following
  // chunk starts, `end` whether this was the last one.
  struct Chunk {
    std::vector<core::Sample> samples;
    std::int64_t next = 0;
    bool end = true;
  };
  Expected<Chunk> read_chunk(std::int64_t offset, std::size_t max_bytes = std::size_t{1} << 20) const;
  // Removes the file (everything in it was committed).
  Expected<void> clear();
  // Cuts the file to `size` bytes when it is longer (a torn tail).
  Expected<void> truncate_to(std::int64_t size);
  // Does the file exist (with anything in it)?
  bool exists() const;

 private:
  std::string m_path;
  std::int64_t m_max_bytes;
};

// One record: "PKS1", target_id (8), ts µs (8), rtt µs or -1 (8), status (1),
// ttl or -1 (4), detail: 0 for none or length + 1 (2), then its bytes (at
// most 65,534); integers little-endian.
std::string encode_record(const core::Sample& s);
// Decodes the records in `bytes` up to the first incomplete or malformed one;
// `consumed` is set to the bytes they took.
std::vector<core::Sample> decode_records(std::string_view bytes, std::size_t* consumed = nullptr);

}  // namespace pk::collect
