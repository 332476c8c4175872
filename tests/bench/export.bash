# Benchmark 5: exports of about a million raw samples, side by side in one run.
#   data:  `pingkeeper demo --targets 12 --days 1 --interval 1s` (1,036,800
#          samples; paused .invalid targets, never probed); every export
#          covers all of them: [SINCE, UNTIL) from the first sample's second
#          to the second after the last one.
#   csv:   `pingkeeper --utc export --format csv --resolution raw --since
#          SINCE --until UNTIL` to stdout (redirected to a file) against the
#          sqlite3 shell (`sqlite3 -csv -header -newline $'\r\n' DB
#          SELECT`: CRLF like RFC 4180, to a file the same way) printing the
#          same rows and columns: target, host, the time as ISO 8601 with
#          +00:00 (strftime), rtt_ms (printf %.3f, empty when lost), status
#          as text (CASE), ttl (goal: pingkeeper at least as fast); and
#          pingkeeper with -o FILE (temp file, fsync, rename);
#   xlsx:  `pingkeeper --utc export --format xlsx --resolution raw ... -o
#          FILE` against openpyxl_write.py (openpyxl write_only, Debian's
#          python3-openpyxl under /usr/bin/python3) writing the same rows
#          from the same database with Python's sqlite3 (goal: pingkeeper
#          >= 5x faster, peak RSS < 100 MB); and openpyxl_write.py
#          --read-only, the peer's read and row building without the
#          workbook, so that what openpyxl itself costs is known; and
#          pingkeeper's workbook at --resolution 1d, so that what its other
#          sheets (Summary, Charts, Downtime, Hourly, Daily) cost is known.
# Every command runs under pk_rusage (wall, user + sys CPU, peak RSS),
# BENCH_EXPORT_REPS times (default 3) in alternating order after one warm-up
# run of each (the database fits in the page cache: warm figures); the
# figures are medians. Outputs are checked: each CSV has one line per sample
# (pingkeeper's stdout and -o the same bytes; whether the sqlite3 shell's are
# too is recorded), each workbook's Samples sheets one row per sample, and
# the first data row of both workbooks is recorded.
#
#   bash tests/bench/export.bash PINGKEEPER TOOLS_DIR
#
# TOOLS_DIR holds pk_rusage (built by run.sh). The database and outputs
# (about 320 MB) live in a temp directory under $TMPDIR (default /tmp),
# removed at exit. Prints JSON lines (common.bash emit) on stdout.

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
REPS=${BENCH_EXPORT_REPS:-3}
TARGETS=${BENCH_EXPORT_TARGETS:-12}
PY=/usr/bin/python3 # Debian's, which has python3-openpyxl
PEER=$BENCH_SRC/openpyxl_write.py
for f in "$PK" "$RUSAGE" "$PY"; do
  [[ -x $f ]] || { echo "export.bash: $f is not an executable" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "export.bash: needs sqlite3" >&2; exit 2; }
"$PY" -c 'import openpyxl' 2>/dev/null || { echo "export.bash: needs python3-openpyxl for $PY" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-bench-export.XXXXXX") || exit 2
trap 'rm -rf -- "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
FS=$(df -PT "$TMP" | awk 'NR == 2 {print $2}')

q() { sqlite3 "$DB" "$1"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b) ? "true" : "false"}'; }
# figures NAME: FIG = emit arguments for NAME: rounds, every round's wall, median CPU and RSS.
figures() { FIG=("reps=$REPS" "stat=median" "per_rep=$(list W "$1")" "cpu_s=$(med C "$1")" "peak_rss_kb=$(med M "$1")"); }

# --- data ------------------------------------------------------------------------
DB=$TMP/export.db
log "export: demo: $TARGETS targets x 1 day at 1 s"
measure demo "$PK" --db "$DB" --json demo --targets "$TARGETS" --days 1 --interval 1s
SINCE_US=$(q "SELECT min(ts) / 1000000 * 1000000 FROM samples")
UNTIL_US=$(q "SELECT (max(ts) / 1000000 + 1) * 1000000 FROM samples")
iso() { date -u -d "@$(($1 / 1000000))" +%Y-%m-%dT%H:%M:%SZ; }
SINCE=$(iso "$SINCE_US")
UNTIL=$(iso "$UNTIL_US")
SAMPLES=$(q "SELECT count(*) FROM samples WHERE ts >= $SINCE_US AND ts < $UNTIL_US")
STATUSES=$(q "SELECT group_concat(status || ':' || n, ' ') FROM (SELECT status, count(*) AS n FROM samples GROUP BY status)")
log "export: $SAMPLES samples from $SINCE to $UNTIL (status:count $STATUSES)"
RANGE=(--since "$SINCE" --until "$UNTIL")

