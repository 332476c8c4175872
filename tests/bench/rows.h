/* The synthetic rows both ingest benchmarks insert (ingest_c.c and
 * ingest_pk.cpp), so the two insert exactly the same data: 1,000 targets
 * probed once a second with spread phases, as the collector produces them
 * (interleaved across targets, each target's ts increasing); one row in 100
 * a timeout (rtt and ttl NULL, status 1), the rest answered with an RTT of
 * 200..999 us and TTL 64. Valid C and warning-free C++ (no casts). */
#ifndef PK_BENCH_ROWS_H
#define PK_BENCH_ROWS_H

#include <stdint.h>

#define PK_BENCH_TARGETS 1000
#define PK_BENCH_BASE_US INT64_C(1795305600000000) /* 2026-11-22T00:00:00Z */

struct pk_bench_row {
  int64_t target_id;
  int64_t ts;
  int64_t rtt_us; /* -1: NULL (lost) */
  int status;
  int ttl; /* -1: NULL */
};

static inline struct pk_bench_row pk_bench_make_row(int64_t i) {
  struct pk_bench_row r;
  int64_t slot = i % PK_BENCH_TARGETS;
  int64_t round = i / PK_BENCH_TARGETS;
  r.target_id = slot + 1;
  r.ts = PK_BENCH_BASE_US + round * INT64_C(1000000) + slot * INT64_C(1000);
  if (i % 100 == 99) {
    r.rtt_us = -1;
    r.status = 1;
    r.ttl = -1;
  } else {
    r.rtt_us = 200 + (i * 7919) % 800;
    r.status = 0;
    r.ttl = 64;
  }
  return r;
}

#endif /* PK_BENCH_ROWS_H */
