#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

// What every fuzz target (tests/fuzz/fuzz_<name>.cpp) shares. A target
// defines the libFuzzer entry point below; AFL++'s driver calls it under
// `make fuzz`, replay_main.cpp under `make test`. A target fails by crashing:
// an exception that escapes, a signal, or a PK_FUZZ_CHECK that does not hold.

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace pk::fuzz {

// Reports a broken invariant and aborts, so both drivers record a crash. Not
// assert(): the checks must hold in release builds too.
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

// The bytes of an input, taken from the front: selector bytes first (options,
// modes), the rest as the text or packet under test. Reading past the end
// gives zeros, so every input is usable.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : m_bytes(data, size) {}

  std::uint8_t byte() {
    if (m_bytes.empty()) return 0;
    const auto b = m_bytes.front();
    m_bytes = m_bytes.subspan(1);
    return b;
  }
  // Big-endian. (Operands of | are unsequenced: read into named values first.)
  std::uint16_t u16() {
    const auto high = byte();
    return static_cast<std::uint16_t>(high << 8 | byte());
  }
  std::uint32_t u32() {
    const std::uint32_t high = u16();
    return high << 16 | u16();
  }

  std::span<const std::uint8_t> rest() const { return m_bytes; }
  std::string_view rest_text() const {
    return {reinterpret_cast<const char*>(m_bytes.data()), m_bytes.size()};
  }

 private:
  std::span<const std::uint8_t> m_bytes;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace pk::fuzz

#define PK_FUZZ_CHECK(cond) ((cond) ? static_cast<void>(0) : ::pk::fuzz::fail(#cond, __FILE__, __LINE__))
