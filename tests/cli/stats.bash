#!/usr/bin/env bash
# End-to-end: pingkeeper stats [T...] [--job J] [--since] [--until] [--by 1h|1d]
# [--source auto|raw|rollup] [--min-duration D]: every field against values
# computed here from the stored rows (exact from raw, within the sketch's 1 %
# from rollups), the table, --json, --csv, all targets, a job's windows, local
# days across a DST change, pruned raw samples, and every error path.
# No probes are sent: targets are paused and samples are inserted with sqlite3.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# 2026-03-02 00:00:00 UTC, a Monday, in µs.
BASE=1772409600000000

# insert_samples ID START_US COUNT INTERVAL_S RTT_SQL LOST_SQL: COUNT samples
# from START_US, INTERVAL_S apart; i is the sample's index in both SQL texts.
insert_samples() {
  db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $3 - 1)
            INSERT INTO samples (target_id, ts, rtt_us, status)
            SELECT $1, $2 + i * $4 * 1000000, CASE WHEN $6 THEN NULL ELSE $5 END, CASE WHEN $6 THEN 1 ELSE 0 END
            FROM n" >/dev/null
}

# truth TARGET SINCE_US UNTIL_US [EXPR]: the statistics of the stored samples
# of TARGET in [SINCE, UNTIL), computed independently: a dict with the JSON
# names (RTTs in ms, unrounded), or EXPR over it (t).
truth() {
  "$PK_PYTHON" - "$PINGKEEPER_DB" "$@" <<'EOF'
import math, sqlite3, sys
db, name, since, until = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
expr = sys.argv[5] if len(sys.argv) > 5 else "t"
rows = sqlite3.connect(db).execute(
    "SELECT s.ts, s.rtt_us FROM samples s JOIN targets t ON t.id = s.target_id "
    "WHERE t.name = ? AND s.ts >= ? AND s.ts < ? ORDER BY s.ts", (name, since, until)).fetchall()
rtts = [r for _, r in rows if r is not None]
n = len(rtts)
s = sorted(rtts)
q = lambda p: s[math.floor(p * (n - 1))] / 1000
mean = sum(rtts) / n
# Downtime: runs of losses from the first lost sample to the next answer (or until), >= 30 s.
down, run = 0, None
for ts, r in rows:
    if r is None and run is None: run = ts
    if r is not None and run is not None:
        if ts - run >= 30_000_000: down += ts - run
        run = None
if run is not None and until - run >= 30_000_000: down += until - run
t = {"sent": len(rows), "received": n, "lost": len(rows) - n, "loss_pct": 100 * (len(rows) - n) / len(rows),
     "min_ms": s[0] / 1000, "max_ms": s[-1] / 1000, "avg_ms": mean / 1000,
     "stddev_ms": math.sqrt(sum((r - mean) ** 2 for r in rtts) / n) / 1000,
     "median_ms": q(0.5), "p90_ms": q(0.9), "p95_ms": q(0.95), "p99_ms": q(0.99),
     "jitter_ms": sum(abs(rtts[i] - rtts[i - 1]) for i in range(1, n)) / (n - 1) / 1000,
     "uptime_pct": 100 * n / len(rows), "downtime_ms": down // 1000,
     "availability_pct": 100 * (1 - down / (until - since))}
v = eval(expr)
print(v if isinstance(v, str) else repr(v))
EOF
}

# expect_matches_truth WHAT ROW_EXPR TARGET SINCE UNTIL RELATIVE: every field
# of the JSON row ROW_EXPR (e.g. d[0]) against truth; RTT fields within 1 µs
# (or RELATIVE, for percentiles from a sketch), counts exactly, percentages to
# the 4 decimals printed.
expect_matches_truth() {
  local what=$1 row=$2 relative=$6
  truth "$3" "$4" "$5" >"$PK_TMP/truth"
  local got
  got=$("$PK_PYTHON" - "$PK_TMP/stdout" "$PK_TMP/truth" "$row" "$relative" <<'EOF'
import ast, json, sys
d = json.load(open(sys.argv[1]))
row = eval(sys.argv[3])
t = ast.literal_eval(open(sys.argv[2]).read())
relative = float(sys.argv[4])
bad = []
for k, want in t.items():
    got = row[k]
    if k in ("sent", "received", "lost", "downtime_ms"):
        ok = got == want
    elif k.endswith("_pct"):
        ok = abs(got - want) <= 0.00005 + 1e-12
    elif k in ("median_ms", "p90_ms", "p95_ms", "p99_ms"):
        ok = abs(got - want) <= max(0.0011, relative * want)
    else:
        ok = abs(got - want) <= 0.0011
    if not ok: bad.append("%s: got %r, want %r" % (k, got, want))
print("; ".join(bad) if bad else "all fields match")
EOF
)
  expect_eq "$what" "all fields match" "$got"
}

