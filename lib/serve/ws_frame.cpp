#include "serve/ws_frame.hpp"

#include "util/strings.hpp"

#include <cstring>

namespace pk::serve::ws {

std::string frame(Opcode opcode, std::string_view payload) {
  std::string out;
  const auto n = payload.size();
  out.reserve(n + 10);
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));  // FIN
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xff));
  }
  out.append(payload);
  return out;
}

std::string close_frame(std::uint16_t code) {
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return frame(Opcode::close, std::string_view(payload, 2));
}

void FrameReader::feed(const char* data, std::size_t size) {
  if (m_failed) return;  // nothing after an error or a close counts
  if (m_pos > 0 && m_pos == m_buffer.size()) {
    m_buffer.clear();
    m_pos = 0;
  } else if (m_pos > 4096) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  m_buffer.append(data, size);
}

bool FrameReader::fail(Event& event, std::uint16_t code) {
  m_failed = true;
  m_buffer.clear();
  m_pos = 0;
  event = Event{Event::Kind::error, false, {}, code};
  return true;
}

namespace {

bool valid_close_code(std::uint16_t code) {
  // RFC 6455 7.4: 1000-1003, 1007-1011 (and 1012-1014 in use); 3000-4999 for applications.
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}  // namespace

bool FrameReader::next(Event& event) {
  while (!m_failed) {
    const auto* p = reinterpret_cast<const unsigned char*>(m_buffer.data() + m_pos);
    const std::size_t avail = m_buffer.size() - m_pos;
    if (avail < 2) return false;
    const bool fin = (p[0] & 0x80) != 0;
    const auto op = static_cast<std::uint8_t>(p[0] & 0x0f);
    if ((p[0] & 0x70) != 0) return fail(event, close_code::protocol_error);  // no extension was agreed
    if ((p[1] & 0x80) == 0) return fail(event, close_code::protocol_error);  // client frames are masked
    const bool control = (op & 0x08) != 0;
    if (op != 0 && op != 1 && op != 2 && op != 8 && op != 9 && op != 10) return fail(event, close_code::protocol_error);
    std::uint64_t length = p[1] & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
      if (avail < 4) return false;
      length = (std::uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (avail < 10) return false;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (control && (!fin || length > 125)) return fail(event, close_code::protocol_error);
    if (!control && (length > m_max || m_message.size() + length > m_max)) return fail(event, close_code::too_big);
    if (avail < header + 4 + length) return false;
    const unsigned char* mask = p + header;
    const char* data = reinterpret_cast<const char*>(mask + 4);
    std::string payload(data, static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    m_pos += header + 4 + static_cast<std::size_t>(length);

    if (control) {
      if (op == 9) {
        event = Event{Event::Kind::ping, false, std::move(payload), 0};
      } else if (op == 10) {
        event = Event{Event::Kind::pong, false, std::move(payload), 0};
      } else {
        std::uint16_t code = 0;
        if (payload.size() == 1) return fail(event, close_code::protocol_error);
        if (payload.size() >= 2) {
          code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1]));
          if (!valid_close_code(code)) return fail(event, close_code::protocol_error);
          if (!util::is_valid_utf8(std::string_view(payload).substr(2))) return fail(event, close_code::bad_payload);
        }
        event = Event{Event::Kind::close, false, {}, code};
        m_failed = true;  // nothing after a close frame counts
        m_buffer.clear();
        m_pos = 0;
      }
      return true;
    }
    if (op == 0) {
      if (!m_in_message) return fail(event, close_code::protocol_error);  // a continuation of nothing
    } else {
      if (m_in_message) return fail(event, close_code::protocol_error);  // a new message inside another
      m_in_message = true;
      m_message_binary = op == 2;
    }
    m_message += payload;
    if (!fin) continue;
    m_in_message = false;
    if (!m_message_binary && !util::is_valid_utf8(m_message)) return fail(event, close_code::bad_payload);
    event = Event{Event::Kind::message, m_message_binary, std::move(m_message), 0};
    m_message.clear();
    return true;
  }
  return false;
}

}  // namespace pk::serve::ws
