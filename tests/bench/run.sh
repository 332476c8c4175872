#!/usr/bin/env bash
# Runs the collector, analytics and export benchmarks (`make bench`) and
# prints one JSON line per figure on stdout:
# {"name","value","unit","context":{...}}. Progress and a closing table go
# to stderr. Not part of `make test`: timings are claims for
# BENCHMARKS.md, never pass/fail checks.
#
#   tests/bench/run.sh BUILD_DIR
#
# BUILD_DIR is a build with -DPK_BUILD_BENCH=ON (cli/pingkeeper,
# tests/tools/pk_icmp_responder, tests/bench/pk_bench_ingest,
# tests/bench/pk_bench_ws_load). The two C
# helpers, pk_rusage (rusage.c) and pk_bench_ingest_c (ingest_c.c), are
# built here with cc against libsqlite3, in a temp directory removed at exit.
#
#   probe.bash   1,000 and 10,000 loopback targets at 1 Hz for 10 s in a
#                network namespace: pingkeeper run vs fping, CPU and RSS
#   rtt.bash     median RTT through pk_icmp_responder --delay 5ms / 50ms:
#                pingkeeper ping vs ping(8) vs fping
#   ingest.bash  rows/s of the writer path vs a plain C sqlite3 loop
#   stats.bash   demo of 30 days at 1 s; stats vs a SQL scan and an exact
#                p95 by SQL sort; stats over 100 targets; bytes per sample
#                per tier; rollup pass throughput
#   export.bash  1M raw samples (12 targets x 1 day at 1 s): export to CSV
#                vs the sqlite3 shell, to XLSX vs openpyxl write_only
#   traceroute.bash  a full trace through a chain of 3 router namespaces
#                (UDP, ICMP, TCP; also with one silent hop): pingkeeper
#                traceroute vs traceroute(8) vs mtr -r -c1, wall, CPU, RSS
#   serve.bash   pingkeeper serve collecting 100 loopback targets at 1 Hz:
#                wrk on /api/ping-metrics/latest and /api/v1/stats (paced
#                near 5,000 req/s, flat out, and uncached); 1,000 and 10,000
#                WebSocket clients (pk_bench_ws_load, sleeping and polling):
#                delivery latency, results lost, server peak RSS and CPU
#
# Environment: BENCH_ONLY="probe rtt ingest stats export traceroute serve" (a subset),
# BENCH_OUT=FILE (also write the JSON lines there), and the knobs of each script (BENCH_REPS,
# BENCH_PROBE_TARGETS, BENCH_RTT_COUNT, BENCH_RTT_DELAYS, BENCH_INGEST_ROWS,
# BENCH_INGEST_BATCH, BENCH_INGEST_REPS, BENCH_STATS_REPS, BENCH_DEMO_REPS,
# BENCH_STATS_DAYS, BENCH_STATS_MANY_TARGETS, BENCH_EXPORT_REPS,
# BENCH_EXPORT_TARGETS, BENCH_TRACE_REPS, BENCH_SERVE_CLIENTS, BENCH_SERVE_WS_SECONDS,
# BENCH_SERVE_HTTP_SECONDS, BENCH_SERVE_RATE, BENCH_SERVE_WS_THREADS, BENCH_SERVE_WS_MODES). Root is needed for the network
# namespaces of probe, rtt and traceroute (they skip otherwise, and fail
# under CI=true).
# Network safety (TESTING.md): packets go only to loopback inside a namespace
# created here, or to a test host in a namespace created here.

set -u
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
SRC=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$SRC/../.." && pwd)
BUILD=$(realpath -- "$1") || exit 2
PK=$BUILD/cli/pingkeeper
RESPONDER=$BUILD/tests/tools/pk_icmp_responder
PK_INGEST=$BUILD/tests/bench/pk_bench_ingest
PK_WS_LOAD=$BUILD/tests/bench/pk_bench_ws_load
for f in "$PK" "$RESPONDER" "$PK_INGEST" "$PK_WS_LOAD"; do
  if [[ ! -x $f ]]; then
    echo "run.sh: $f missing: build with -DPK_BUILD_BENCH=ON (make bench does)" >&2
    exit 2
  fi
