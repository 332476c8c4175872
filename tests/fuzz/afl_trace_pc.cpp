// AFL++ edge coverage for code built with GCC's -fsanitize-coverage=trace-pc
// (why not afl-g++-fast: tests/fuzz/CMakeLists.txt). GCC calls this at the
// start of every basic block; the block is named by a hash of its address
// (stable for a run: the forkserver's children share one layout) and the edge
// counted as AFL's own instrumentation counts it: map[cur ^ prev]++, then
// prev = cur >> 1, so A->B and B->A differ. __afl_area_ptr is AFL++'s shared
// coverage map (afl-compiler-rt.o), at least 64 KiB.
#include <cstdint>

extern "C" std::uint8_t* __afl_area_ptr;  // NOLINT(bugprone-reserved-identifier): AFL++'s name
extern "C" void __sanitizer_cov_trace_pc();

namespace {
constexpr std::uintptr_t k_map_mask = 0xffff;
thread_local std::uintptr_t t_previous = 0;
}  // namespace

extern "C" void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  const auto current = ((pc ^ (pc >> 16)) * 0x9e3779b1u) >> 8 & k_map_mask;
  __afl_area_ptr[current ^ t_previous]++;
  t_previous = current >> 1;
}