run_pk init -q
expect_code 0
run_pk target add 127.0.0.1 --name lo --paused
expect_code 0
run_pk target add 127.0.0.2 --name lo2 --interval 10s --paused
expect_code 0
run_pk target add 127.0.0.3 --name dst --interval 20s --paused
expect_code 0
run_pk target add 127.0.0.4 --name empty --paused
expect_code 0
# lo: two days at 1 s; a loss every 997 probes and a 101-probe outage on Monday
# at 11:06:40 UTC; RTTs 10-20 ms. lo2: two days at 10 s, no loss. dst: Saturday
# 2026-03-28 to Tuesday at 20 s, across the spring DST change in Europe/Berlin.
insert_samples 1 "$BASE" 172800 1 "10000 + (i * 7919) % 5000 + (i % 86400) / 20" \
  "(i % 997 = 5 OR i BETWEEN 40000 AND 40100)"
insert_samples 2 "$BASE" 17280 10 "20000 + (i * 31) % 1000" "0"
insert_samples 3 $((BASE + 26 * 86400000000)) 12960 20 "15000 + (i * 13) % 700" "0"
expect_eq "samples inserted" "203040" "$(db_query 'SELECT count(*) FROM samples')"

DAY1="--since 2026-03-02T00:00:00Z --until 2026-03-03T00:00:00Z"
BOTH="--since 2026-03-02T00:00:00Z --until 2026-03-04T00:00:00Z"
D1_FROM=$BASE
D1_TO=$((BASE + 86400000000))
D2_TO=$((BASE + 2 * 86400000000))

# ---------------------------------------------------------------------------
section "one day at 1 s: raw samples, exact percentiles"
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1
expect_code 0
expect_stderr_empty
expect_json 'len(d)' 1
expect_json 'list(d[0])' "['target', 'target_id', 'host', 'job', 'from', 'to', 'source', 'exact_percentiles', 'sent', 'received', 'lost', 'loss_pct', 'min_ms', 'avg_ms', 'max_ms', 'stddev_ms', 'median_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'jitter_ms', 'uptime_pct', 'availability_pct', 'downtime_ms', 'mos']"
expect_json '[d[0]["target"], d[0]["target_id"], d[0]["host"], d[0]["job"]]' "['lo', 1, '127.0.0.1', None]"
expect_json '[d[0]["from"], d[0]["to"]]' "['2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z']"
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['raw', True]"
expect_json 'd[0]["downtime_ms"]' 101000
expect_json '1.0 <= d[0]["mos"] <= 4.5' True
expect_matches_truth "raw statistics are exact" 'd[0]' lo "$D1_FROM" "$D1_TO" 0
expect_json 'd[0]["p95_ms"]' "$(truth lo "$D1_FROM" "$D1_TO" 't["p95_ms"]')"

section "the table and CSV"
# shellcheck disable=SC2086
run_pk stats lo $DAY1
expect_code 0
expect_stdout_lines 2
expect_stdout_matches '^TARGET +SENT +LOSS_% +MIN_MS +AVG_MS +MAX_MS +STDDEV_MS +MEDIAN_MS +P95_MS +P99_MS +JITTER_MS +AVAIL_% +MOS +SOURCE$'
expect_stdout_matches '^lo +86400 +0\.[0-9]{2} +10\.[0-9]{3} +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +99\.883 +[0-9]\.[0-9]{2} +raw$'
# shellcheck disable=SC2086
run_pk --csv stats lo $DAY1
expect_code 0
expect_stdout_lines 2
expect_eq "CSV header: the JSON fields" \
  "target,target_id,host,job,from,to,source,exact_percentiles,sent,received,lost,loss_pct,min_ms,avg_ms,max_ms,stddev_ms,median_ms,p90_ms,p95_ms,p99_ms,jitter_ms,uptime_pct,availability_pct,downtime_ms,mos" \
  "$(head -n 1 "$PK_TMP/stdout")"
