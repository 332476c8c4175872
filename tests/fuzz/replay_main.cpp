// The fuzz targets without a fuzzer, for `make test`: replays every file of a
// corpus directory, then a bounded number of deterministic mutations of them
// (same seed, same inputs on every run, so a failure reproduces). Given a
// file instead of a directory it runs just that input: the way to reproduce
// a crash that AFL++ saved.
//
//   pk_fuzz_replay_<name> <corpus-dir | input-file> [mutations]
#include "fuzz_target.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t k_default_mutations = 20000;
constexpr std::size_t k_max_input = 64 << 10;  // mutations never grow an input past this

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The input being run, for the crash handler: a mutation that crashes is
// written to k_crash_file (in the working directory) so it can be replayed,
// minimised and committed.
constexpr const char* k_crash_file = "replay-crash.bin";
const Bytes* g_current = nullptr;

extern "C" void save_crash(int sig) {
  if (g_current != nullptr) {
    const int fd = ::open(k_crash_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!::write(fd, g_current->data(), g_current->size());
      ::close(fd);
    }
    constexpr char k_note[] = "replay: the crashing input is in replay-crash.bin\n";
    (void)!::write(2, k_note, sizeof k_note - 1);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run(const Bytes& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(input.data(), input.size());
  g_current = nullptr;
}

// Bytes that parsers of text and binary formats treat specially: limits,
// digits, separators and quotes.
constexpr std::uint8_t k_interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '0', '9', ':', '-', '+', '.', ',', ';',
                                          '=',  ' ',  '\n', '\r', '"',  '{', '}', '[', ']', '%', '/', '?', '\\'};

class Mutator {
 public:
  explicit Mutator(const std::vector<Bytes>& corpus) : m_corpus(corpus) {}

  // A corpus input with one to four random edits applied.
  Bytes next() {
    Bytes b = m_corpus[below(m_corpus.size())];
    const auto edits = 1 + below(4);
    for (std::size_t i = 0; i < edits; ++i) edit(b);
    if (b.size() > k_max_input) b.resize(k_max_input);
    return b;
  }

 private:
  // Uniform enough for picking mutations; written out (not
  // std::uniform_int_distribution) so every standard library gives the
  // same sequence.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(m_rng() % n); }
  std::uint8_t random_byte() { return static_cast<std::uint8_t>(m_rng()); }
  auto at(Bytes& b, std::size_t i) { return b.begin() + static_cast<std::ptrdiff_t>(i); }

  void edit(Bytes& b) {
    const auto pos = below(b.size() + 1);
    switch (below(7)) {
      case 0:  // flip one bit
        if (pos < b.size()) b[pos] = static_cast<std::uint8_t>(b[pos] ^ (1u << below(8)));
        break;
      case 1:  // overwrite with a byte parsers care about
        if (pos < b.size()) b[pos] = k_interesting[below(std::size(k_interesting))];
        break;
      case 2:  // insert a random byte
        b.insert(at(b, pos), random_byte());
        break;
      case 3: {  // delete a short range
        const auto n = std::min(b.size() - std::min(pos, b.size()), 1 + below(8));
        b.erase(at(b, pos), at(b, pos + n));
        break;
      }
      case 4:  // truncate
        b.resize(pos);
        break;
      case 5: {  // repeat a range (long fields, many records)
        const auto n = std::min(b.size() - std::min(pos, b.size()), 1 + below(32));
        const Bytes copy(at(b, pos), at(b, pos + n));
        b.insert(at(b, pos), copy.begin(), copy.end());
        break;
      }
      default: {  // splice: this input's head, another one's tail
        const auto& other = m_corpus[below(m_corpus.size())];
        const auto from = below(other.size() + 1);
        b.resize(pos);
        b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        break;
      }
    }
  }

  const std::vector<Bytes>& m_corpus;
  std::mt19937_64 m_rng{0x706b7072};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s <corpus-dir | input-file> [mutations]\n", argv[0]);
    return 2;
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, save_crash);
  const fs::path where = argv[1];
  if (fs::is_regular_file(where)) {
    run(read_file(where));
    std::printf("ran %s\n", where.c_str());
    return 0;
  }
  std::vector<fs::path> files;
  if (fs::is_directory(where)) {
    for (const auto& entry : fs::directory_iterator(where)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "%s: no corpus files\n", where.c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());  // directory order differs between file systems
  std::vector<Bytes> corpus;
  for (const auto& file : files) {
    corpus.push_back(read_file(file));
    run(corpus.back());
  }
  const std::size_t mutations = argc == 3 ? std::stoul(argv[2]) : k_default_mutations;
  Mutator mutator(corpus);
  for (std::size_t i = 0; i < mutations; ++i) run(mutator.next());
  std::printf("replayed %zu corpus files and %zu mutations\n", corpus.size(), mutations);
  return 0;
}
