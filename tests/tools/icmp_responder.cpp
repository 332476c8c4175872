// pk_icmp_responder: answers ICMP echo requests (IPv4 and IPv6) from user
// space with a configurable delay, jitter and loss. A test tool, not part of
// pingkeeper: the kernels we test on have no netem, so the net suites run this
// in a target network namespace with
//
//   sysctl -w net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
//
// so that the kernel stays silent and every reply comes from here.
//
// How it works: raw ICMP / ICMPv6 sockets (filtered to echo requests) are read
// without blocking; each request is either dropped (probability --loss) or
// queued with a due time = kernel receive time + delay (+ uniform jitter). One
// timerfd, armed with TFD_TIMER_ABSTIME for the earliest due reply, wakes the
// loop, so a long delay never holds back other replies and the delay is
// measured from the kernel's receive timestamp, not from when we got around to
// reading. The reply carries the request's identifier, sequence and payload
// unchanged and goes back from the address the request was sent to.
//
// Needs CAP_NET_RAW (run as root inside the namespace). Runs until SIGINT or
// SIGTERM or the end of --duration, then prints its counters on stderr.

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

// After <netinet/in.h>: the kernel header first would hide glibc's in6_pktinfo.
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <linux/icmp.h>  // ICMP_FILTER
#include <optional>
#include <queue>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Nanos = std::int64_t;

constexpr Nanos k_ns_per_s = 1'000'000'000;
constexpr std::size_t k_max_queue = 1 << 16;       // pending replies; more are dropped (counted)
constexpr int k_max_reads_per_wakeup = 256;        // fairness between sockets and the timer
constexpr std::size_t k_buffer_size = 65536 + 64;  // the largest IP datagram and then some

// --- options ------------------------------------------------------------------

struct Options {
  Nanos delay = 0;
  Nanos jitter = 0;
  double loss = 0.0;
  std::optional<std::uint64_t> seed;
  std::optional<Nanos> duration;
  bool want_v4 = true;
  bool want_v6 = true;
  bool v6_required = false;  // -6 given: failing to open IPv6 is an error
  bool verbose = false;
};

void usage(std::FILE* to) {
  std::fputs(
      "usage: pk_icmp_responder [--delay D] [--jitter D] [--loss P] [--seed N]\n"
      "                         [--duration D] [-4 | -6] [--verbose]\n"
      "\n"
      "Answers ICMP echo requests (IPv4 and IPv6) from user space. Run it as root\n"
      "in a network namespace with net.ipv4.icmp_echo_ignore_all=1 and\n"
      "net.ipv6.icmp.echo_ignore_all=1 so the kernel does not answer as well.\n"
      "\n"
      "  --delay D      hold each reply D after the request arrived (default 0)\n"
      "  --jitter D     add a uniform random offset in [-D, +D] to the delay\n"
      "                 (the total delay never goes below 0)\n"
      "  --loss P       drop each request with probability P, 0 <= P <= 1 (default 0)\n"
      "  --seed N       seed of the loss/jitter generator (default: random)\n"
      "  --duration D   exit after D (default: run until SIGINT/SIGTERM)\n"
      "  -4, -6         answer only IPv4 / only IPv6 (default both; IPv6 is\n"
      "                 skipped with a warning when it cannot be opened)\n"
      "  --verbose      one line per request on stderr\n"
      "\n"
      "Durations: a number with a unit: ns, us, ms, s, m (e.g. 50ms, 1.5s); 0 alone\n"
      "is allowed. Prints \"ready\" on stdout once listening; on exit prints its\n"
      "counters on stderr. Exit status: 0 done, 1 runtime error, 2 usage error.\n",
      to);
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "pk_icmp_responder: %s\n", message.c_str());
  usage(stderr);
  std::exit(2);
}

