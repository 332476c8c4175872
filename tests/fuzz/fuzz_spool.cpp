// The collector's spool file (lib/collect/spool.hpp, decode_records): read
// back after a crash, so any bytes (a torn or damaged file) must decode
// safely. Invariants: decoding stops within the input, and the decoded
// samples, encoded again, take the same bytes and decode to the same samples.
#include "fuzz_target.hpp"
#include "collect/spool.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t consumed = 0;
  const auto samples = pk::collect::decode_records(pk::fuzz::as_text(data, size), &consumed);
  PK_FUZZ_CHECK(consumed <= size);
  PK_FUZZ_CHECK(samples.empty() == (consumed == 0));
  std::string encoded;
  for (const auto& s : samples) encoded += pk::collect::encode_record(s);
  std::size_t again_consumed = 0;
  const auto again = pk::collect::decode_records(encoded, &again_consumed);
  PK_FUZZ_CHECK(again == samples);
  PK_FUZZ_CHECK(again_consumed == encoded.size());
  // Spool::read_chunk finds the next chunk's offset by re-encoding what it
  // read: that is right only while records re-encode to their own length.
  PK_FUZZ_CHECK(encoded.size() == consumed);
  return 0;
}
