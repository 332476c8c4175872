#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// RFC 6455 framing for the server side of /api/ws/ping-status, after Beast
// has answered the upgrade: server frames are built once and shared by every
// session that sends them (they are unmasked, so the bytes are the same for
// every client), and a session writes all the frames waiting for it in one
// gather write. Pure: no sockets.
namespace pk::serve::ws {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes this server sends.
namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t bad_payload = 1007;  // text that is not UTF-8
constexpr std::uint16_t policy_error = 1008;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t try_again_later = 1013;
}  // namespace close_code

// One unfragmented, unmasked frame with `payload`.
std::string frame(Opcode opcode, std::string_view payload);
inline std::string text_frame(std::string_view text) { return frame(Opcode::text, text); }
// A close frame with `code` (and no reason).
std::string close_frame(std::uint16_t code);

// What a client sent, frame by frame (fragmented messages reassembled).
struct Event {
  enum class Kind { message, ping, pong, close, error };
  Kind kind = Kind::message;
  bool binary = false;   // message: a binary message (text otherwise)
  std::string payload;   // message, ping, pong: the (unmasked) data
  std::uint16_t code = 0;  // close: the client's code (0: none given); error: the close code to answer with
};

// Parses the client's byte stream: feed() what the socket read, then take
// events with next() until it returns false (more bytes needed). A client
// frame must be masked; control frames at most 125 bytes and unfragmented;
// reserved bits and opcodes unused; a message at most `max_message` bytes
// (else error 1009); text valid UTF-8 (else 1007). After an error or a
// close event the stream is not parsed (nor kept) further.
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message) : m_max(max_message) {}

  void feed(const char* data, std::size_t size);
  bool next(Event& event);

  // Bytes read but not yet parsed (bounded by the largest frame).
  std::size_t buffered() const { return m_buffer.size() - m_pos; }

 private:
  bool fail(Event& event, std::uint16_t code);

  std::size_t m_max;
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::string m_message;       // a fragmented message so far
  bool m_in_message = false;   // a first fragment came, not yet the last
  bool m_message_binary = false;
  bool m_failed = false;
};

}  // namespace pk::serve::ws