# The sqlite3 shell's CSV of the rows `pingkeeper --utc export --format csv
# --resolution raw` writes (report/csv.hpp): the fraction of a second only
# when there is one, as util::format_iso_offset prints it.
CSV_SQL="SELECT t.name AS target, t.host AS host,
  strftime('%Y-%m-%dT%H:%M:%S', s.ts / 1000000, 'unixepoch')
    || CASE WHEN s.ts % 1000000 != 0 THEN printf('.%06d', s.ts % 1000000) ELSE '' END || '+00:00' AS time,
  CASE WHEN s.rtt_us IS NOT NULL THEN printf('%.3f', s.rtt_us / 1000.0) END AS rtt_ms,
  CASE s.status WHEN 0 THEN 'ok' WHEN 1 THEN 'timeout' WHEN 2 THEN 'unreachable' WHEN 3 THEN 'ttl_exceeded'
    WHEN 4 THEN 'refused' WHEN 5 THEN 'resolve_error' WHEN 6 THEN 'send_error' END AS status,
  s.ttl AS ttl
FROM samples AS s JOIN targets AS t ON t.id = s.target_id
WHERE s.ts >= $SINCE_US AND s.ts < $UNTIL_US ORDER BY s.target_id, s.ts"

run_pk_csv() { measure pk_csv "$PK" --db "$DB" --utc export --format csv --resolution raw "${RANGE[@]}"; }
run_pk_csv_file() {
  rm -f "$TMP/pk_file.csv"
  measure pk_csv_file "$PK" --db "$DB" --utc export --format csv --resolution raw "${RANGE[@]}" -o "$TMP/pk_file.csv"
}
run_sql_csv() { measure sql_csv sqlite3 -csv -header -newline $'\r\n' "$DB" "$CSV_SQL"; }
run_pk_xlsx() {
  rm -f "$TMP/pk.xlsx"
  measure pk_xlsx "$PK" --db "$DB" --utc export --format xlsx --resolution raw "${RANGE[@]}" -o "$TMP/pk.xlsx"
}
run_pk_xlsx_1d() {
  rm -f "$TMP/pk_1d.xlsx"
  measure pk_xlsx_1d "$PK" --db "$DB" --utc export --format xlsx --resolution 1d "${RANGE[@]}" -o "$TMP/pk_1d.xlsx"
}
run_py_xlsx() {
  rm -f "$TMP/py.xlsx"
  measure py_xlsx "$PY" "$PEER" "$DB" "$SINCE_US" "$UNTIL_US" "$TMP/py.xlsx"
}
run_py_read() { measure py_read "$PY" "$PEER" "$DB" "$SINCE_US" "$UNTIL_US" --read-only; }
ALL=(pk_csv pk_csv_file sql_csv pk_xlsx pk_xlsx_1d py_xlsx py_read)

cat "$DB" >/dev/null
log "export: warm-up"
for name in "${ALL[@]}"; do
  "run_$name"
done
for name in "${ALL[@]}"; do
  unset "W_$name" "C_$name" "M_$name"