std::optional<Nanos> parse_duration(std::string_view text) {
  if (text == "0") return 0;
  std::size_t unit_at = 0;
  while (unit_at < text.size() && ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.')) {
    ++unit_at;
  }
  if (unit_at == 0) return std::nullopt;
  double value = 0;
  const auto number = text.substr(0, unit_at);
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return std::nullopt;
  const auto unit = text.substr(unit_at);
  double scale = 0;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us") {
    scale = 1e3;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "s") {
    scale = 1e9;
  } else if (unit == "m") {
    scale = 60e9;
  } else {
    return std::nullopt;
  }
  const double ns = value * scale;
  if (!std::isfinite(ns) || ns < 0 || ns > 86400e9) return std::nullopt;
  return static_cast<Nanos>(std::llround(ns));
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool only4 = false;
  bool only6 = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool has_inline_value = false;
    if (arg.starts_with("--")) {
      if (const auto eq = arg.find('='); eq != std::string_view::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline_value = true;
      }
    }
    auto take_value = [&]() -> std::string_view {
      if (has_inline_value) return value;
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      return argv[++i];
    };
    auto take_duration = [&]() -> Nanos {
      const auto text = take_value();
      const auto parsed = parse_duration(text);
      if (!parsed) usage_error(std::string(arg) + ": not a duration: '" + std::string(text) + "' (e.g. 50ms)");
      return *parsed;
    };
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    } else if (arg == "--delay") {
      options.delay = take_duration();
    } else if (arg == "--jitter") {
      options.jitter = take_duration();
    } else if (arg == "--duration") {
      options.duration = take_duration();
    } else if (arg == "--loss") {
      const auto text = take_value();
      double p = -1;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
      if (ec != std::errc{} || end != text.data() + text.size() || !(p >= 0.0 && p <= 1.0)) {
        usage_error("--loss: not a probability in [0, 1]: '" + std::string(text) + "'");
      }
      options.loss = p;
    } else if (arg == "--seed") {
      const auto text = take_value();
      std::uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        usage_error("--seed: not an unsigned integer: '" + std::string(text) + "'");
      }
      options.seed = seed;
    } else if (arg == "-4") {
      only4 = true;
    } else if (arg == "-6") {
      only6 = true;
    } else if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else {
      usage_error("unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  if (only4 && only6) usage_error("-4 and -6 exclude each other");
  if (only4) options.want_v6 = false;
  if (only6) {
    options.want_v4 = false;
    options.v6_required = true;
  }
  return options;
}

// --- time -----------------------------------------------------------------------

Nanos now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<Nanos>(ts.tv_sec) * k_ns_per_s + ts.tv_nsec;
}

timespec to_timespec(Nanos ns) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / k_ns_per_s);
  ts.tv_nsec = static_cast<long>(ns % k_ns_per_s);
  return ts;
}

// --- packets --------------------------------------------------------------------

// The Internet checksum (RFC 1071) over `bytes`.
std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t size) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < size; i += 2) {
    sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  }
  if (i < size) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

struct Pending {
  Nanos due = 0;  // CLOCK_MONOTONIC
  std::uint64_t order = 0;
  int family = AF_INET;
  sockaddr_storage peer{};
  socklen_t peer_len = 0;
  // The local address the request was sent to: the reply's source.
  in_addr source4{};
  in6_addr source6{};
  bool source_known = false;
  std::vector<std::uint8_t> message;  // the full ICMP reply, checksum filled in (v4)
};

struct LaterFirst {
  bool operator()(const Pending& a, const Pending& b) const {
    return a.due != b.due ? a.due > b.due : a.order > b.order;
  }
};

struct Counters {
  std::uint64_t requests = 0;
  std::uint64_t dropped = 0;   // by --loss
  std::uint64_t overflow = 0;  // queue full
  std::uint64_t replied = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t malformed = 0;
};

std::string address_text(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (peer.ss_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, &peer, sizeof sin);
    inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &peer, sizeof sin6);
    inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text);
  }
  return text;
}

// Control messages are walked by hand: the CMSG_* macros are C casts that
// -Wold-style-cast rejects.
template <typename Visit>
void for_each_cmsg(const msghdr& msg, Visit visit) {
  const auto* base = static_cast<const std::uint8_t*>(msg.msg_control);
  std::size_t offset = 0;
  const std::size_t total = msg.msg_controllen;
  constexpr std::size_t align = sizeof(std::size_t);
  constexpr std::size_t header = (sizeof(cmsghdr) + align - 1) / align * align;
  while (base != nullptr && offset + sizeof(cmsghdr) <= total) {
    cmsghdr hdr{};
    std::memcpy(&hdr, base + offset, sizeof hdr);
    if (hdr.cmsg_len < sizeof(cmsghdr) || offset + hdr.cmsg_len > total) break;
    visit(hdr, base + offset + header, hdr.cmsg_len - header);
    offset += (hdr.cmsg_len + align - 1) / align * align;
  }
}

