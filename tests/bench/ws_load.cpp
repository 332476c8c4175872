// pk_bench_ws_load: many WebSocket clients of `pingkeeper serve`, each
// receiving every ping_result (no subscription: all targets), measuring how
// late each result arrives (tests/bench/serve.bash).
//
//   pk_bench_ws_load HOST PORT CLIENTS SECONDS [THREADS] [WARMUP_SECONDS] [MODE]
//
// MODE "wait" (default): the I/O threads sleep in epoll_wait until a socket
// is readable. "poll": they poll without sleeping (a core each). On loopback
// the kernel runs the receiver's side of TCP, and the wake-up of a sleeping
// receiver, inside the sender's send call: with sleeping clients the server
// pays for waking them (an inter-processor interrupt per wake-up in a VM),
// which across a network it does not; polling clients take that cost away.
//
// Connects CLIENTS clients to ws://HOST:PORT/api/ws/ping-status (at most 200
// handshakes in flight), waits WARMUP_SECONDS (default 3) once all are
// connected, then counts for SECONDS the ping_results whose timestamp lies in
// that window [start, end), and keeps reading 3 s more for late ones.
//
// Delivery latency of one answered result = receive time - (timestamp +
// response_time_ms). The timestamp is the probe's send time (wall clock, µs)
// and the RTT is measured from the kernel's receive timestamp of the reply,
// so timestamp + RTT is the instant the reply reached the machine; the client
// runs on the same machine and reads the same wall clock, so the difference
// is the time from the reply's arrival to the client's receipt of the
// message: the collector, live feed, hub, send queue, socket and the client's
// own read. Lost probes (no RTT) are counted but give no latency.
//
// Prints one JSON object on stdout: connected, connect_failures, closed_early
// (connections the server closed before the end), window_start_us,
// window_end_us, results_in_window (sum over clients), results_total,
// latency_samples, latency_{p50,p90,p95,p99,p999,max,mean}_ms, and this
// process's CPU (cpu_s, user + system) over its run (wall_s).
// Answers the server's {"type":"ping"} heartbeat and WebSocket pings with a
// pong. The clients speak RFC 6455 on plain Asio sockets (the upgrade
// request by hand, frames parsed in place): a load client built on Beast's
// websocket::stream spent as much CPU as the server it measured.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr int k_max_handshakes = 200;  // upgrades in flight at once
constexpr int k_grace_seconds = 3;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Latency histogram: 10 µs steps below 100 ms, 1 ms steps to 60 s, then one
// overflow bucket.
class Histogram {
 public:
  static constexpr std::int64_t k_fine_us = 10, k_fine_limit_us = 100'000;
  static constexpr std::int64_t k_coarse_us = 1000, k_coarse_limit_us = 60'000'000;
  static constexpr std::size_t k_fine = k_fine_limit_us / k_fine_us;
  static constexpr std::size_t k_size = k_fine + (k_coarse_limit_us - k_fine_limit_us) / k_coarse_us + 1;

  Histogram() : m_counts(k_size, 0) {}

  void add(std::int64_t us) {
    us = std::max<std::int64_t>(us, 0);
    std::size_t i = us < k_fine_limit_us     ? static_cast<std::size_t>(us / k_fine_us)
                    : us < k_coarse_limit_us ? k_fine + static_cast<std::size_t>((us - k_fine_limit_us) / k_coarse_us)
                                             : k_size - 1;
    ++m_counts[i];
    ++m_n;
    m_sum += us;
    m_max = std::max(m_max, us);
  }
  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < k_size; ++i) m_counts[i] += o.m_counts[i];
    m_n += o.m_n;
    m_sum += o.m_sum;
    m_max = std::max(m_max, o.m_max);
  }
  // The upper bound (µs) of the bucket holding rank ceil(q * n).
  double quantile_ms(double q) const {
    if (m_n == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::max(1.0, q * static_cast<double>(m_n) + 0.999999));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < k_size; ++i) {
      seen += m_counts[i];
      if (seen >= rank) return static_cast<double>(std::min(upper_us(i), m_max)) / 1000.0;
    }
    return static_cast<double>(m_max) / 1000.0;
  }
  std::uint64_t n() const { return m_n; }
  double mean_ms() const { return m_n ? static_cast<double>(m_sum) / static_cast<double>(m_n) / 1000.0 : 0; }
  double max_ms() const { return static_cast<double>(m_max) / 1000.0; }

 private:
  static std::int64_t upper_us(std::size_t i) {
    if (i < k_fine) return static_cast<std::int64_t>(i + 1) * k_fine_us;
    if (i + 1 < k_size) return k_fine_limit_us + static_cast<std::int64_t>(i - k_fine + 1) * k_coarse_us;
    return k_coarse_limit_us;
  }
  std::vector<std::uint64_t> m_counts;
  std::uint64_t m_n = 0;
  std::int64_t m_sum = 0;
  std::int64_t m_max = 0;
};

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  if (pos + n > s.size()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, v);
  if (ec != std::errc{} || end != s.data() + pos + n) return std::nullopt;
  return v;
}