done
for ((rep = 1; rep <= REPS; rep++)); do
  log "export: round $rep/$REPS: ${ALL[*]} (reversed in even rounds)"
  if ((rep % 2)); then
    order=("${ALL[@]}")
  else
    order=()
    for ((i = ${#ALL[@]} - 1; i >= 0; i--)); do
      order+=("${ALL[i]}")
    done
  fi
  for name in "${order[@]}"; do
    "run_$name"
  done
done

# --- checks: the same rows ---------------------------------------------------------
lines() { wc -l <"$1"; }
csv_rows=$(($(lines "$TMP/pk_csv.out") - 1))
sql_rows=$(($(lines "$TMP/sql_csv.out") - 1))
if [[ $csv_rows != "$SAMPLES" || $sql_rows != "$SAMPLES" ]]; then
  echo "export.bash: CSV rows: pingkeeper $csv_rows, sqlite3 $sql_rows, samples $SAMPLES" >&2
  exit 1
fi
if ! cmp -s "$TMP/pk_csv.out" "$TMP/pk_file.csv"; then
  echo "export.bash: the CSV on stdout and the one written with -o differ" >&2
  exit 1
fi
if cmp -s "$TMP/pk_csv.out" "$TMP/sql_csv.out"; then
  csv_same=true
else
  csv_same=false
  log "export: the two CSVs differ: $(diff "$TMP/pk_csv.out" "$TMP/sql_csv.out" | head -n 4 | tr '\r\n' '  ')"
fi
# xlsx_check FILE: "SHEET=ROWS ..." for every sheet named Samples* (rows with
# a cell, header included), then the first data row of "Samples" as JSON
# (dates as Excel serial numbers). Reads the XML itself: openpyxl's
# read-only mode scans a whole sheet without a <dimension> (openpyxl's own).
xlsx_check() {
  "$PY" - "$1" <<'EOF'
import json, sys, zipfile
import xml.etree.ElementTree as ET
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
z = zipfile.ZipFile(sys.argv[1])
rels = {r.get("Id"): r.get("Target").lstrip("/") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
sheets = {s.get("name"): rels[s.get(R)] for s in ET.fromstring(z.read("xl/workbook.xml")).iter(NS + "sheet")}
member = lambda t: t if t.startswith("xl/") else "xl/" + t
counts = []
for name, target in sheets.items():
    if name.startswith("Samples"):
        n, tail = 0, b""
        with z.open(member(target)) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                n += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]
        counts.append(f"{name}={n}")
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    shared = ["".join(t.text or "" for t in si.iter(NS + "t")) for si in ET.fromstring(z.read("xl/sharedStrings.xml"))]
def value(c):
    kind, v = c.get("t", "n"), c.find(NS + "v")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(NS + "t"))
    if v is None:
        return None
    return shared[int(v.text)] if kind == "s" else v.text if kind == "str" else float(v.text)
first = None
with z.open(member(sheets["Samples"])) as f:
    for _, row in ET.iterparse(f):
        if row.tag == NS + "row" and row.get("r") == "2":
            first = [value(c) for c in row.iter(NS + "c")]
            break
print(" ".join(counts))
print(json.dumps(first))
EOF
}
mapfile -t pk_check < <(xlsx_check "$TMP/pk.xlsx")
mapfile -t py_check < <(xlsx_check "$TMP/py.xlsx")
sheet_rows() { echo "$1" | tr ' ' '\n' | awk -F= '{n += $2 - 1} END {print n}'; }
pk_xlsx_rows=$(sheet_rows "${pk_check[0]}")
py_xlsx_rows=$(sheet_rows "${py_check[0]}")
if [[ $pk_xlsx_rows != "$SAMPLES" || $py_xlsx_rows != "$SAMPLES" ]]; then
  echo "export.bash: XLSX data rows: pingkeeper $pk_xlsx_rows (${pk_check[0]}), openpyxl $py_xlsx_rows, samples $SAMPLES" >&2
  exit 1
fi
log "export: first data row: pingkeeper ${pk_check[1]}, openpyxl ${py_check[1]}"
first_same=$([[ ${pk_check[1]} == "${py_check[1]}" ]] && echo true || echo false)

# --- figures -------------------------------------------------------------------------
size() { stat -c %s "$1"; }
common=("samples=$SAMPLES" "targets=$TARGETS" "since=$SINCE" "until=$UNTIL" "cache=warm" "filesystem=$FS")
emit "export_demo_${TARGETS}x1d_1s_wall_s" "$(med W demo)" s "samples=$SAMPLES" "reps=1" "cpu_s=$(med C demo)" \
  "peak_rss_kb=$(med M demo)" "statuses=$STATUSES" \
  "command=pingkeeper --json demo --targets $TARGETS --days 1 --interval 1s"

figures pk_csv
emit export_csv_pingkeeper_wall_s "$(med W pk_csv)" s "${common[@]}" "${FIG[@]}" "rows=$csv_rows" \
  "bytes=$(size "$TMP/pk_csv.out")" "output=stdout redirected to a file" \
  "command=pingkeeper --utc export --format csv --resolution raw --since $SINCE --until $UNTIL >FILE"
figures pk_csv_file
emit export_csv_pingkeeper_o_file_wall_s "$(med W pk_csv_file)" s "${common[@]}" "${FIG[@]}" \
  "rows=$csv_rows" "bytes=$(size "$TMP/pk_file.csv")" "output=-o FILE (temp file, rename)" \
  "command=pingkeeper --utc export --format csv --resolution raw --since $SINCE --until $UNTIL -o FILE"
figures sql_csv
emit export_csv_sqlite3_wall_s "$(med W sql_csv)" s "${common[@]}" "${FIG[@]}" "rows=$sql_rows" \
  "bytes=$(size "$TMP/sql_csv.out")" "output=stdout redirected to a file" "same_bytes_as_pingkeeper=$csv_same" \
  "command=sqlite3 -csv -header -newline \$'\\r\\n' DB \"$(echo "$CSV_SQL" | tr -s ' \n' ' ')\" >FILE"
ratio=$(calc "$(med W sql_csv) / $(med W pk_csv)")
emit export_csv_speedup_vs_sqlite3 "$ratio" x "stat=ratio of median walls (both to stdout)" \
  "cpu_ratio=$(calc "$(med C sql_csv) / $(med C pk_csv)")" \
  "o_file_ratio=$(calc "$(med W sql_csv) / $(med W pk_csv_file)")" "goal_min=1" "met=$(ge "$ratio" 1)"

figures pk_xlsx
emit export_xlsx_pingkeeper_wall_s "$(med W pk_xlsx)" s "${common[@]}" "${FIG[@]}" "rows=$pk_xlsx_rows" \
  "sheets=${pk_check[0]}" "bytes=$(size "$TMP/pk.xlsx")" "first_row=${pk_check[1]}" \
  "note=the workbook also has Summary, Downtime, Hourly and Daily sheets and charts" \
  "command=pingkeeper --utc export --format xlsx --resolution raw --since $SINCE --until $UNTIL -o FILE"
figures pk_xlsx_1d
emit export_xlsx_pingkeeper_1d_wall_s "$(med W pk_xlsx_1d)" s "${common[@]}" "${FIG[@]}" \
  "bytes=$(size "$TMP/pk_1d.xlsx")" "rows=$(grep -Eo 'wrote [0-9]+' "$TMP/pk_xlsx_1d.out" | grep -Eo '[0-9]+')" \
  "note=the same workbook with one Samples row per target and UTC day: what the other sheets cost" \
  "command=pingkeeper --utc export --format xlsx --resolution 1d --since $SINCE --until $UNTIL -o FILE"
figures py_xlsx
emit export_xlsx_openpyxl_wall_s "$(med W py_xlsx)" s "${common[@]}" "${FIG[@]}" "rows=$py_xlsx_rows" \
  "sheets=${py_check[0]}" "bytes=$(size "$TMP/py.xlsx")" "first_row=${py_check[1]}" \
  "same_first_row=$first_same" "versions=$(cat "$TMP/py_xlsx.out")" \
  "command=/usr/bin/python3 tests/bench/openpyxl_write.py DB $SINCE_US $UNTIL_US FILE"
figures py_read
emit export_xlsx_openpyxl_read_only_wall_s "$(med W py_read)" s "${common[@]}" "${FIG[@]}" \
  "note=the peer's sqlite3 read and row tuples, no workbook" \
  "command=/usr/bin/python3 tests/bench/openpyxl_write.py DB $SINCE_US $UNTIL_US --read-only"
ratio=$(calc "$(med W py_xlsx) / $(med W pk_xlsx)")
emit export_xlsx_speedup_vs_openpyxl "$ratio" x "stat=ratio of median walls (openpyxl read + write / pingkeeper)" \
  "cpu_ratio=$(calc "$(med C py_xlsx) / $(med C pk_xlsx)")" "goal_min=5" "met=$(ge "$ratio" 5)"
write_w=$(calc "$(med W py_xlsx) - $(med W py_read)")
write_c=$(calc "$(med C py_xlsx) - $(med C py_read)")
emit export_xlsx_speedup_vs_openpyxl_write_part "$(calc "$write_w / $(med W pk_xlsx)")" x \
  "stat=(median openpyxl wall - median read-only wall) / median pingkeeper wall" \
  "openpyxl_write_part_wall_s=$write_w" "openpyxl_write_part_cpu_s=$write_c" \
  "cpu_ratio=$(calc "$write_c / $(med C pk_xlsx)")" \
  "note=pingkeeper's figure includes its own reading of the database; this ratio charges only openpyxl's part to the peer"
rss=$(med M pk_xlsx)
emit export_xlsx_pingkeeper_peak_rss_kb "$rss" kB "goal_max_kb=97656" "goal=below 100 MB (10^8 bytes)" \
  "met=$(awk -v r="$rss" 'BEGIN {print (r < 97656) ? "true" : "false"}')" "per_rep=$(list M pk_xlsx)"
exit 0