class Responder {
 public:
  explicit Responder(const Options& options)
      : options_(options), random_(options.seed ? *options.seed : std::random_device{}()) {}

  ~Responder() {
    for (int fd : {sock4_, sock6_, timer_, signals_}) {
      if (fd >= 0) close(fd);
    }
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  bool open() {
    // Wake up at the due time, not up to 50 us later.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

    if (options_.want_v4 && !open_v4()) return false;
    if (options_.want_v6 && !open_v6()) {
      if (options_.v6_required || sock4_ < 0) return false;
      std::fprintf(stderr, "pk_icmp_responder: warning: IPv6 not answered\n");
    }

    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timer_ < 0) return fail("timerfd_create");

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return fail("sigprocmask");
    signals_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signals_ < 0) return fail("signalfd");

    if (options_.duration) deadline_ = now_ns(CLOCK_MONOTONIC) + *options_.duration;
    return true;
  }

  void announce_ready() const {
    std::printf("ready%s%s\n", sock4_ >= 0 ? " ipv4" : "", sock6_ >= 0 ? " ipv6" : "");
    std::fflush(stdout);
  }

  int run() {
    buffer_.resize(k_buffer_size);
    std::array<pollfd, 4> fds{};
    fds[0] = {sock4_, POLLIN, 0};
    fds[1] = {sock6_, POLLIN, 0};
    fds[2] = {timer_, POLLIN, 0};
    fds[3] = {signals_, POLLIN, 0};
    for (;;) {
      send_due();
      if (deadline_ && now_ns(CLOCK_MONOTONIC) >= *deadline_) break;
      arm_timer();
      const int ready = poll(fds.data(), fds.size(), -1);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return fail("poll") ? 0 : 1;
      }
      if (fds[3].revents != 0) {
        signalfd_siginfo info{};
        if (read(signals_, &info, sizeof info) > 0) {
          if (options_.verbose) std::fprintf(stderr, "pk_icmp_responder: signal %u\n", info.ssi_signo);
          break;
        }
      }
      if (fds[2].revents != 0) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] const auto got = read(timer_, &expirations, sizeof expirations);
      }
      if (fds[0].revents != 0) receive(sock4_, AF_INET);
      if (fds[1].revents != 0) receive(sock6_, AF_INET6);
    }
    std::fprintf(stderr,
                 "pk_icmp_responder: %llu requests, %llu dropped, %llu replied, %llu pending, "
                 "%llu queue overflow, %llu send errors, %llu malformed\n",
                 as_ull(counters_.requests), as_ull(counters_.dropped), as_ull(counters_.replied),
                 as_ull(queue_.size()), as_ull(counters_.overflow), as_ull(counters_.send_errors),
                 as_ull(counters_.malformed));
    return 0;
  }

 private:
  static unsigned long long as_ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

  static bool fail(const char* what) {
    std::fprintf(stderr, "pk_icmp_responder: %s: %s\n", what, std::strerror(errno));
    return false;
  }

  bool open_v4() {
    sock4_ = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (sock4_ < 0) {
      fail("IPv4 raw ICMP socket (needs root or CAP_NET_RAW)");
      return false;
    }
    // Only echo requests reach us (the filter's set bits are the types to drop).
    icmp_filter filter{};
    filter.data = ~(1U << ICMP_ECHO);
    if (setsockopt(sock4_, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0) return fail("ICMP_FILTER");
    const int on = 1;
    if (setsockopt(sock4_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0) return fail("IP_PKTINFO");
    if (setsockopt(sock4_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) return fail("SO_TIMESTAMPNS");
    return true;
  }

  bool open_v6() {
    sock6_ = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (sock6_ < 0) {
      fail("IPv6 raw ICMP socket");
      return false;
    }
    icmp6_filter filter{};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REQUEST, &filter);
    if (setsockopt(sock6_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
      return fail("ICMP6_FILTER");
    }
    const int on = 1;
    if (setsockopt(sock6_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0) return fail("IPV6_RECVPKTINFO");
    if (setsockopt(sock6_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) return fail("SO_TIMESTAMPNS");
    return true;
  }

  Nanos delay_for_next() {
    Nanos delay = options_.delay;
    if (options_.jitter > 0) {
      std::uniform_int_distribution<Nanos> offset(-options_.jitter, options_.jitter);
      delay += offset(random_);
    }
    return delay < 0 ? 0 : delay;
  }

  bool drop_next() {
    if (options_.loss <= 0.0) return false;
    if (options_.loss >= 1.0) return true;
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < options_.loss;
  }

  void receive(int fd, int family) {
    for (int reads = 0; reads < k_max_reads_per_wakeup; ++reads) {
      Pending reply;
      reply.family = family;
      alignas(cmsghdr) std::array<std::uint8_t, 256> control{};
      iovec iov{buffer_.data(), buffer_.size()};
      msghdr msg{};
      msg.msg_name = &reply.peer;
      msg.msg_namelen = sizeof reply.peer;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      const ssize_t got = recvmsg(fd, &msg, 0);
      if (got < 0) {
        if (errno != EAGAIN && errno != EINTR) fail("recvmsg");  // EWOULDBLOCK == EAGAIN on Linux
        return;
      }
      const Nanos mono_now = now_ns(CLOCK_MONOTONIC);
      const Nanos real_now = now_ns(CLOCK_REALTIME);
      reply.peer_len = msg.msg_namelen;
      std::optional<Nanos> kernel_rx;  // CLOCK_REALTIME
      for_each_cmsg(msg, [&](const cmsghdr& hdr, const std::uint8_t* data, std::size_t size) {
        if (hdr.cmsg_level == SOL_SOCKET && hdr.cmsg_type == SO_TIMESTAMPNS && size >= sizeof(timespec)) {
          timespec ts{};
          std::memcpy(&ts, data, sizeof ts);
          kernel_rx = static_cast<Nanos>(ts.tv_sec) * k_ns_per_s + ts.tv_nsec;
        } else if (hdr.cmsg_level == IPPROTO_IP && hdr.cmsg_type == IP_PKTINFO && size >= sizeof(in_pktinfo)) {
          in_pktinfo info{};
          std::memcpy(&info, data, sizeof info);
          reply.source4 = info.ipi_spec_dst;  // the local address to answer from
          reply.source_known = true;
        } else if (hdr.cmsg_level == IPPROTO_IPV6 && hdr.cmsg_type == IPV6_PKTINFO && size >= sizeof(in6_pktinfo)) {
          in6_pktinfo info{};
          std::memcpy(&info, data, sizeof info);
          // A request to a multicast group is answered from the default source.
          reply.source_known = !IN6_IS_ADDR_MULTICAST(&info.ipi6_addr);
          reply.source6 = info.ipi6_addr;
        }
      });

      auto bytes = std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(got));
      if (family == AF_INET) {
        // Raw IPv4 sockets deliver the IP header too.
        if (bytes.size() < sizeof(iphdr)) {
          ++counters_.malformed;
          continue;
        }
        const std::size_t header_len = static_cast<std::size_t>(bytes[0] & 0x0f) * 4;
        if (header_len < sizeof(iphdr) || bytes.size() < header_len + 8) {
          ++counters_.malformed;
          continue;
        }
        bytes = bytes.subspan(header_len);
        if (bytes[0] != ICMP_ECHO || bytes[1] != 0) continue;  // the filter should have kept it out
        if (internet_checksum(bytes.data(), bytes.size()) != 0) {
          ++counters_.malformed;
          continue;
        }
      } else {
        if (bytes.size() < 8) {
          ++counters_.malformed;
          continue;
        }
        if (bytes[0] != ICMP6_ECHO_REQUEST || bytes[1] != 0) continue;
        // The kernel verifies ICMPv6 checksums before raw delivery.
      }

      ++counters_.requests;
      const auto sequence = static_cast<unsigned>(bytes[6] << 8 | bytes[7]);
      const auto identifier = static_cast<unsigned>(bytes[4] << 8 | bytes[5]);
      if (drop_next()) {
        ++counters_.dropped;
        if (options_.verbose) log_request("drop", reply.peer, identifier, sequence, bytes.size());
        continue;
      }
      if (queue_.size() >= k_max_queue) {
        ++counters_.overflow;
        continue;
      }

      reply.message.assign(bytes.begin(), bytes.end());
      if (family == AF_INET) {
        reply.message[0] = ICMP_ECHOREPLY;
        reply.message[2] = 0;
        reply.message[3] = 0;
        const std::uint16_t sum = internet_checksum(reply.message.data(), reply.message.size());
        reply.message[2] = static_cast<std::uint8_t>(sum >> 8);
        reply.message[3] = static_cast<std::uint8_t>(sum & 0xff);
      } else {
        reply.message[0] = ICMP6_ECHO_REPLY;
        reply.message[2] = 0;  // the kernel fills in the ICMPv6 checksum
        reply.message[3] = 0;
      }
      // Age of the request when we read it: the delay runs from the kernel's
      // receive time. Clamped: a clock step must not make replies early or
      // hold them for long.
      Nanos age = kernel_rx ? real_now - *kernel_rx : 0;
      if (age < 0 || age > options_.delay + options_.jitter + k_ns_per_s) age = 0;
      reply.due = mono_now - age + delay_for_next();
      reply.order = next_order_++;
      if (options_.verbose) log_request("queue", reply.peer, identifier, sequence, bytes.size());
      queue_.push(std::move(reply));
    }
  }

  void log_request(const char* what, const sockaddr_storage& peer, unsigned id, unsigned seq, std::size_t size) const {
    std::fprintf(stderr, "pk_icmp_responder: %s echo from %s id=%u seq=%u bytes=%zu\n", what,
                 address_text(peer).c_str(), id, seq, size);
  }

  void send_due() {
    const Nanos now = now_ns(CLOCK_MONOTONIC);
    while (!queue_.empty() && queue_.top().due <= now) {
      send_reply(queue_.top());
      queue_.pop();
    }
  }

  void send_reply(const Pending& reply) {
    iovec iov{const_cast<std::uint8_t*>(reply.message.data()), reply.message.size()};
    msghdr msg{};
    msg.msg_name = const_cast<sockaddr_storage*>(&reply.peer);
    msg.msg_namelen = reply.peer_len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    // One control message with the source address (hand-built, see for_each_cmsg).
    alignas(cmsghdr) std::array<std::uint8_t, 128> control{};
    constexpr std::size_t align = sizeof(std::size_t);
    constexpr std::size_t header = (sizeof(cmsghdr) + align - 1) / align * align;
    auto add_control = [&](int level, int type, const void* data, std::size_t size) {
      cmsghdr hdr{};
      hdr.cmsg_level = level;
      hdr.cmsg_type = type;
      hdr.cmsg_len = header + size;
      std::memcpy(control.data(), &hdr, sizeof hdr);
      std::memcpy(control.data() + header, data, size);
      msg.msg_control = control.data();
      msg.msg_controllen = (header + size + align - 1) / align * align;
    };
    int fd = sock4_;
    if (reply.family == AF_INET) {
      if (reply.source_known) {
        in_pktinfo info{};
        info.ipi_spec_dst = reply.source4;
        add_control(IPPROTO_IP, IP_PKTINFO, &info, sizeof info);
      }
    } else {
      fd = sock6_;
      if (reply.source_known) {
        in6_pktinfo info{};
        info.ipi6_addr = reply.source6;
        add_control(IPPROTO_IPV6, IPV6_PKTINFO, &info, sizeof info);
      }
    }
    if (sendmsg(fd, &msg, 0) < 0) {
      ++counters_.send_errors;
      if (options_.verbose) fail("sendmsg");
      return;
    }
    ++counters_.replied;
  }

  void arm_timer() {
    std::optional<Nanos> wake;
    if (!queue_.empty()) wake = queue_.top().due;
    if (deadline_ && (!wake || *deadline_ < *wake)) wake = deadline_;
    itimerspec spec{};
    if (wake) {
      // 0 would disarm the timer: a due time in the past becomes 1 ns.
      spec.it_value = to_timespec(*wake > 0 ? *wake : 1);
    }
    timerfd_settime(timer_, wake ? TFD_TIMER_ABSTIME : 0, &spec, nullptr);
  }

  Options options_;
  std::mt19937_64 random_;
  int sock4_ = -1;
  int sock6_ = -1;
  int timer_ = -1;
  int signals_ = -1;
  std::optional<Nanos> deadline_;
  std::priority_queue<Pending, std::vector<Pending>, LaterFirst> queue_;
  std::uint64_t next_order_ = 0;
  std::vector<std::uint8_t> buffer_;
  Counters counters_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  Responder responder(options);
  if (!responder.open()) return 1;
  responder.announce_ready();
  return responder.run();
}
