#include "serve/ws_frame.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pk::serve::ws;

namespace {

// A client frame: masked with `key`.
std::string client_frame(std::uint8_t first, std::string_view payload, std::string key = "abcd") {
  std::string out;
  out.push_back(static_cast<char>(first));
  const auto n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xff));
  }
  out += key;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return out;
}

std::vector<Event> parse_all(FrameReader& r, const std::string& bytes) {
  r.feed(bytes.data(), bytes.size());
  std::vector<Event> out;
  Event e;
  while (r.next(e)) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("serve.ws_frame: server frames carry the three length forms, unmasked") {
  CHECK(text_frame("hi") == std::string("\x81\x02hi", 4));
  auto mid = text_frame(std::string(300, 'x'));
  CHECK(mid.size() == 304);
  CHECK(static_cast<unsigned char>(mid[1]) == 126);
  CHECK(static_cast<unsigned char>(mid[2]) == 1);
  CHECK(static_cast<unsigned char>(mid[3]) == 44);
  auto big = text_frame(std::string(70000, 'y'));
  CHECK(big.size() == 70010);
  CHECK(static_cast<unsigned char>(big[1]) == 127);
  CHECK(static_cast<unsigned char>(big[7]) == 0x01);
  CHECK(static_cast<unsigned char>(big[8]) == 0x11);
  CHECK(static_cast<unsigned char>(big[9]) == 0x70);
  CHECK(close_frame(1008) == std::string("\x88\x02\x03\xf0", 4));
  CHECK(frame(Opcode::ping, "") == std::string("\x89\x00", 2));
}

TEST_CASE("serve.ws_frame: messages, byte by byte and fragmented; control frames between fragments") {
  FrameReader r(64 * 1024);
  const std::string bytes = client_frame(0x81, R"({"type":"ping"})") + client_frame(0x01, "frag") +
                            client_frame(0x89, "p") + client_frame(0x80, "mented") +
                            client_frame(0x82, std::string(200, '\0'));
  std::vector<Event> events;
  Event e;
  for (char c : bytes) {  // one byte at a time: nothing before a frame is whole
    r.feed(&c, 1);
    while (r.next(e)) events.push_back(e);
  }
  REQUIRE(events.size() == 4);
  CHECK(events[0].kind == Event::Kind::message);
  CHECK(events[0].payload == R"({"type":"ping"})");
  CHECK(events[1].kind == Event::Kind::ping);
  CHECK(events[1].payload == "p");
  CHECK(events[2].payload == "fragmented");
  CHECK_FALSE(events[2].binary);
  CHECK(events[3].binary);
  CHECK(events[3].payload.size() == 200);
  CHECK(r.buffered() == 0);
}

TEST_CASE("serve.ws_frame: protocol violations give the close code to answer with") {
  auto first_error = [](const std::string& bytes, std::size_t max = 64 * 1024) -> int {
    FrameReader r(max);
    for (const auto& e : parse_all(r, bytes)) {
      if (e.kind == Event::Kind::error) return e.code;
    }
    return 0;
  };
  CHECK(first_error(std::string("\x81\x05hello", 7)) == close_code::protocol_error);  // unmasked
  CHECK(first_error(client_frame(0x83, "")) == close_code::protocol_error);           // reserved opcode
  CHECK(first_error(client_frame(0xc1, "x")) == close_code::protocol_error);          // RSV1 without an extension
  CHECK(first_error(client_frame(0x09, "x")) == close_code::protocol_error);          // a fragmented ping
  CHECK(first_error(client_frame(0x89, std::string(126, 'x'))) == close_code::protocol_error);  // control > 125
  CHECK(first_error(client_frame(0x80, "x")) == close_code::protocol_error);  // a continuation of nothing
  CHECK(first_error(client_frame(0x01, "a") + client_frame(0x81, "b")) == close_code::protocol_error);
  CHECK(first_error(client_frame(0x81, "\xc3\x28")) == close_code::bad_payload);  // not UTF-8
  CHECK(first_error(client_frame(0x81, std::string(101, 'x')), 100) == close_code::too_big);
  CHECK(first_error(client_frame(0x01, std::string(60, 'x')) + client_frame(0x80, std::string(60, 'x')), 100) ==
        close_code::too_big);
  // A declared length beyond the limit fails before the payload arrives.
  std::string huge("\x81\xff", 2);
  huge += std::string("\x40\0\0\0\0\0\0\0", 8);
  CHECK(first_error(huge) == close_code::too_big);
  CHECK(first_error(client_frame(0x88, std::string("\x03", 1))) == close_code::protocol_error);  // 1-byte close
  CHECK(first_error(client_frame(0x88, std::string("\x03\xed", 2))) == close_code::protocol_error);  // code 1005
  CHECK(first_error(client_frame(0x81, "fine")) == 0);
}

TEST_CASE("serve.ws_frame: a close frame ends the stream; its code is read") {
  FrameReader r(1024);
  auto events = parse_all(r, client_frame(0x88, std::string("\x03\xe8", 2) + "bye") + client_frame(0x81, "late"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == Event::Kind::close);
  CHECK(events[0].code == 1000);
  FrameReader bare(1024);
  auto none = parse_all(bare, client_frame(0x88, ""));
  REQUIRE(none.size() == 1);
  CHECK(none[0].code == 0);
  // Nothing after an error is kept.
  FrameReader failed(1024);
  (void)parse_all(failed, std::string("\x81\x05hello", 7));
  failed.feed("more", 4);
  CHECK(failed.buffered() == 0);
}
