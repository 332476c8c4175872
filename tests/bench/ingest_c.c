/* pk_bench_ingest_c: the ingest ceiling. A plain C loop on the sqlite3
 * library inserting N synthetic rows (rows.h) into the samples table, with
 * nothing pingkeeper adds: WAL, synchronous=NORMAL, no connection mutex,
 * one prepared statement, one transaction per BATCH rows.
 *
 *   pk_bench_ingest_c DB SCHEMA.sql N BATCH
 *
 * SCHEMA.sql is the CREATE TABLE samples statement, extracted by ingest.bash
 * from schema/001_init.sql so the two programs use the very same table.
 * Prints one JSON object: rows, seconds (wall, from the first insert to the
 * last commit), rows_per_s, cpu_s, batches. */
#include "rows.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static void die(sqlite3* db, const char* what) {
  fprintf(stderr, "pk_bench_ingest_c: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  exit(1);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec / 1e6;
}

static char* read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pk_bench_ingest_c DB SCHEMA.sql N BATCH\n");
    return 2;
  }
  const char* path = argv[1];
  long long n = atoll(argv[3]);
  long long batch = atoll(argv[4]);
  if (n <= 0 || batch <= 0) {
    fprintf(stderr, "pk_bench_ingest_c: N and BATCH must be positive\n");
    return 2;
  }
  sqlite3* db = NULL;
  /* One thread, one connection: no per-call mutex (pingkeeper opens its
   * connections with SQLITE_OPEN_NOMUTEX too). */
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    die(db, "open");
  if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL, NULL) != SQLITE_OK)
    die(db, "pragmas");
  if (sqlite3_exec(db, read_file(argv[2]), NULL, NULL, NULL) != SQLITE_OK) die(db, "schema");

  sqlite3_stmt* st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO samples (target_id, ts, rtt_us, status, ttl, detail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &st, NULL) != SQLITE_OK)
    die(db, "prepare");

  double cpu0 = cpu_s();
  double t0 = now_s();
  long long batches = 0;
  for (long long i = 0; i < n;) {
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) die(db, "begin");
    long long end = i + batch < n ? i + batch : n;
    for (; i < end; ++i) {
      struct pk_bench_row r = pk_bench_make_row(i);
      sqlite3_bind_int64(st, 1, r.target_id);
      sqlite3_bind_int64(st, 2, r.ts);
      if (r.rtt_us >= 0)
        sqlite3_bind_int64(st, 3, r.rtt_us);
      else
        sqlite3_bind_null(st, 3);
      sqlite3_bind_int(st, 4, r.status);
      if (r.ttl >= 0)
        sqlite3_bind_int(st, 5, r.ttl);
      else
        sqlite3_bind_null(st, 5);
      sqlite3_bind_null(st, 6);
      if (sqlite3_step(st) != SQLITE_DONE) die(db, "insert");
      sqlite3_reset(st);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) die(db, "commit");
    ++batches;
  }
  double secs = now_s() - t0;
  double cpu = cpu_s() - cpu0;
  sqlite3_finalize(st);
  if (sqlite3_close(db) != SQLITE_OK) die(db, "close");
  printf("{\"rows\":%lld,\"seconds\":%.6f,\"rows_per_s\":%.0f,\"cpu_s\":%.6f,\"batches\":%lld}\n", n, secs,
         (double)n / secs, cpu, batches);
  return 0;
}
