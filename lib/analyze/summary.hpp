#pragma once

#include "util/expected.hpp"

#include <cstdint>
#include <optional>

namespace pk::analyze {

// Summary statistics of a run of samples, as CLI.md "Statistics definitions"
// defines them: sent, received, lost, loss %, and over the received RTTs min,
// mean, max, population standard deviation and jitter (the mean absolute
// difference between consecutive received RTTs). RTTs are in µs.
//
// Summaries merge: merging the summaries of consecutive chunks gives the
// summary of the whole run (up to floating-point rounding). Merge order
// matters only for jitter, which needs the chunks in time order; every other
// statistic is order independent. The mean and variance use Welford's update
// and Chan et al.'s parallel merge of (count, mean, M2). A pure value.
class Summary {
 public:
  // Everything a Summary holds, for storage (rollup rows) and reconstruction.
  // mean, m2 (sum of squared deviations from the mean), min, max,
  // first_rtt and last_rtt are meaningful only when received > 0.
  struct Parts {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    double mean = 0;
    double m2 = 0;
    double min = 0;
    double max = 0;
    double first_rtt = 0;
    double last_rtt = 0;
    double jitter_sum = 0;
    std::uint64_t jitter_count = 0;
    friend bool operator==(const Parts&, const Parts&) = default;
  };

  // Records one sample, in time order: nullopt is a loss, otherwise the RTT
  // in µs (expected finite and >= 0; a NaN or infinite RTT counts as lost).
  void add(std::optional<double> rtt_us);

  // Appends the summary of the samples that came right after this one's.
  // Jitter gains one difference, |later.first - this.last|, when both sides
  // received something. Merging chunks out of time order gives the right
  // counts, min, max, mean and stddev but a wrong jitter.
  void merge_after(const Summary& later);

  std::uint64_t sent() const { return m_parts.sent; }
  std::uint64_t received() const { return m_parts.received; }
  // sent - received (0 if received were ever to exceed sent).
  std::uint64_t lost() const;
  // lost / sent * 100; nullopt when nothing was sent.
  std::optional<double> loss_pct() const;

  // Over received RTTs (µs); nullopt when nothing was received.
  std::optional<double> min() const;
  std::optional<double> max() const;
  std::optional<double> mean() const;
  // Population standard deviation (divides by n, like ping's mdev).
  std::optional<double> stddev() const;
  // Mean absolute difference between consecutive received RTTs; nullopt
  // when fewer than two RTTs were received.
  std::optional<double> jitter() const;

  const Parts& parts() const { return m_parts; }
  // Rebuilds a summary from stored parts. Fails with invalid_input when they
  // are inconsistent: received > sent, jitter_count >= received (when
  // received > 0) or > 0 (when nothing was received), negative or non-finite
  // values, or min > max.
  static Expected<Summary> from_parts(const Parts& parts);

  friend bool operator==(const Summary&, const Summary&) = default;

 private:
  Parts m_parts;
};

}  // namespace pk::analyze