expect_stdout_matches '^lo,1,127\.0\.0\.1,,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,raw,true,86400,[0-9]+,[0-9]+,'

section "every target, by name; a target without samples"
# shellcheck disable=SC2086
run_pk --json stats $DAY1
expect_code 0
expect_json '[r["target"] for r in d]' "['dst', 'empty', 'lo', 'lo2']"
expect_json '[r["sent"] for r in d]' "[0, 0, 86400, 8640]"
expect_json '[d[1][k] for k in ("loss_pct", "p95_ms", "availability_pct", "mos")]' "[None, None, None, None]"
# shellcheck disable=SC2086
run_pk --json stats lo2 1 $DAY1
expect_code 0
expect_json '[r["target"] for r in d]' "['lo2', 'lo']"
expect_matches_truth "lo2 exact" 'd[0]' lo2 "$D1_FROM" "$D1_TO" 0

section "two days: too many samples for raw, but nothing rolled up yet"
# shellcheck disable=SC2086
run_pk --json stats lo $BOTH
expect_code 0
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['raw', True]"
expect_matches_truth "two days from raw" 'd[0]' lo "$D1_FROM" "$D2_TO" 0

section "--min-duration"
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1 --min-duration 2m
expect_code 0
expect_json '[d[0]["downtime_ms"], d[0]["availability_pct"]]' "[0, 100.0]"
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1 --min-duration 101s
expect_json 'd[0]["downtime_ms"]' 101000

# ---------------------------------------------------------------------------
section "after the rollup pass: the composite cover agrees within the sketch bound"
run_pk -q maintain --trust-clock --rollup
expect_code 0
# shellcheck disable=SC2086
run_pk --json stats lo $BOTH
expect_code 0
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['1d', False]"
expect_matches_truth "two days from rollups: counts exact, RTT percentiles within 1 %" 'd[0]' lo "$D1_FROM" "$D2_TO" 0.01
run_pk --json stats lo --since 2026-03-02T03:17:42Z --until 2026-03-03T20:44:05Z
expect_json 'd[0]["source"]' 1h  # no whole UTC day inside
expect_matches_truth "an unaligned range: raw and minutes at the edges" 'd[0]' lo \
  $((BASE + (3 * 3600 + 17 * 60 + 42) * 1000000)) $((BASE + (86400 + 20 * 3600 + 44 * 60 + 5) * 1000000)) 0.01
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['raw', True]"
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1 --source rollup
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['1d', False]"
expect_matches_truth "--source rollup" 'd[0]' lo "$D1_FROM" "$D1_TO" 0.01
# shellcheck disable=SC2086
run_pk --json stats lo $BOTH --source raw
expect_json '[d[0]["source"], d[0]["exact_percentiles"]]' "['raw', True]"
expect_matches_truth "--source raw over two days" 'd[0]' lo "$D1_FROM" "$D2_TO" 0

section "--by 1h and 1d: buckets of the display zone"
run_pk --json --utc stats lo --by 1h --since 2026-03-02T10:30:00Z --until 2026-03-02T13:00:00Z
expect_code 0
expect_json '[(r["from"], r["to"], r["sent"]) for r in d]' \
  "[('2026-03-02T10:30:00Z', '2026-03-02T11:00:00Z', 1800), ('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', 3600), ('2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z', 3600)]"
expect_json '[r["downtime_ms"] for r in d]' "[0, 101000, 0]"
run_pk --tz Europe/Berlin stats lo --by 1d --since 2026-03-02 --until 2026-03-04
expect_code 0
expect_stdout_lines 3
expect_stdout_matches '^TARGET +FROM +SENT +LOSS_%'
expect_stdout_matches '^lo +2026-03-02 00:00:00 CET +82800 '
expect_stdout_matches '^lo +2026-03-03 00:00:00 CET +86400 '
run_pk --json --tz Europe/Berlin stats dst --by 1d --since 2026-03-28 --until 2026-03-31
expect_code 0
expect_json '[(r["from"], r["to"], r["sent"]) for r in d]' \
  "[('2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z', 4140), ('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 4140), ('2026-03-29T22:00:00Z', '2026-03-30T22:00:00Z', 4320)]"