done
command -v cc >/dev/null || { echo "run.sh: needs cc (Debian package gcc)" >&2; exit 2; }

source "$SRC/common.bash"

TOOLS=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-bench.XXXXXX") || exit 2
trap 'rm -rf -- "$TOOLS"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

cc -O2 -Wall -Wextra -o "$TOOLS/pk_rusage" "$SRC/rusage.c" || exit 1
cc -O2 -Wall -Wextra -o "$TOOLS/pk_bench_ingest_c" "$SRC/ingest_c.c" -lsqlite3 || exit 1

RESULTS=$TOOLS/results.jsonl
: >"$RESULTS"
START=$(date +%s.%N)
FAILED=()

# suite NAME CMD...: runs one benchmark script; its JSON lines go to stdout
# and to RESULTS. Exit 77 is a skip (not root, no namespaces), recorded as such.
suite() {
  local name=$1 code
  shift
  log "== $name"
  "$@" | tee -a "$RESULTS"
  code=${PIPESTATUS[0]}
  if ((code == 77)); then
    emit "${name}_skipped" 1 flag "reason=see stderr (needs root and network namespaces)" | tee -a "$RESULTS"
  elif ((code != 0)); then
    FAILED+=("$name (exit $code)")
  fi
}

for s in ${BENCH_ONLY:-probe rtt ingest stats export traceroute serve}; do
  case $s in
    probe) suite probe bash "$SRC/probe.bash" "$PK" "$RESPONDER" "$TOOLS" ;;
    rtt) suite rtt bash "$SRC/rtt.bash" "$PK" "$RESPONDER" ;;
    ingest) suite ingest bash "$SRC/ingest.bash" "$PK_INGEST" "$TOOLS" "$ROOT/schema/001_init.sql" ;;
    stats) suite stats bash "$SRC/stats.bash" "$PK" "$TOOLS" ;;
    export) suite export bash "$SRC/export.bash" "$PK" "$TOOLS" ;;
    traceroute) suite traceroute bash "$SRC/traceroute.bash" "$PK" "$RESPONDER" "$TOOLS" ;;
    serve) suite serve bash "$SRC/serve.bash" "$PK" "$RESPONDER" "$PK_WS_LOAD" ;;
    *) echo "run.sh: unknown benchmark $s (probe, rtt, ingest, stats, export, traceroute, serve)" >&2; exit 2 ;;
  esac
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
emit bench_wall_s "$(calc "$(date +%s.%N) - $START")" s "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "nproc=$(nproc)" "cpu=$cpu" "kernel=$(uname -r)" "commit=$commit" "worktree_modified=$dirty" \
  "sqlite=$(sqlite3 --version 2>/dev/null | cut -d' ' -f1)" "fping=$(fping -v 2>&1 | grep -Eo '[0-9][0-9.]+' | head -n 1)" \
  "iputils=$(ping -V 2>&1 | grep -Eo '[0-9]{8}' | head -n 1)" "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" |
  tee -a "$RESULTS"

if [[ -n ${BENCH_OUT:-} ]]; then
  cp -- "$RESULTS" "$BENCH_OUT"
fi

{
  echo
  echo "figure                                                value          unit"
  sed -E 's/^\{"name":"([^"]*)","value":("[^"]*"|[^,]*),"unit":"([^"]*)".*/\1 \2 \3/' "$RESULTS" |
    awk '{printf "%-52s %14s  %s\n", $1, $2, $3}'
} >&2

if ((${#FAILED[@]} > 0)); then
  echo "run.sh: failed: ${FAILED[*]}" >&2
  exit 1
fi
exit 0
