# Benchmark 3: the writer's ingest ceiling. The same N synthetic rows
# (rows.h: 1,000 targets at 1 Hz, interleaved as the collector stores them)
# go into the same samples table, in batches of BATCH rows per transaction:
#   C ceiling:   pk_bench_ingest_c, a plain C loop on libsqlite3: WAL,
#                synchronous=NORMAL, one prepared INSERT, BEGIN/COMMIT per
#                batch; the table is the CREATE TABLE samples statement of
#                schema/001_init.sql, extracted here;
#   pingkeeper:  pk_bench_ingest batch: store::samples::insert_batch per batch,
#                on a database made by store::Database::open (all migrations);
#   Writer:      pk_bench_ingest writer: collect::Writer::add() for every row,
#                then stop(): the collector's own path. The writer commits
#                whatever is pending when it wakes, so its batches grow when
#                the producer outruns the disk; after each writer run the C
#                loop runs again with that run's mean transaction size, and
#                the like-for-like ratio is the median of these pairs.
# N = BENCH_INGEST_ROWS (default 500,000), BATCH = BENCH_INGEST_BATCH (5,000).
# Each program runs BENCH_INGEST_REPS times (default 3), alternating which
# goes first; the figure is the best run (a ceiling: the run with the least
# interference from a shared machine and disk is the closest to it).
#
#   bash tests/bench/ingest.bash PK_BENCH_INGEST TOOLS_DIR SCHEMA_SQL
#
# TOOLS_DIR holds pk_bench_ingest_c (built by run.sh). The databases live in
# a temp directory under $TMPDIR (default /tmp), removed at exit. Prints
# JSON lines (common.bash emit) on stdout.

set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_SRC/common.bash"