// "2026-11-22T09:00:00.123456Z" (fraction optional, 1-6 digits) in µs since
// the epoch.
std::optional<std::int64_t> parse_iso_us(std::string_view s) {
  auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  auto h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  std::int64_t us =
      ((days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 24 + *h) * 60 + *mi) *
          60'000'000LL +
      *se * 1'000'000LL;
  if (s.size() > 19 && s[19] == '.') {
    std::int64_t scale = 100'000;
    for (std::size_t i = 20; i < s.size() && s[i] >= '0' && s[i] <= '9' && scale > 0; ++i, scale /= 10) {
      us += (s[i] - '0') * scale;
    }
  }
  return us;
}

// The text after `needle` ("\"key\":") in a flat search of `json` (the
// server's messages carry each key once).
std::optional<std::string_view> value_after(std::string_view json, std::string_view needle) {
  auto pos = json.find(needle);
  if (pos == std::string_view::npos) return std::nullopt;
  return json.substr(pos + needle.size());
}

class Client;

struct Shared {
  std::vector<std::shared_ptr<Client>> all;
  std::string host;
  std::string port;
  tcp::resolver::results_type endpoints;
  int clients = 0;
  std::atomic<int> next{0};
  std::atomic<int> connected{0};
  std::atomic<int> failed{0};
  std::atomic<int> closed_early{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> window_start{INT64_MAX};
  std::atomic<std::int64_t> window_end{INT64_MAX};
  std::atomic<std::int64_t> in_window{0};
  std::atomic<std::int64_t> total{0};
  std::mutex mutex;
  std::vector<std::unique_ptr<Histogram>> histograms;  // one per I/O thread

  // Per I/O thread, created on first use.
  Histogram& histogram() {
    thread_local Histogram* mine = nullptr;
    if (!mine) {
      std::lock_guard lock(mutex);
      histograms.push_back(std::make_unique<Histogram>());
      mine = histograms.back().get();
    }
    return *mine;
  }
};

// Starts the next client not started yet, if any.
void launch_next(Shared& shared);

// One WebSocket client on a plain TCP socket: the upgrade request written
// by hand and server frames parsed straight from the receive buffer, so a
// read that brings many messages costs one completion, not one per message
// (the load client shares the machine with the server).
class Client : public std::enable_shared_from_this<Client> {
 public:
  // One I/O thread needs no strand (and saves its cost on every read).
  Client(asio::io_context& io, Shared& shared, bool strand)
      : m_socket(strand ? asio::any_io_executor(asio::make_strand(io)) : asio::any_io_executor(io.get_executor())),
        m_shared(shared) {
    m_buffer.resize(64 * 1024);
  }

  void start() {
    asio::async_connect(
        m_socket, m_shared.endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return self->failed();
          self->m_request = "GET /api/ws/ping-status HTTP/1.1\r\nHost: " + self->m_shared.host + ":" +
                            self->m_shared.port +
                            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n";
          asio::async_write(self->m_socket, asio::buffer(self->m_request), [self](beast::error_code ec2, std::size_t) {
            if (ec2) return self->failed();
            self->read();
          });
        });
  }

