#!/usr/bin/env bash
# End-to-end: pingkeeper export ... --format csv: every CSV row parsed back and
# compared with the stored samples (target, host, time with the zone's offset,
# rtt, status, ttl), bucket rows against sums computed here, auto resolution,
# a job's windows, --bom, stdout vs -o, --force, the temp-and-rename rule
# (nothing left behind on failure), --json, and every error path.
# (The workbook itself is checked by export_xlsx.bash.)
# No probes are sent: `demo` makes paused .invalid targets with history.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

run_pk demo --targets 2 --days 1 --interval 1s
expect_code 0
SAMPLES=$(db_query "SELECT count(*) FROM samples")
expect_eq "demo samples" 172800 "$SAMPLES"

# csv_vs_db FILE [ZONE_NAME]: parses FILE (RFC 4180) and compares each data
# row with the stored samples in order (every sample exactly once); prints
# "ok ROWS" or the first difference.
csv_vs_db() {
  "$PK_PYTHON" - "$PINGKEEPER_DB" "$@" <<'PY'
import csv, sqlite3, sys
from datetime import datetime, timezone
db, path = sys.argv[1], sys.argv[2]
offset = sys.argv[3] if len(sys.argv) > 3 else None
status = {0: "ok", 1: "timeout", 2: "unreachable", 3: "ttl_exceeded", 4: "refused", 5: "resolve_error", 6: "send_error"}
want = sqlite3.connect(db).execute(
    "SELECT t.name, t.host, s.ts, s.rtt_us, s.status, s.ttl FROM samples s JOIN targets t ON t.id = s.target_id "
    "ORDER BY t.name, s.ts").fetchall()
with open(path, newline="", encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
if rows[0] != ["target", "host", "time", "rtt_ms", "status", "ttl"]:
    sys.exit(f"header {rows[0]}")
rows = rows[1:]
if len(rows) != len(want):
    sys.exit(f"{len(rows)} rows, {len(want)} samples")
epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
for i, (got, w) in enumerate(zip(rows, want)):
    name, host, ts, rtt, st, ttl = w
    t = datetime.fromisoformat(got[2])
    us = (t - epoch) // __import__("datetime").timedelta(microseconds=1)
    exp_rtt = "" if rtt is None else f"{rtt // 1000}.{rtt % 1000:03d}"
    exp = [name, host, ts, exp_rtt, status[st], "" if ttl is None else str(ttl)]
    have = [got[0], got[1], us, got[3], got[4], got[5]]
    if have != exp or (offset and not got[2].endswith(offset)):
        sys.exit(f"row {i + 1}: {got} != {exp}")
print("ok", len(rows))
PY
}

section "raw CSV to stdout: one row per sample, every field as stored"
run_pk --utc export --format csv --last 3d
expect_code 0
expect_stderr_empty
printf '%s\n' "$PK_OUT" >"$PK_TMP/utc.csv"
expect_eq "CSV vs samples (UTC)" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/utc.csv" "+00:00" 2>&1)"
expect_eq "CRLF line endings" "$((SAMPLES + 1))" "$(grep -c $'\r$' "$PK_TMP/stdout")"

section "times carry the display zone's offset; -o writes the same rows"
run_pk --tz Europe/Berlin export --last 3d -o "$PK_TMP/berlin.csv"
expect_code 0
expect_stdout_contains "wrote $SAMPLES rows of raw samples for 2 targets to $PK_TMP/berlin.csv"
expect_eq "CSV vs samples (Berlin, +01:00 in November)" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/berlin.csv" "+01:00" 2>&1)"
run_pk --tz America/New_York export --format csv --last 3d
printf '%s\n' "$PK_OUT" >"$PK_TMP/ny.csv"
expect_eq "CSV vs samples (New York)" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/ny.csv" "-05:00" 2>&1)"

section "--bom starts the file with a UTF-8 byte order mark"
run_pk --utc export --format csv --bom --last 3d -o "$PK_TMP/bom.csv"
expect_code 0
expect_eq "BOM" "efbbbf" "$(head -c 3 "$PK_TMP/bom.csv" | od -An -tx1 | tr -d ' \n')"
expect_eq "the rest equals the export without" "same" "$(cmp -s <(tail -c +4 "$PK_TMP/bom.csv") "$PK_TMP/utc.csv" && echo same)"

section "one target, a range: only its samples in [since, until)"
FIRST=$(db_query "SELECT min(ts) FROM samples WHERE target_id = 1")
SINCE=$(( (FIRST / 1000000 + 3600) ))
UNTIL=$((SINCE + 7200))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
run_pk --utc export demo-02 --format csv --since "$(iso $SINCE)" --until "$(iso $UNTIL)"
expect_code 0
WANT=$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id
                 WHERE t.name = 'demo-02' AND ts >= ${SINCE}000000 AND ts < ${UNTIL}000000")
expect_stdout_lines $((WANT + 1))
expect_eq "only demo-02" 0 "$(grep -c '^demo-01' "$PK_TMP/stdout")"

section "bucket resolutions: per-bucket counts and means equal the samples'"
# bucket_check FILE WIDTH_S: every row's sent, received and avg against the
# samples of that target and UTC bucket; the rows cover every sample.
bucket_check() {
  "$PK_PYTHON" - "$PINGKEEPER_DB" "$1" "$2" <<'PY'
import csv, sqlite3, sys
from datetime import datetime
db, path, width = sys.argv[1], sys.argv[2], int(sys.argv[3]) * 1_000_000
truth = {}
for name, b, sent, recv, avg in sqlite3.connect(db).execute(
        f"SELECT t.name, s.ts / {width} * {width}, count(*), count(s.rtt_us), avg(s.rtt_us) "
        "FROM samples s JOIN targets t ON t.id = s.target_id GROUP BY 1, 2"):
    truth[(name, b)] = (sent, recv, avg)
rows = list(csv.DictReader(open(path, newline="")))
seen = 0
for r in rows:
    b = int(datetime.fromisoformat(r["time"]).timestamp()) * 1_000_000
    sent, recv, avg = truth[(r["target"], b)]
    if (int(r["sent"]), int(r["received"])) != (sent, recv):
        sys.exit(f"{r['target']} {r['time']}: sent/received {r['sent']}/{r['received']} != {sent}/{recv}")
    if recv and abs(float(r["avg_ms"]) - avg / 1000) > 0.0011:
        sys.exit(f"{r['target']} {r['time']}: avg {r['avg_ms']} != {avg / 1000}")
    seen += 1
if seen != len(truth):
    sys.exit(f"{seen} rows for {len(truth)} buckets")
print("ok", seen)
PY
}
run_pk --utc export --format csv --resolution 1h --last 3d
expect_code 0
expect_stdout_contains "target,host,time,sent,received,loss_pct,min_ms,avg_ms,max_ms,stddev_ms,median_ms,p95_ms,p99_ms,jitter_ms"
printf '%s\n' "$PK_OUT" >"$PK_TMP/1h.csv"
HOURS=$(db_query "SELECT count(DISTINCT target_id || '/' || (ts / 3600000000)) FROM samples")
expect_eq "1h buckets" "ok $HOURS" "$(bucket_check "$PK_TMP/1h.csv" 3600 2>&1)"
run_pk --utc export --format csv --resolution 1m --last 3d -o "$PK_TMP/1m.csv"
MINUTES=$(db_query "SELECT count(DISTINCT target_id || '/' || (ts / 60000000)) FROM samples")
expect_eq "1m buckets" "ok $MINUTES" "$(bucket_check "$PK_TMP/1m.csv" 60 2>&1)"
run_pk --utc export --format csv --resolution 1d --last 3d -o "$PK_TMP/1d.csv"
DAYS=$(db_query "SELECT count(DISTINCT target_id || '/' || (ts / 86400000000)) FROM samples")
expect_eq "1d buckets" "ok $DAYS" "$(bucket_check "$PK_TMP/1d.csv" 86400 2>&1)"

section "--resolution auto (the default) is raw up to 1,000,000 rows"
run_pk --utc export --format csv --last 3d --json -o "$PK_TMP/auto.csv"
expect_code 0
expect_json 'd["resolution"]' raw
expect_json 'd["rows"]' "$SAMPLES"
expect_json 'd["format"]' csv
expect_json 'd["targets"]' 2
expect_json 'd["job"]' None
expect_eq "auto = raw" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/auto.csv" 2>&1)"

section "a job's export holds only the samples inside its windows, and says so"
run_pk job add biz --targets demo-01 --window 'mon-sun 09:00-12:00' --tz UTC --start 2020-01-01
expect_code 0
run_pk --utc export --job biz --format csv --last 3d
expect_code 0
expect_stderr_contains "job biz: only samples inside its windows are exported"
INSIDE=$(db_query "SELECT count(*) FROM samples WHERE target_id = 1
                   AND CAST(strftime('%H', ts / 1000000, 'unixepoch') AS INTEGER) BETWEEN 9 AND 11")
expect_stdout_lines $((INSIDE + 1))
expect_eq "every row inside 09:00-12:00 UTC" 0 \
  "$(tail -n +2 "$PK_TMP/stdout" | cut -d, -f3 | cut -c12-13 | grep -cv -E '^(09|10|11)$')"
expect_eq "only the job's target" 0 "$(grep -c '^demo-02' "$PK_TMP/stdout")"
run_pk --utc -q export --job biz --format csv --last 3d
expect_stderr_empty

section "an existing file needs --force; the file is replaced whole"
echo "keep me" >"$PK_TMP/exists.csv"
db_snapshot
run_pk export --format csv --last 3d -o "$PK_TMP/exists.csv"
expect_code 2
expect_stderr_contains "exists; add --force to overwrite it"
expect_eq "file untouched" "keep me" "$(cat "$PK_TMP/exists.csv")"
expect_db_unchanged
run_pk --utc export --last 3d -o "$PK_TMP/exists.csv" --force
expect_code 0
expect_eq "overwritten" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/exists.csv" 2>&1)"

section "a failed export leaves no file, not even a temporary one"
mkdir "$PK_TMP/out"
# 100 blocks of 512 bytes: the write fails with EFBIG (SIGXFSZ ignored).
(trap '' XFSZ; ulimit -f 100; run_pk export --format csv --last 3d -o "$PK_TMP/out/big.csv"; echo "$PK_CODE" >"$PK_TMP/code"; printf '%s' "$PK_ERR" >"$PK_TMP/err")
expect_eq "exit 1 on a write error" 1 "$(cat "$PK_TMP/code")"
expect_eq "says why" 1 "$(grep -c 'pingkeeper: error: cannot write' "$PK_TMP/err")"
expect_eq "nothing left in the directory" "" "$(ls -A "$PK_TMP/out")"
run_pk export --format csv --last 3d -o "$PK_TMP/missing/dir/x.csv"
expect_code 1
expect_stderr_contains "cannot create a file in $PK_TMP/missing/dir"
expect_eq "no directory made" "absent" "$([[ -e $PK_TMP/missing ]] || echo absent)"
(trap '' PIPE; "$PK_BIN" export --format csv --last 3d >/dev/full 2>"$PK_TMP/err"; echo $? >"$PK_TMP/code")
expect_eq "stdout full: exit 1" 1 "$(cat "$PK_TMP/code")"
expect_eq "stdout full: says why" 1 "$(grep -c 'cannot write the CSV' "$PK_TMP/err")"

section "pruned raw samples: --resolution raw is refused, auto takes rollups"
PINGKEEPER_DB_MAIN=$PINGKEEPER_DB
export PINGKEEPER_DB="$PK_TMP/pruned.db"
run_pk demo --targets 1 --days 3 --interval 60s
expect_code 0
run_pk retention set raw=1d
expect_code 0
run_pk maintain --prune
expect_code 0
expect_rejected 2 "--resolution raw: the raw samples before" export --format csv --resolution raw --last 3d
run_pk --utc export --format csv --last 3d --json -o "$PK_TMP/pruned.csv"
expect_code 0
expect_json 'd["resolution"]' 1m
expect_eq "1m header" "target,host,time,sent,received" "$(head -1 "$PK_TMP/pruned.csv" | cut -d, -f1-5)"
expect_eq "every probe of the 3 days counted" "$((3 * 1440))" \
  "$("$PK_PYTHON" -c 'import csv,sys; print(sum(int(r["sent"]) for r in csv.DictReader(open(sys.argv[1]))))' "$PK_TMP/pruned.csv")"
export PINGKEEPER_DB=$PINGKEEPER_DB_MAIN

section "usage errors: exit 2 (3 for unknown names), nothing written, database unchanged"
expect_rejected 2 "--format csv|xlsx is required" export --last 1d
expect_rejected 2 "--format csv|xlsx is required" export --last 1d -o "$PK_TMP/x.txt"
expect_rejected 2 'invalid format "pdf"' export --format pdf --last 1d
expect_rejected 2 'invalid resolution "5m"' export --format csv --resolution 5m
expect_rejected 2 "--since must be before --until" export --format csv --since -1h --until -2h
expect_rejected 2 "--bom applies to CSV only" export --format xlsx --bom -o "$PK_TMP/x.xlsx"
expect_rejected 2 "is a directory" export --format csv -o "$PK_TMP/out"
expect_rejected 2 "--min-duration must be more than 0" export --format csv --min-duration 0s
expect_rejected 3 "no-such-target" export --format csv no-such-target
expect_rejected 3 "nope" export --format csv --job nope
expect_rejected 2 "target demo-02 is not in job biz" export --format csv --job biz demo-02
expect_eq "no files written by the errors" "absent absent" \
  "$([[ -e $PK_TMP/x.txt ]] || echo -n absent) $([[ -e $PK_TMP/x.xlsx ]] || echo absent)"

section "a progress line on a terminal only, never with -q"
TTY_OUT=$(script -qec "$(printf '%q ' "$PK_BIN" export --last 3d --force -o "$PK_TMP/tty.csv")" /dev/null 2>&1)
expect_eq "progress shown on a terminal" 1 "$(grep -c 'pingkeeper: exporting 1 of 2 targets' <<<"$TTY_OUT")"
TTY_OUT=$(script -qec "$(printf '%q ' "$PK_BIN" -q export --last 3d --force -o "$PK_TMP/tty.csv")" /dev/null 2>&1)
expect_eq "-q: nothing at all" "" "$TTY_OUT"
expect_eq "the file is complete" "ok $SAMPLES" "$(csv_vs_db "$PK_TMP/tty.csv" 2>&1)"

section "--help documents the columns and the sheets"
run_pk export --help
expect_code 0
expect_stdout_contains "--resolution"
expect_stdout_contains "target,host,time,rtt_ms,status,ttl"
expect_stdout_contains "Summary, Charts, Samples"

finish