if [[ $# -ne 3 ]]; then
  echo "usage: bash $0 PK_BENCH_INGEST TOOLS_DIR SCHEMA_SQL" >&2
  exit 2
fi
PK_INGEST=$(realpath -- "$1")
C_INGEST=$(realpath -- "$2")/pk_bench_ingest_c
SCHEMA=$(realpath -- "$3")
ROWS=${BENCH_INGEST_ROWS:-500000}
BATCH=${BENCH_INGEST_BATCH:-5000}
REPS=${BENCH_INGEST_REPS:-3}
for f in "$PK_INGEST" "$C_INGEST"; do
  [[ -x $f ]] || { echo "ingest.bash: $f is not an executable" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-bench-ingest.XXXXXX") || exit 2
trap 'rm -rf -- "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

sed -n '/^CREATE TABLE samples (/,/;/p' "$SCHEMA" >"$TMP/samples.sql"
if ! grep -q 'WITHOUT ROWID;' "$TMP/samples.sql"; then
  echo "ingest.bash: cannot find CREATE TABLE samples ... ; in $SCHEMA" >&2
  exit 1
fi
FS=$(df -PT "$TMP" | awk 'NR == 2 {print $2}')

# one NAME CMD...: runs an ingest program on a fresh database, prints its JSON.
one() {
  local name=$1
  shift
  rm -f "$TMP"/*.db "$TMP"/*.db-wal "$TMP"/*.db-shm
  if ! timeout -k 5 300 "$@" >"$TMP/$name.json" 2>"$TMP/$name.err"; then
    echo "ingest.bash: $* failed: $(head -c 300 "$TMP/$name.err")" >&2
    exit 1
  fi
  cat "$TMP/$name.json"
}

declare -A BEST=() ALL=() CPU=() BATCHES=()
record() {
  local key=$1 file=$2 r
  r=$(json_get "$file" rows_per_s)
  ALL[$key]+=" $r"
  if [[ -z ${BEST[$key]:-} ]] || awk -v a="$r" -v b="${BEST[$key]}" 'BEGIN {exit !(a > b)}'; then
    BEST[$key]=$r
    CPU[$key]=$(json_get "$file" cpu_s)
    BATCHES[$key]=$(json_get "$file" batches)
  fi
}

run_c() {
  log "ingest: round $rep/$REPS: C loop, $ROWS rows, batch $BATCH"
  one c "$C_INGEST" "$TMP/c.db" "$TMP/samples.sql" "$ROWS" "$BATCH" >&2
  record c "$TMP/c.json"
}
run_pk() {
  log "ingest: round $rep/$REPS: store::samples::insert_batch"
  one batch "$PK_INGEST" batch "$TMP/pk.db" "$ROWS" "$BATCH" >&2
  record batch "$TMP/batch.json"
  log "ingest: round $rep/$REPS: collect::Writer"
  one writer "$PK_INGEST" writer "$TMP/pk.db" "$ROWS" "$BATCH" >&2
  record writer "$TMP/writer.json"
  # The C loop again, right away, with this writer run's mean transaction size.
  local n
  n=$(json_get "$TMP/writer.json" batches)
  MEAN_BATCHES+=" $(((ROWS + n - 1) / n))"
  log "ingest: round $rep/$REPS: C loop with the writer's mean batch, $(((ROWS + n - 1) / n)) rows"
  one cw "$C_INGEST" "$TMP/c.db" "$TMP/samples.sql" "$ROWS" "$(((ROWS + n - 1) / n))" >&2
  record cw "$TMP/cw.json"
  PAIRED+=" $(calc "100 * $(json_get "$TMP/writer.json" rows_per_s) / $(json_get "$TMP/cw.json" rows_per_s)")"
}
MEAN_BATCHES=""
PAIRED=""
# Alternating which goes first, so neither always meets a cold (or warm) disk.
for ((rep = 1; rep <= REPS; rep++)); do
  if ((rep % 2)); then
    run_c
    run_pk
  else
    run_pk
    run_c
  fi
done

mean_batch=$(( (ROWS + BATCHES[writer] - 1) / BATCHES[writer] ))

common=("rows=$ROWS" "filesystem=$FS" "journal=WAL" "synchronous=NORMAL")
best=("reps=$REPS" "stat=best")
emit ingest_c_rows_per_s "${BEST[c]}" rows/s "${common[@]}" "${best[@]}" "batch=$BATCH" "per_rep=${ALL[c]# }" \
  "cpu_s=${CPU[c]}" "command=pk_bench_ingest_c DB samples.sql $ROWS $BATCH"
emit ingest_pingkeeper_insert_batch_rows_per_s "${BEST[batch]}" rows/s "${common[@]}" "${best[@]}" "batch=$BATCH" \
  "per_rep=${ALL[batch]# }" "cpu_s=${CPU[batch]}" "command=pk_bench_ingest batch DB $ROWS $BATCH"
ratio=$(calc "100 * ${BEST[batch]} / ${BEST[c]}")
emit ingest_insert_batch_pct_of_c "$ratio" % "batch=$BATCH" "goal_min=80" \
  "met=$(awk -v r="$ratio" 'BEGIN {print (r >= 80) ? "true" : "false"}')"
emit ingest_pingkeeper_writer_rows_per_s "${BEST[writer]}" rows/s "${common[@]}" "${best[@]}" "flush_samples=$BATCH" \
  "transactions=${BATCHES[writer]}" "mean_batch=$mean_batch" "per_rep=${ALL[writer]# }" "cpu_s=${CPU[writer]}" \
  "command=pk_bench_ingest writer DB $ROWS $BATCH"
emit ingest_c_writer_batch_rows_per_s "${BEST[cw]}" rows/s "${common[@]}" "${best[@]}" \
  "batch_per_rep=${MEAN_BATCHES# }" "per_rep=${ALL[cw]# }" "cpu_s=${CPU[cw]}" \
  "command=pk_bench_ingest_c DB samples.sql $ROWS MEAN_BATCH_OF_THE_WRITER_RUN_BEFORE"
# shellcheck disable=SC2086  # PAIRED is a space-separated list
ratio=$(median $PAIRED)
emit ingest_writer_pct_of_c_same_batch "$ratio" % "stat=median of the paired runs" "paired_per_rep=${PAIRED# }" \
  "batch_per_rep=${MEAN_BATCHES# }" "goal_min=80" \
  "met=$(awk -v r="$ratio" 'BEGIN {print (r >= 80) ? "true" : "false"}')" \
  "best_over_best=$(calc "100 * ${BEST[writer]} / ${BEST[cw]}")"
emit "ingest_writer_pct_of_c_batch_$BATCH" "$(calc "100 * ${BEST[writer]} / ${BEST[c]}")" % \
  "note=the writer's transactions are larger than $BATCH rows (mean $mean_batch), so this flatters it"
exit 0