  void close() {
    asio::post(m_socket.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->m_socket.close(ec);
    });
  }

 private:
  void failed() {
    ++m_shared.failed;
    launch_next(m_shared);
  }

  void read() {
    if (m_have == m_buffer.size()) m_buffer.resize(m_buffer.size() * 2);
    m_socket.async_read_some(
        asio::buffer(m_buffer.data() + m_have, m_buffer.size() - m_have),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (!m_upgraded) return failed();
      if (!m_shared.stopping) ++m_shared.closed_early;
      return;
    }
    m_have += n;
    std::size_t used = 0;
    if (!m_upgraded) {
      std::string_view head(m_buffer.data(), m_have);
      auto end = head.find("\r\n\r\n");
      if (end == std::string_view::npos) return read();
      if (!head.starts_with("HTTP/1.1 101")) return failed();
      m_upgraded = true;
      used = end + 4;
      ++m_shared.connected;
      launch_next(m_shared);
    }
    used += frames(std::string_view(m_buffer.data() + used, m_have - used), now_us());
    if (m_closed) return;
    std::memmove(m_buffer.data(), m_buffer.data() + used, m_have - used);
    m_have -= used;
    read();
  }

  // Handles the whole frames at the start of `data`; returns the bytes used.
  std::size_t frames(std::string_view data, std::int64_t received) {
    std::size_t pos = 0;
    while (data.size() - pos >= 2) {
      auto b0 = static_cast<unsigned char>(data[pos]), b1 = static_cast<unsigned char>(data[pos + 1]);
      std::size_t header = 2;
      std::uint64_t length = b1 & 0x7f;
      if (length == 126 || length == 127) {
        std::size_t bytes = length == 126 ? 2 : 8;
        if (data.size() - pos < 2 + bytes) break;
        length = 0;
        for (std::size_t i = 0; i < bytes; ++i) length = length << 8 | static_cast<unsigned char>(data[pos + 2 + i]);
        header += bytes;
      }
      if (data.size() - pos - header < length) break;
      std::string_view payload = data.substr(pos + header, length);
      pos += header + length;
      bool fin = b0 & 0x80;
      switch (b0 & 0x0f) {
        case 0x0:  // continuation
        case 0x1:  // text
        case 0x2:
          if (!fin || !m_fragment.empty()) {
            m_fragment += payload;
            if (fin) {
              handle(m_fragment, received);
              m_fragment.clear();
            }
          } else {
            handle(payload, received);
          }
          break;
        case 0x8:  // close
          if (!m_shared.stopping) ++m_shared.closed_early;
          m_closed = true;
          close();
          return pos;
        case 0x9: send(0xA, payload); break;  // ping: pong
        default: break;
      }
    }
    return pos;
  }

  void handle(std::string_view text, std::int64_t received) {
    if (text.find("\"type\":\"ping_result\"") != std::string_view::npos) {
      ++m_shared.total;
      auto ts_text = value_after(text, "\"timestamp\":");
      auto ts = ts_text && ts_text->size() > 1 ? parse_iso_us(ts_text->substr(1)) : std::nullopt;
      if (!ts || *ts < m_shared.window_start || *ts >= m_shared.window_end) return;
      ++m_shared.in_window;
      auto rtt_text = value_after(text, "\"response_time_ms\":");
      if (!rtt_text || rtt_text->starts_with("null")) return;
      double rtt_ms = 0;
      auto [end, errc] = std::from_chars(rtt_text->data(), rtt_text->data() + rtt_text->size(), rtt_ms);
      if (errc != std::errc{}) return;
      m_shared.histogram().add(received - *ts - static_cast<std::int64_t>(rtt_ms * 1000.0 + 0.5));
    } else if (text.find("\"type\":\"ping\"") != std::string_view::npos) {
      send(0x1, R"({"type":"pong"})");  // the server's heartbeat
    }
  }

  // Queues one masked frame (client frames must be masked; payloads < 126).
  void send(unsigned opcode, std::string_view payload) {
    if (payload.size() >= 126) return;
    static constexpr std::array<unsigned char, 4> k_mask = {0x12, 0x34, 0x56, 0x78};
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    frame += static_cast<char>(0x80 | payload.size());
    for (auto m : k_mask) frame += static_cast<char>(m);
    for (std::size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ k_mask[i % 4]);
    m_writes.push_back(std::move(frame));
    if (m_writes.size() == 1) write();
  }

  void write() {
    asio::async_write(m_socket, asio::buffer(m_writes.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->m_writes.pop_front();
                        if (!ec && !self->m_writes.empty()) self->write();
                      });
  }

  tcp::socket m_socket;
  Shared& m_shared;
  std::string m_request;
  std::vector<char> m_buffer;
  std::size_t m_have = 0;
  bool m_upgraded = false;
  bool m_closed = false;
  std::string m_fragment;
  std::deque<std::string> m_writes;
};

