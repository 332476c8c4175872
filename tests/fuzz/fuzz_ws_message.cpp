// WebSocket client messages (lib/serve/ws_protocol.hpp, ws::parse): any text
// gives a message or the text of an error reply, never an exception.
#include "fuzz_target.hpp"
#include "serve/ws_protocol.hpp"

#include <cstdint>
#include <string>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = pk::serve::ws::parse(pk::fuzz::as_text(data, size));
  if (const auto* reply = std::get_if<std::string>(&parsed)) PK_FUZZ_CHECK(!reply->empty());
  return 0;
}
