#pragma once

namespace pk::analyze {

// Voice quality estimated with the usual simplification of the ITU-T G.107
// E-model used by VoIP and network monitoring tools, from round-trip
// statistics in milliseconds and loss in percent:
//
//   effective_latency = avg_rtt_ms + 2 * jitter_ms + 10
//   R = 93.2 - (effective_latency < 160 ? effective_latency / 40
//                                        : (effective_latency - 120) / 10)
//            - 2.5 * loss_pct,                     clamped to [0, 100]
//   MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), clamped to [1.0, 4.5]
//
// The last line is G.107's R-to-MOS mapping (Annex B). Results: about 4.4
// for a perfect link, 1.0 for total loss; non-increasing in each input.
// Inputs are sanitised: NaN and negative RTT/jitter/loss count as 0, loss
// is capped at 100 %, and an infinite RTT or jitter gives R = 0.

// The E-model transmission rating R, in [0, 100].
double r_factor(double avg_rtt_ms, double jitter_ms, double loss_pct);

// The mean opinion score for `r_factor`'s inputs, in [1.0, 4.5].
double mos(double avg_rtt_ms, double jitter_ms, double loss_pct);

// G.107's mapping from R to MOS, clamped to [1.0, 4.5] (R is clamped to
// [0, 100] first).
double mos_from_r(double r);

}  // namespace pk::analyze
