# Benchmark 4: analytics over a month of history, side by side in one run.
#   demo:     `pingkeeper demo --targets 1 --days 30 --interval 1s` (2.6M
#             samples written through collect::Writer, rollups built), into
#             a fresh database, BENCH_DEMO_REPS times (default 3);
#   stats:    `pingkeeper --json stats demo-01 --since SINCE` (SINCE = the
#             demo's first sample slot, so every sample counts) against the
#             sqlite3 shell on the same rows:
#               scan: SELECT count(*), count(rtt_us), min(rtt_us),
#                     avg(rtt_us), max(rtt_us) FROM samples WHERE target_id
#                     = ID AND ts >= SINCE            (goal: stats >= 10x faster)
#               sort: the exact p95 by ORDER BY rtt_us LIMIT 1 OFFSET
#                     floor(0.95 (n - 1))             (goal: stats >= 100x faster)
#             and the p50 / p95 / p99 error of stats against the exact
#             ranks (goal: p95 within 1 %);
#   many:     `pingkeeper --json stats --since SINCE` over 100 targets x 30
#             days at 60 s (4.3M samples; 43,200 a target, so stats reads raw
#             for exact percentiles), and with --source rollup, with a
#             GROUP BY scan as reference; and the demo and rollup pass there;
#   bytes:    bytes per sample and per row of each tier (dbstat: the pages of
#             samples, rollup_1m, rollup_1h, rollup_1d);
#   rollup:   `pingkeeper maintain --rebuild-rollups` on the 1 s database:
#             raw samples rolled up per second of wall time.
# Every command runs under pk_rusage (wall, user + sys CPU, peak RSS),
# BENCH_STATS_REPS times (default 5) in alternation after one warm-up run of
# each (the databases fit in the page cache: these are warm figures); the
# figures are medians.
#
#   bash tests/bench/stats.bash PINGKEEPER TOOLS_DIR
#
# TOOLS_DIR holds pk_rusage (built by run.sh). The databases live in a temp
# directory under $TMPDIR (default /tmp), removed at exit; they take about
# 250 MB. Prints JSON lines (common.bash emit) on stdout. Sends no packet:
# demo targets are paused.

set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.bash
source "$BENCH_SRC/common.bash"

