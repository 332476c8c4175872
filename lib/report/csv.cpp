#include "report/csv.hpp"

#include "util/csv.hpp"
#include "util/local_clock.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace pk::report {

namespace {

// Bytes gathered before each write.
constexpr std::size_t k_flush_at = 1 << 16;

// A buffered RFC 4180 writer onto a FILE*: fields joined by commas, records
// ended by CRLF; the first write error is kept and reported at the end.
class CsvOut {
 public:
  explicit CsvOut(std::FILE* out) : m_out(out) {}

  void raw(std::string_view text) { m_buffer.append(text.data(), text.data() + text.size()); }
  void field(std::string_view text) {
    separate();
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
      raw(text);
    } else {
      raw(util::csv_field(text));
    }
  }
  // A number of µs as ms with three decimals, exactly (12345 -> 12.345).
  void micros_as_ms(std::int64_t us) {
    separate();
    const auto magnitude = us < 0 ? -us : us;
    fmt::format_to(std::back_inserter(m_buffer), "{}{}.{:03}", us < 0 ? "-" : "", magnitude / 1000, magnitude % 1000);
  }
  void optional_ms(std::optional<double> us) {
    if (!us) return empty();
    micros_as_ms(static_cast<std::int64_t>(std::llround(*us)));
  }
  void optional_pct(std::optional<double> pct) {
    if (!pct) return empty();
    separate();
    fmt::format_to(std::back_inserter(m_buffer), "{}", std::round(*pct * 10000.0) / 10000.0);
  }
  void integer(std::int64_t v) {
    separate();
    fmt::format_to(std::back_inserter(m_buffer), "{}", v);
  }
  void empty() { separate(); }
  void end_record() {
    raw("\r\n");
    m_first = true;
    if (m_buffer.size() >= k_flush_at) flush();
  }
  void flush() {
    if (m_buffer.size() != 0 && m_error == 0 &&
        std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_out) != m_buffer.size()) {
      m_error = errno != 0 ? errno : EIO;
    }
    m_buffer.clear();
  }
  Expected<void> finish() {
    flush();
    if (m_error == 0 && std::fflush(m_out) != 0) m_error = errno != 0 ? errno : EIO;
    if (m_error != 0) return make_error(ErrorKind::io, fmt::format("cannot write the CSV: {}", std::strerror(m_error)));
    return {};
  }
  bool failed() const { return m_error != 0; }

 private:
  void separate() {
    if (!m_first) m_buffer.push_back(',');
    m_first = false;
  }

  std::FILE* m_out;
  fmt::memory_buffer m_buffer;
  bool m_first = true;
  int m_error = 0;
};

void write_header(CsvOut& out, analyze::Tier resolution) {
  for (const auto& name : csv_header(resolution)) out.field(name);
  out.end_record();
}

}  // namespace

std::vector<std::string> csv_header(analyze::Tier resolution) {
  if (resolution == analyze::Tier::raw) return {"target", "host", "time", "rtt_ms", "status", "ttl"};
  return {"target", "host",   "time",      "sent",      "received", "loss_pct", "min_ms",
          "avg_ms", "max_ms", "stddev_ms", "median_ms", "p95_ms",   "p99_ms",   "jitter_ms"};
}

Expected<ExportSummary> write_csv(query::Reader& reader, const ExportRequest& request, std::FILE* out_file) {
  CsvOut out(out_file);
  if (request.bom) out.raw("\xEF\xBB\xBF");
  write_header(out, request.resolution);
  util::LocalClock clock(request.zone);
  ExportSummary summary;

  auto time_field = [&](util::SysMicros t) { out.field(clock.iso(t)); };
  Expected<void> read;
  if (request.resolution == analyze::Tier::raw) {
    read = query::for_each_sample(
        reader, request.scope, request.periods,
        [&](const core::Target& target, const core::Sample& s) {
          out.field(target.name);
          out.field(target.host);
          time_field(s.ts);
          if (s.rtt) {
            out.micros_as_ms(s.rtt->count());
          } else {
            out.empty();
          }
          out.field(core::to_string(s.status));
          if (s.ttl) {
            out.integer(*s.ttl);
          } else {
            out.empty();
          }
          out.end_record();
          ++summary.rows;
          return !out.failed();
        },
        request.control);
  } else {
    read = query::for_each_bucket(
        reader, request.scope, request.periods, request.resolution,
        [&](const core::Target& target, const query::ExportBucket& b) {
          const auto& sum = b.aggregate.summary;
          const auto& sketch = b.aggregate.sketch;
          out.field(target.name);
          out.field(target.host);
          time_field(b.start);
          out.integer(static_cast<std::int64_t>(sum.sent()));
          out.integer(static_cast<std::int64_t>(sum.received()));
          out.optional_pct(sum.loss_pct());
          out.optional_ms(sum.min());
          out.optional_ms(sum.mean());
          out.optional_ms(sum.max());
          out.optional_ms(sum.stddev());
          out.optional_ms(sketch.quantile(0.5));
          out.optional_ms(sketch.quantile(0.95));
          out.optional_ms(sketch.quantile(0.99));
          out.optional_ms(sum.jitter());
          out.end_record();
          ++summary.rows;
          return !out.failed();
        },
        request.control);
  }
  if (!read) return std::unexpected(read.error());
  if (auto done = out.finish(); !done) return std::unexpected(done.error());
  return summary;
}

}  // namespace pk::report
