// A WebSocket client's byte stream (lib/serve/ws_frame.hpp, FrameReader).
// Invariants: the events do not depend on how the stream is split into reads,
// and a frame built by ws::frame() (masked, as a client sends it) reads back
// as the message it carries.
#include "fuzz_target.hpp"
#include "serve/ws_frame.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace pk::serve::ws;

bool same(const Event& a, const Event& b) {
  return a.kind == b.kind && a.binary == b.binary && a.payload == b.payload && a.code == b.code;
}

// Feeds `stream` in pieces of `chunk` bytes (0: all at once), taking the
// events after each piece as a session does.
std::vector<Event> read_all(std::string_view stream, std::size_t max_message, std::size_t chunk) {
  FrameReader reader(max_message);
  std::vector<Event> events;
  const auto step = chunk == 0 ? std::max<std::size_t>(stream.size(), 1) : chunk;
  for (std::size_t at = 0; at < stream.size() || at == 0; at += step) {
    const auto piece = stream.substr(std::min(at, stream.size()), step);
    reader.feed(piece.data(), piece.size());
    Event e;
    while (reader.next(e)) events.push_back(e);
    if (stream.empty()) break;
  }
  return events;
}

// A server frame turned into the client's form: the mask bit set, the key
// after the length, the payload XORed with it.
std::string masked(const std::string& frame, std::uint32_t key) {
  const auto len7 = static_cast<std::uint8_t>(frame[1]) & 0x7f;
  const std::size_t header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
  const char k[4] = {static_cast<char>(key >> 24), static_cast<char>(key >> 16), static_cast<char>(key >> 8),
                     static_cast<char>(key)};
  std::string out = frame.substr(0, header);
  out[1] = static_cast<char>(out[1] | 0x80);
  out.append(k, 4);
  for (std::size_t i = header; i < frame.size(); ++i) out.push_back(static_cast<char>(frame[i] ^ k[(i - header) % 4]));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pk::fuzz::Input in(data, size);
  static constexpr std::size_t k_limits[] = {0, 125, 4096, 1 << 20};
  const auto max_message = k_limits[in.byte() % 4];
  const std::size_t chunk = in.byte() % 17;
  const auto key = in.u32();
  const auto repeat = in.byte();
  const auto stream = in.rest_text();

  const auto whole = read_all(stream, max_message, 0);
  const auto pieces = read_all(stream, max_message, chunk);
  PK_FUZZ_CHECK(whole.size() == pieces.size());
  PK_FUZZ_CHECK(std::equal(whole.begin(), whole.end(), pieces.begin(), same));

  // The rest of the input as a binary message, repeated to reach the 16-bit
  // and 64-bit length forms (a little over 64 KiB at most).
  std::string payload;
  for (int i = 0; i <= (repeat & 0x0f) * (repeat >> 4) && payload.size() <= 0xffff; ++i) payload.append(stream);
  const auto events = read_all(masked(frame(Opcode::binary, payload), key), payload.size(), chunk);
  PK_FUZZ_CHECK(events.size() == 1 && events[0].kind == Event::Kind::message && events[0].binary);
  PK_FUZZ_CHECK(events[0].payload == payload);
  return 0;
}