section "--job: only the samples inside the job's windows"
run_pk job add biz --targets lo --window 'mon-fri 09:00-17:00' --tz Europe/Berlin
expect_code 0
# shellcheck disable=SC2086
run_pk --json stats --job biz $BOTH
expect_code 0
expect_json '[(r["target"], r["job"], r["sent"], r["source"]) for r in d]' "[('lo', 'biz', 57600, 'raw')]"
expect_eq "the job's samples: 08:00-16:00 UTC on both days" "57600" \
  "$(db_query "SELECT count(*) FROM samples WHERE target_id = 1 AND (ts - $BASE) % 86400000000 BETWEEN 28800000000 AND 57599999999")"
expect_json 'd[0]["downtime_ms"]' 101000
expect_json 'd[0]["availability_pct"]' "$(python3 -c 'print(round(100 * (1 - 101 / 57600), 4))')"
# shellcheck disable=SC2086
run_pk --json stats lo --job biz $BOTH --source rollup
expect_json '[d[0]["sent"], d[0]["source"]]' "[57600, '1h']"

# ---------------------------------------------------------------------------
section "pruned raw samples: rollups answer, --source raw is refused"
LOST1=$(truth lo "$D1_FROM" "$D1_TO" 't["lost"]')
# Raw samples are kept 30 days: these months old ones go; 1-minute rows stay a year.
run_pk -q retention set 1m=1y
expect_code 0
run_pk -q maintain --trust-clock --prune
expect_code 0
expect_eq "raw samples pruned" "0" "$(db_query 'SELECT count(*) FROM samples')"
# shellcheck disable=SC2086
run_pk --json stats lo $DAY1
expect_code 0
expect_json '[d[0]["source"], d[0]["exact_percentiles"], d[0]["sent"], d[0]["lost"]]' "['1d', False, 86400, $LOST1]"
# The outage 11:06:40-11:08:21 seen in 1-minute rows: only the fully lost minute 11:07.
expect_json 'd[0]["downtime_ms"]' 60000
# shellcheck disable=SC2086
expect_rejected 2 "--source raw: the raw samples of lo before" stats lo $DAY1 --source raw

# ---------------------------------------------------------------------------
section "--last D is --since -D up to now"
run_pk --json stats lo --last 2000d
expect_code 0
expect_json 'd[0]["sent"]' 172800
run_pk --json stats lo --last 1h
expect_code 0
expect_json 'd[0]["sent"]' 0
expect_rejected 2 '--since excludes --last' stats lo --last 1h --since -2h
expect_rejected 2 '--until excludes --last' stats lo --last 1h --until now
expect_rejected 2 '--last must be more than 0' stats lo --last 0s
expect_rejected 2 'invalid duration "x"' downtime lo --last x

section "errors"
expect_rejected 3 'target "nope" not found' stats nope
expect_rejected 3 'target "99" not found' stats lo 99
expect_rejected 3 'job "nope" not found' stats --job nope
expect_rejected 2 'target lo2 is not in job biz' stats lo2 --job biz
expect_rejected 2 '--since must be before --until' stats lo --since 2026-03-03 --until 2026-03-02
expect_rejected 2 '--since must be before --until' stats lo --since +1h
expect_rejected 2 'invalid time "yesterdayish"' stats lo --since yesterdayish
expect_rejected 2 'invalid time "3pm"' stats lo --until 3pm
expect_rejected 2 'invalid period "2h": expected 1h or 1d' stats lo --by 2h
expect_rejected 2 'invalid source "best": expected auto, raw or rollup' stats lo --source best
expect_rejected 2 'invalid duration "soon"' stats lo --min-duration soon
expect_rejected 2 'unknown option "--bogus" for pingkeeper stats' stats lo --bogus
expect_rejected 2 'invalid target "[lo,lo2]"' stats '[lo,lo2]'
expect_rejected 2 'unknown time zone' --tz Mars/Olympus stats lo

finish