if [[ $# -ne 2 ]]; then
  echo "usage: bash $0 PINGKEEPER TOOLS_DIR" >&2
  exit 2
fi
PK=$(realpath -- "$1")
RUSAGE=$(realpath -- "$2")/pk_rusage
REPS=${BENCH_STATS_REPS:-5}
DEMO_REPS=${BENCH_DEMO_REPS:-3}
DAYS=${BENCH_STATS_DAYS:-30}
MANY=${BENCH_STATS_MANY_TARGETS:-100}
for f in "$PK" "$RUSAGE"; do
  [[ -x $f ]] || { echo "stats.bash: $f is not an executable" >&2; exit 2; }
done
for tool in sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "stats.bash: needs $tool" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-bench-stats.XXXXXX") || exit 2
trap 'rm -rf -- "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
FS=$(df -PT "$TMP" | awk 'NR == 2 {print $2}')

MEASURE_TIMEOUT=600
# py EXPR FILE: EXPR over d = the JSON document in FILE.
py() { python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$2"; }
q() { sqlite3 "$DB" "$1"; }

# --- 1. demo: one target, 30 days at 1 s ------------------------------------
DB=$TMP/one.db
for ((rep = 1; rep <= DEMO_REPS; rep++)); do
  log "stats: demo round $rep/$DEMO_REPS: 1 target x $DAYS days at 1 s"
  rm -f "$TMP"/one.db*
  measure demo "$PK" --db "$DB" --json demo --targets 1 --days "$DAYS" --interval 1s
done
SAMPLES=$(py 'd["samples"]' "$TMP/demo.out")
SINCE=$(py 'd["since"]' "$TMP/demo.out")
ID=$(q "SELECT id FROM targets WHERE name = 'demo-01'")
SINCE_US=$(q "SELECT min(ts) / 1000000 * 1000000 FROM samples WHERE target_id = $ID")
ROWS="FROM samples WHERE target_id = $ID AND ts >= $SINCE_US"
demo_wall=$(med W demo)
emit "demo_1x${DAYS}d_1s_wall_s" "$demo_wall" s "samples=$SAMPLES" "reps=$DEMO_REPS" "stat=median" \
  "per_rep=$(list W demo)" "cpu_s=$(med C demo)" "peak_rss_kb=$(med M demo)" "filesystem=$FS" \
  "samples_per_s=$(calc "$SAMPLES / $demo_wall")" "goal_max=60" \
  "met=$(awk -v w="$demo_wall" 'BEGIN {print (w < 60) ? "true" : "false"}')" \
  "command=pingkeeper --json demo --targets 1 --days $DAYS --interval 1s (fresh database)"

# --- 2. stats vs one SQL scan vs an exact p95 by sort -------------------------
SCAN="SELECT count(*), count(rtt_us), min(rtt_us), avg(rtt_us), max(rtt_us) $ROWS"
# rank(q) = floor(q (n - 1)), 0-based, as analyze::Sketch::quantile defines it.
rank_sql() { echo "SELECT rtt_us $ROWS AND rtt_us IS NOT NULL ORDER BY rtt_us LIMIT 1 OFFSET (SELECT (count(rtt_us) - 1) * $1 / 100 $ROWS)"; }
SORT=$(rank_sql 95)
cat "$DB" >/dev/null
run_stats() { measure stats "$PK" --db "$DB" --json stats demo-01 --since "$SINCE"; }
run_scan() { measure scan sqlite3 "$DB" "$SCAN"; }
run_sort() { measure sort sqlite3 "$DB" "$SORT"; }
log "stats: warm-up"
run_stats
run_scan
run_sort
unset W_stats C_stats M_stats W_scan C_scan M_scan W_sort C_sort M_sort
for ((rep = 1; rep <= REPS; rep++)); do
  log "stats: round $rep/$REPS: stats, SQL scan, SQL sort"
  if ((rep % 2)); then
    run_stats
    run_scan
    run_sort
  else
    run_sort
    run_scan
    run_stats
  fi
done
IFS='|' read -r n_sent n_received sql_min sql_avg sql_max <"$TMP/scan.out"
exact_p95=$(<"$TMP/sort.out")
exact_p50=$(q "$(rank_sql 50)")
exact_p99=$(q "$(rank_sql 99)")
stats_json=$TMP/stats.out
st_sent=$(py 'd[0]["sent"]' "$stats_json")
st_received=$(py 'd[0]["received"]' "$stats_json")
st_source=$(py 'd[0]["source"]' "$stats_json")
st_p50=$(py 'd[0]["median_ms"] * 1000' "$stats_json")
st_p95=$(py 'd[0]["p95_ms"] * 1000' "$stats_json")
st_p99=$(py 'd[0]["p99_ms"] * 1000' "$stats_json")
if [[ $st_sent != "$n_sent" || $st_received != "$n_received" ]]; then
  echo "stats.bash: stats counted $st_sent sent / $st_received received, SQL $n_sent / $n_received" >&2
  exit 1
fi
err() { calc "100 * ($1 - $2) / $2"; }
abs() { awk -v x="$1" 'BEGIN {print (x < 0) ? -x : x}'; }
p95_err=$(err "$st_p95" "$exact_p95")
common=("samples=$n_sent" "target=demo-01" "since=$SINCE" "reps=$REPS" "stat=median" "cache=warm")
emit "stats_1x${DAYS}d_wall_s" "$(med W stats)" s "${common[@]}" "per_rep=$(list W stats)" \
  "cpu_s=$(med C stats)" "peak_rss_kb=$(med M stats)" "source=$st_source" \
  "command=pingkeeper --json stats demo-01 --since $SINCE"
emit "sql_scan_1x${DAYS}d_wall_s" "$(med W scan)" s "${common[@]}" "per_rep=$(list W scan)" \
  "cpu_s=$(med C scan)" "peak_rss_kb=$(med M scan)" "command=sqlite3 DB \"$SCAN\""
emit "sql_sort_p95_1x${DAYS}d_wall_s" "$(med W sort)" s "${common[@]}" "per_rep=$(list W sort)" \
  "cpu_s=$(med C sort)" "peak_rss_kb=$(med M sort)" "command=sqlite3 DB \"$SORT\""
ratio=$(calc "$(med W scan) / $(med W stats)")
emit stats_speedup_vs_sql_scan "$ratio" x "stat=ratio of median walls" \
  "cpu_ratio=$(calc "$(med C scan) / $(med C stats)")" "goal_min=10" \
  "met=$(awk -v r="$ratio" 'BEGIN {print (r >= 10) ? "true" : "false"}')"
ratio=$(calc "$(med W sort) / $(med W stats)")
emit stats_speedup_vs_sql_sort_p95 "$ratio" x "stat=ratio of median walls" \
  "cpu_ratio=$(calc "$(med C sort) / $(med C stats)")" "goal_min=100" \
  "met=$(awk -v r="$ratio" 'BEGIN {print (r >= 100) ? "true" : "false"}')"
emit stats_p95_error_pct "$p95_err" % "stats_p95_us=$st_p95" "exact_p95_us=$exact_p95" "goal_max_abs=1" \
  "met=$(awk -v e="$(abs "$p95_err")" 'BEGIN {print (e <= 1) ? "true" : "false"}')" "source=$st_source"
emit stats_p50_error_pct "$(err "$st_p50" "$exact_p50")" % "stats_p50_us=$st_p50" "exact_p50_us=$exact_p50"
emit stats_p99_error_pct "$(err "$st_p99" "$exact_p99")" % "stats_p99_us=$st_p99" "exact_p99_us=$exact_p99"
emit stats_avg_error_pct "$(err "$(py 'd[0]["avg_ms"] * 1000' "$stats_json")" "$sql_avg")" % \
  "sql_avg_us=$sql_avg" "sql_min_us=$sql_min" "sql_max_us=$sql_max"

# --- 3. rollup pass throughput ------------------------------------------------
unset W_rollup C_rollup M_rollup
for ((rep = 1; rep <= 3; rep++)); do
  log "stats: round $rep/3: maintain --rebuild-rollups ($SAMPLES samples)"
  measure rollup "$PK" --db "$DB" maintain --rebuild-rollups
done
emit rollup_rebuild_samples_per_s "$(calc "$SAMPLES / $(med W rollup)")" samples/s "samples=$SAMPLES" "reps=3" \
  "stat=median" "wall_per_rep=$(list W rollup)" "cpu_s=$(med C rollup)" "peak_rss_kb=$(med M rollup)" \
  "command=pingkeeper maintain --rebuild-rollups (1 target, $DAYS days at 1 s)"

# --- 4. bytes per sample and per row, per tier ----------------------------------
# bytes_per_tier LABEL: one line per table of $DB.
bytes_per_tier() {
  local label=$1 table rows bytes sent
  for table in samples rollup_1m rollup_1h rollup_1d; do
    bytes=$(q "SELECT sum(pgsize) FROM dbstat WHERE name = '$table'")
    rows=$(q "SELECT count(*) FROM $table")
    if [[ $table == samples ]]; then
      emit "bytes_per_sample_raw_$label" "$(calc "$bytes / $rows")" B "rows=$rows" "bytes=$bytes" \
        "note=sum(pgsize) of the table's b-tree pages (dbstat) / rows"
    else
      sent=$(q "SELECT sum(sent) FROM $table")
      emit "bytes_per_row_${table#rollup_}_$label" "$(calc "$bytes / $rows")" B "rows=$rows" "bytes=$bytes" \
        "samples_covered=$sent" "bytes_per_sample=$(calc "$bytes / $sent")"
    fi
  done
  emit "db_file_bytes_per_sample_$label" "$(calc "$(stat -c %s "$DB") / $(q 'SELECT count(*) FROM samples')")" B \
    "file_bytes=$(stat -c %s "$DB")" "note=the whole file (all tables, free pages) / raw samples"
}
bytes_per_tier 1s

# --- 5. stats over many targets ---------------------------------------------------
DB=$TMP/many.db
log "stats: demo: $MANY targets x $DAYS days at 60 s"
measure many_demo "$PK" --db "$DB" --json demo --targets "$MANY" --days "$DAYS" --interval 60s
MANY_SAMPLES=$(py 'd["samples"]' "$TMP/many_demo.out")
SINCE=$(py 'd["since"]' "$TMP/many_demo.out")
SINCE_US=$(q "SELECT min(ts) / 1000000 * 1000000 FROM samples")
GROUPED="SELECT target_id, count(*), count(rtt_us), min(rtt_us), avg(rtt_us), max(rtt_us) FROM samples
         WHERE ts >= $SINCE_US GROUP BY target_id"
cat "$DB" >/dev/null
run_many() { measure many "$PK" --db "$DB" --json stats --since "$SINCE"; }
run_many_rollup() { measure many_rollup "$PK" --db "$DB" --json stats --since "$SINCE" --source rollup; }
run_grouped() { measure grouped sqlite3 "$DB" "$GROUPED"; }
run_many
run_many_rollup
run_grouped
unset W_many C_many M_many W_many_rollup C_many_rollup M_many_rollup W_grouped C_grouped M_grouped
for ((rep = 1; rep <= REPS; rep++)); do
  log "stats: round $rep/$REPS: stats over $MANY targets (auto, rollup), SQL GROUP BY"
  if ((rep % 2)); then
    run_many
    run_many_rollup
    run_grouped
  else
    run_grouped
    run_many_rollup
    run_many
  fi
done
many_rows=$(py 'len(d)' "$TMP/many.out")
many_sent=$(py 'sum(t["sent"] for t in d)' "$TMP/many.out")
if [[ $many_rows != "$MANY" || $many_sent != "$(q "SELECT count(*) FROM samples WHERE ts >= $SINCE_US")" ]]; then
  echo "stats.bash: stats over $MANY targets gave $many_rows rows and $many_sent samples" >&2
  exit 1
fi
emit "demo_${MANY}x${DAYS}d_60s_wall_s" "$(med W many_demo)" s "samples=$MANY_SAMPLES" "reps=1" \
  "cpu_s=$(med C many_demo)" "peak_rss_kb=$(med M many_demo)" \
  "command=pingkeeper --json demo --targets $MANY --days $DAYS --interval 60s"
emit "stats_${MANY}x${DAYS}d_60s_wall_s" "$(med W many)" s "targets=$MANY" "samples=$many_sent" "reps=$REPS" \
  "stat=median" "per_rep=$(list W many)" "cpu_s=$(med C many)" "peak_rss_kb=$(med M many)" \
  "sources=$(py 'sorted({t["source"] for t in d})' "$TMP/many.out")" \
  "command=pingkeeper --json stats --since $SINCE"
emit "sql_grouped_scan_${MANY}x${DAYS}d_60s_wall_s" "$(med W grouped)" s "samples=$many_sent" "reps=$REPS" \
  "stat=median" "per_rep=$(list W grouped)" "cpu_s=$(med C grouped)" \
  "command=sqlite3 DB \"$(echo "$GROUPED" | tr -s ' \n' ' ')\""
emit stats_many_speedup_vs_sql_scan "$(calc "$(med W grouped) / $(med W many)")" x "stat=ratio of median walls" \
  "cpu_ratio=$(calc "$(med C grouped) / $(med C many)")"
emit "stats_${MANY}x${DAYS}d_60s_rollup_wall_s" "$(med W many_rollup)" s "targets=$MANY" "reps=$REPS" "stat=median" \
  "per_rep=$(list W many_rollup)" "cpu_s=$(med C many_rollup)" "peak_rss_kb=$(med M many_rollup)" \
  "sources=$(py 'sorted({t["source"] for t in d})' "$TMP/many_rollup.out")" \
  "speedup_vs_sql_scan=$(calc "$(med W grouped) / $(med W many_rollup)")" \
  "command=pingkeeper --json stats --since $SINCE --source rollup"
log "stats: maintain --rebuild-rollups ($MANY_SAMPLES samples at 60 s)"
measure many_rollup_pass "$PK" --db "$DB" maintain --rebuild-rollups
emit rollup_rebuild_samples_per_s_60s "$(calc "$MANY_SAMPLES / $(med W many_rollup_pass)")" samples/s \
  "samples=$MANY_SAMPLES" "targets=$MANY" "reps=1" "wall_s=$(med W many_rollup_pass)" \
  "cpu_s=$(med C many_rollup_pass)" "rows_1m=$(q 'SELECT count(*) FROM rollup_1m')" \
  "note=one sample per 1m row at 60 s: the pass is bound by rows written, not samples read" \
  "command=pingkeeper maintain --rebuild-rollups ($MANY targets, $DAYS days at 60 s)"
bytes_per_tier 60s
exit 0