void launch_next(Shared& shared) {
  int i = shared.next.fetch_add(1);
  if (i < shared.clients) shared.all[static_cast<std::size_t>(i)]->start();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s HOST PORT CLIENTS SECONDS [THREADS] [WARMUP_SECONDS] [wait|poll]\n", argv[0]);
    return 2;
  }
  Shared shared;
  shared.host = argv[1];
  shared.port = argv[2];
  shared.clients = std::atoi(argv[3]);
  const int seconds = std::atoi(argv[4]);
  const int threads = argc > 5 ? std::max(1, std::atoi(argv[5])) : 1;
  const int warmup = argc > 6 ? std::atoi(argv[6]) : 3;
  const std::string mode = argc > 7 ? argv[7] : "wait";
  if (mode != "wait" && mode != "poll") {
    std::fprintf(stderr, "%s: MODE must be wait or poll, got '%s'\n", argv[0], mode.c_str());
    return 2;
  }
  const bool poll = mode == "poll";

  asio::io_context io(threads);
  tcp::resolver resolver(io);
  shared.endpoints = resolver.resolve(shared.host, shared.port);
  shared.all.reserve(static_cast<std::size_t>(shared.clients));
  for (int i = 0; i < shared.clients; ++i) shared.all.push_back(std::make_shared<Client>(io, shared, threads > 1));

  auto work = asio::make_work_guard(io);
  std::vector<std::thread> pool;
  std::atomic<bool> done{false};
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&io, &done, poll] {
      if (!poll) {
        io.run();
        return;
      }
      while (!done) io.poll();  // epoll_wait without sleeping
    });
  }

  auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < std::min(k_max_handshakes, shared.clients); ++i) launch_next(shared);
  // All handshakes done (or failed), within 120 s.
  while (shared.connected + shared.failed < shared.clients &&
         std::chrono::steady_clock::now() - began < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double connect_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::this_thread::sleep_for(std::chrono::seconds(warmup));
  auto start = now_us();
  shared.window_end = start + seconds * 1'000'000LL;
  shared.window_start = start;
  std::this_thread::sleep_for(std::chrono::seconds(seconds + k_grace_seconds));
  shared.stopping = true;
  for (auto& c : shared.all) c->close();
  work.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  io.stop();
  done = true;
  for (auto& t : pool) t.join();
  shared.all.clear();  // while the io_context lives

  Histogram all;
  for (const auto& h : shared.histograms) all.merge(*h);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf(
      "{\"clients\": %d, \"connected\": %d, \"connect_failures\": %d, \"closed_early\": %d, \"connect_s\": %.3f, "
      "\"window_start_us\": %lld, \"window_end_us\": %lld, \"results_in_window\": %lld, \"results_total\": %lld, "
      "\"latency_samples\": %llu, \"latency_p50_ms\": %.3f, \"latency_p90_ms\": %.3f, \"latency_p95_ms\": %.3f, "
      "\"latency_p99_ms\": %.3f, "
      "\"latency_p999_ms\": %.3f, \"latency_max_ms\": %.3f, \"latency_mean_ms\": %.3f, \"cpu_s\": %.3f, "
      "\"wall_s\": %.3f}\n",
      shared.clients, shared.connected.load(), shared.failed.load(), shared.closed_early.load(), connect_s,
      static_cast<long long>(start), static_cast<long long>(shared.window_end.load()),
      static_cast<long long>(shared.in_window.load()), static_cast<long long>(shared.total.load()),
      static_cast<unsigned long long>(all.n()), all.quantile_ms(0.50), all.quantile_ms(0.90), all.quantile_ms(0.95),
      all.quantile_ms(0.99), all.quantile_ms(0.999), all.max_ms(), all.mean_ms(), cpu_s,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  return 0;
}
