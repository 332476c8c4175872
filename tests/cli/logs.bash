#!/usr/bin/env bash
# End-to-end: pingkeeper logs T: the table, --json and --csv, the newest 100 by
# default (oldest first), --limit, --since / --until, --follow (NDJSON while a
# collector runs, exit 0 on SIGINT), and every usage error.
# Safety rule (TESTING.md): the only probes are to 127.0.0.1 (or, when ICMP is
# not allowed for this user, to a TCP port this suite opens there).
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# --- helpers ------------------------------------------------------------------

# py EXPR: EXPR over d = the JSON on the last stdout and db = the sample rows
# of target lo, as [(ts_us, rtt_us or None, status, ttl, detail)] oldest first.
py() {
  db_query "SELECT s.ts, ifnull(s.rtt_us, ''), s.status, ifnull(s.ttl, ''), ifnull(s.detail, '') FROM samples s
            JOIN targets t ON t.id = s.target_id WHERE t.name = '${PY_TARGET:-lo}' ORDER BY s.ts" >"$PK_TMP/rows"
  "$PK_PYTHON" - "$1" "$PK_TMP/stdout" "$PK_TMP/rows" <<'EOF' 2>&1
import json, sys, datetime as dt
expr, out, rows = sys.argv[1], sys.argv[2], sys.argv[3]
def num(x):
    return int(x) if x != "" else None
db = []
for line in open(rows).read().splitlines():
    ts, rtt, status, ttl, detail = line.split("|", 4)
    db.append((int(ts), num(rtt), int(status), num(ttl), detail or None))
def us(iso):
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1000000 + t.microsecond
def iso(ts):
    return dt.datetime.fromtimestamp(ts // 1000000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (ts % 1000000)
text = open(out).read()
try:
    d = json.loads(text)
except Exception:
    d = None
lines = []
for l in text.splitlines():
    try:
        lines.append(json.loads(l))
    except Exception:
        lines.append(None)
v = eval(expr)
print(v if isinstance(v, str) else repr(v))
EOF
}

# expect_py WHAT EXPR EXPECTED
expect_py() { expect_eq "$1" "$3" "$(py "$2")"; }

run_pk init -q
expect_code 0

# Can this process send ICMP echo? (CI runs as root: it must.)
start_ports
check_icmp "target lo probes TCP port $OPEN instead (no TTL)"
if ((ICMP_OK)); then
  run_pk target add 127.0.0.1 --name lo --interval 100ms
  TTL=64
else
  run_pk target add 127.0.0.1 --name lo --interval 100ms --probe tcp --port "$OPEN"
  TTL=None
fi
expect_code 0
LO_ID=$(db_query "SELECT id FROM targets WHERE name = 'lo'")

# ---------------------------------------------------------------------------
section "after run --count 5: the table"
run_pk -q run --count 5
expect_code 0
expect_eq "5 samples stored" "5" "$(db_query 'SELECT count(*) FROM samples')"

run_pk logs lo
expect_code 0
expect_stderr_empty
expect_stdout_lines 6
expect_stdout_matches '^TIME +RTT_MS +STATUS +TTL +DETAIL *$'
if ((ICMP_OK)); then
  row_re='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} UTC +[0-9]+\.[0-9]{3} +ok +64 *$'
else
  row_re='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} UTC +[0-9]+\.[0-9]{3} +ok +- *$'
fi
expect_eq "every row: time (ms, display zone), rtt, ok, ttl" "5" "$(grep -Ec "$row_re" "$PK_TMP/stdout")"
# The rows are the database's samples, oldest first, at millisecond precision.
expect_py "table times are the stored times, oldest first" \
  '[l.split("  ")[0] for l in text.splitlines()[1:]] == [dt.datetime.fromtimestamp(r[0] / 1e6, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.") + "%03d UTC" % (r[0] // 1000 % 1000) for r in db]' \
  True
run_pk logs "$LO_ID"
expect_code 0
expect_stdout_lines 6
run_pk --tz Asia/Tokyo logs lo
expect_code 0
expect_stdout_matches '^[0-9-]{10} [0-9:.]{12} JST +[0-9.]+ +ok'

section "--json"
run_pk --json logs lo
expect_code 0
expect_stderr_empty
expect_json 'len(d)' 5
expect_json 'all(sorted(s) == sorted(["target", "target_id", "time", "rtt_ms", "status", "ttl", "detail"]) for s in d)' True
expect_json '{s["target"] for s in d}' "{'lo'}"
expect_json '{s["target_id"] for s in d}' "{$LO_ID}"
expect_json 'all(s["time"].endswith("Z") for s in d)' True
expect_json 'all(type(s["rtt_ms"]) in (int, float) and s["rtt_ms"] > 0 for s in d)' True
expect_json '{s["status"] for s in d}' "{'ok'}"
expect_json '{s["ttl"] for s in d}' "{$TTL}"
expect_json '{s["detail"] for s in d}' "{None}"
expect_py "times and rtts are the stored ones (µs), oldest first" \
  '[(us(s["time"]), round(s["rtt_ms"] * 1000)) for s in d] == [(r[0], r[1]) for r in db]' True

section "--csv"
run_pk --csv logs lo
expect_code 0
expect_stdout_lines 6
expect_eq "CSV header" "target,time,rtt_ms,status,ttl,detail" "$(head -n 1 "$PK_TMP/stdout")"
ttl_csv=64
((ICMP_OK)) || ttl_csv=""
expect_eq "CSV rows" "5" \
  "$(grep -Ec "^lo,[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z,[0-9]+\.[0-9]{3},ok,$ttl_csv,$" "$PK_TMP/stdout")"
expect_py "CSV times are the stored ones" '[l.split(",")[1] for l in text.splitlines()[1:]] == [iso(r[0]) for r in db]' True

section "--limit: the newest N, oldest first"
run_pk --json logs lo --limit 2
expect_code 0
expect_py "--limit 2 gives the newest two, oldest first" '[us(s["time"]) for s in d] == [r[0] for r in db[-2:]]' True
run_pk logs lo --limit 2
expect_code 0
expect_stdout_lines 3
run_pk --json logs lo --limit 50
expect_json 'len(d)' 5

section "--since / --until"
T=()
for i in 0 1 2 3 4; do T+=("$(py "iso(db[$i][0])")"); done
run_pk --json logs lo --since "${T[1]}" --until "${T[3]}"
expect_code 0
expect_py "--since T1 --until T3: T1 and T2 (since inclusive, until exclusive)" \
  '[us(s["time"]) for s in d] == [db[1][0], db[2][0]]' True
run_pk --json logs lo --since "${T[3]}"
expect_code 0
expect_py "--since T3: T3 and T4, oldest first" '[us(s["time"]) for s in d] == [db[3][0], db[4][0]]' True
run_pk --json logs lo --until "${T[2]}"
expect_code 0
expect_py "--until T2: T0 and T1" '[us(s["time"]) for s in d] == [db[0][0], db[1][0]]' True
run_pk --json logs lo --since -1h
expect_json 'len(d)' 5
run_pk --json logs lo --last 1h
expect_code 0
expect_py "--last 1h: the same samples as --since -1h, oldest first" '[us(s["time"]) for s in d] == [r[0] for r in db]' True
run_pk --json logs lo --since +1h
expect_code 0
expect_json 'd' "[]"
run_pk logs lo --since +1h
expect_code 0
expect_stdout_lines 1

# ---------------------------------------------------------------------------
section "the newest 100 by default; a lost and an unreachable sample"
run_pk target add 127.0.0.9 --name bulk --paused
expect_code 0
BULK_ID=$(db_query "SELECT id FROM targets WHERE name = 'bulk'")
base=$(($(date +%s) * 1000000 - 3600000000))
# 150 samples one second apart, an hour ago; the last one lost, the one before unreachable.
db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 149)
          INSERT INTO samples (target_id, ts, rtt_us, status, ttl, detail)
          SELECT $BULK_ID, $base + i * 1000000,
                 CASE WHEN i >= 148 THEN NULL ELSE 1000 + i END,
                 CASE i WHEN 149 THEN 1 WHEN 148 THEN 2 ELSE 0 END,
                 CASE WHEN i >= 148 THEN NULL ELSE 64 END,
                 CASE i WHEN 148 THEN 'host unreachable' ELSE NULL END FROM n" >/dev/null
expect_eq "150 samples inserted" "150" "$(db_query "SELECT count(*) FROM samples WHERE target_id = $BULK_ID")"
export PY_TARGET=bulk
run_pk --json logs bulk
expect_code 0
expect_json 'len(d)' 100
expect_py "the newest 100, oldest first" '[us(s["time"]) for s in d] == [r[0] for r in db[50:]]' True
expect_json '[d[-2]["rtt_ms"], d[-2]["status"], d[-2]["ttl"], d[-2]["detail"]]' "[None, 'unreachable', None, 'host unreachable']"
expect_json '[d[-1]["rtt_ms"], d[-1]["status"], d[-1]["ttl"], d[-1]["detail"]]' "[None, 'timeout', None, None]"
expect_json 'd[0]["rtt_ms"]' 1.05
run_pk logs bulk
expect_code 0
expect_stdout_lines 101
expect_stdout_matches '^[0-9-]{10} [0-9:.]{12} UTC +- +unreachable +- +host unreachable *$'
expect_stdout_matches '^[0-9-]{10} [0-9:.]{12} UTC +- +timeout +- *$'
run_pk --csv logs bulk --limit 2
expect_code 0
expect_eq "CSV of a lost and an unreachable sample" "unreachable,,host unreachable|timeout,,|" \
  "$(tail -n 2 "$PK_TMP/stdout" | cut -d, -f3- | sed -E 's/^,//' | tr '\n' '|')"
run_pk --json logs bulk --limit 120
expect_json 'len(d)' 120
run_pk --json logs bulk --since -2h
expect_code 0
expect_json 'len(d)' 150
expect_py "--since without --limit: all of them, oldest first" '[us(s["time"]) for s in d] == [r[0] for r in db]' True
unset PY_TARGET

# ---------------------------------------------------------------------------
section "--follow: NDJSON while a collector runs, exit 0 on SIGINT"
"$PK_BIN" logs lo --follow >"$PK_TMP/follow.out" 2>"$PK_TMP/follow.err" &
follow=$!
PK_HELPERS+=("$follow")
lines_of() { wc -l <"$1" 2>/dev/null || echo 0; }
for _ in $(seq 50); do (($(lines_of "$PK_TMP/follow.out") >= 5)) && break; sleep 0.1; done
expect_eq "--follow first prints the existing samples" "5" "$(($(lines_of "$PK_TMP/follow.out")))"
# 3 s at 100 ms: the writer commits (at least once a second) while it runs.
"$PK_BIN" -q run --count 30 >"$PK_TMP/collector.out" 2>&1 &
collector=$!
PK_HELPERS+=("$collector")
saw_live=no
for _ in $(seq 100); do
  if kill -0 "$collector" 2>/dev/null && (($(lines_of "$PK_TMP/follow.out") > 5)); then saw_live=yes; fi
  (($(lines_of "$PK_TMP/follow.out") >= 35)) && ! kill -0 "$collector" 2>/dev/null && break
  sleep 0.1
done
wait "$collector"
collector_code=$?
PK_CMD="pingkeeper -q run --count 30 (background)"
expect_eq "the collector exits 0" "0" "$collector_code"
expect_eq "new samples appear while the collector is running" "yes" "$saw_live"
sleep 0.5  # one more poll: nothing may be printed twice
kill -INT "$follow" 2>/dev/null
follow_code=hung
for _ in $(seq 30); do kill -0 "$follow" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$follow" 2>/dev/null; then
  kill -KILL "$follow" 2>/dev/null
  wait "$follow" 2>/dev/null
else
  wait "$follow"
  follow_code=$?
fi
PK_CMD="pingkeeper logs lo --follow, SIGINT"
cp "$PK_TMP/follow.out" "$PK_TMP/stdout"
PK_OUT=$(<"$PK_TMP/stdout")
expect_eq "--follow exits 0 on SIGINT" "0" "$follow_code"
expect_eq "--follow prints nothing on stderr" "" "$(<"$PK_TMP/follow.err")"
expect_py "one JSON object per line, every sample of lo once, oldest first" \
  '[us(o["time"]) for o in lines] == [r[0] for r in db]' True
expect_py "35 lines" 'len(lines)' 35
expect_py "NDJSON fields" \
  'all(o["target"] == "lo" and o["status"] == "ok" and o["detail"] is None and type(o["rtt_ms"]) in (int, float) for o in lines)' True

section "--follow prints a sample stored late (a timeout is stored after newer answers)"
"$PK_BIN" logs lo --follow >"$PK_TMP/follow3.out" 2>"$PK_TMP/follow3.err" &
follow=$!
PK_HELPERS+=("$follow")
for _ in $(seq 50); do (($(lines_of "$PK_TMP/follow3.out") >= 35)) && break; sleep 0.1; done
newest_us=$(db_query "SELECT max(ts) FROM samples WHERE target_id = $LO_ID")
late_us=$((newest_us - 1500000))  # 1.5 s before the newest sample printed, as a timeout would be
db_query "INSERT INTO samples (target_id, ts, rtt_us, status) VALUES ($LO_ID, $late_us, NULL, 1)" >/dev/null
for _ in $(seq 30); do (($(lines_of "$PK_TMP/follow3.out") >= 36)) && break; sleep 0.1; done
sleep 0.3
kill -INT "$follow" 2>/dev/null
for _ in $(seq 30); do kill -0 "$follow" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$follow" 2>/dev/null
wait "$follow"
PK_CMD="pingkeeper logs lo --follow (a sample inserted 1.5 s behind the newest)"
expect_eq "the late sample is printed, once" "36" "$(($(lines_of "$PK_TMP/follow3.out")))"
expect_eq "the late sample is the timeout" "1" "$(grep -c '"status":"timeout"' "$PK_TMP/follow3.out")"
db_query "DELETE FROM samples WHERE target_id = $LO_ID AND ts = $late_us" >/dev/null

section "--follow with --since: from that time on"
"$PK_BIN" logs lo --follow --since "${T[3]}" >"$PK_TMP/follow2.out" 2>&1 &
follow=$!
PK_HELPERS+=("$follow")
for _ in $(seq 30); do (($(lines_of "$PK_TMP/follow2.out") >= 32)) && break; sleep 0.1; done
sleep 0.3
kill -INT "$follow" 2>/dev/null
for _ in $(seq 30); do kill -0 "$follow" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$follow" 2>/dev/null
wait "$follow"
follow_code=$?
cp "$PK_TMP/follow2.out" "$PK_TMP/stdout"
expect_eq "--follow --since exits 0 on SIGINT" "0" "$follow_code"
expect_py "--follow --since T3: the samples from T3 on" '[us(o["time"]) for o in lines] == [r[0] for r in db[3:]]' True

# ---------------------------------------------------------------------------
section "errors"
expect_rejected 3 'target "nope" not found' logs nope
expect_rejected 3 'not found' logs 999
expect_rejected 2 'invalid time "bad"' logs lo --since bad
expect_rejected 2 'invalid time "bad"' logs lo --until bad
expect_rejected 2 '--since must be before --until' logs lo --since "${T[3]}" --until "${T[1]}"
expect_rejected 2 '--since excludes --last' logs lo --last 1h --since -2h
expect_rejected 2 '--until excludes --last' logs lo --last 1h --until now
expect_rejected 2 '--last must be more than 0' logs lo --last 0s
expect_rejected 2 'invalid duration "soon"' logs lo --last soon
expect_rejected 2 '--since must be before --until' logs lo --since "${T[2]}" --until "${T[2]}"
expect_rejected 2 '--limit must be at least 1' logs lo --limit 0
expect_rejected 2 '--limit must be at least 1' logs lo --limit -3
expect_rejected 2 'invalid value "x" for --limit' logs lo --limit x
expect_rejected 2 '--follow cannot be combined with --until' logs lo --follow --until now
expect_rejected 2 'T is required' logs
expect_rejected 2 'unknown option "--bogus"' logs lo --bogus

finish
