#!/usr/bin/env bash
# End-to-end: pingkeeper series T [--since] [--until] [--points N]
# [--metric avg|min|max|median|p95|p99|jitter|loss]: never more than N points,
# the first and last bucket kept, values against the stored rows, raw for
# short ranges and rollups for long ones; the table, --json, --csv, errors.
# No probes are sent: the target is paused and samples are inserted with sqlite3.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# 2026-03-02 00:00:00 UTC, a Monday, in µs.
BASE=1772409600000000

# bucket_truth EXPR: EXPR over b, the stored samples of target 1 grouped by the
# buckets of the JSON series on stdout: b[i] = (sent, [rtt_us...]) for point i.
bucket_truth() {
  "$PK_PYTHON" - "$PINGKEEPER_DB" "$PK_TMP/stdout" "$1" <<'EOF'
import datetime, json, sqlite3, sys
d = json.load(open(sys.argv[2]))
def us(iso):
    t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1000000 + t.microsecond
width = d["bucket_ms"] * 1000
since, until = us(d["from"]), us(d["to"])
b = []
db = sqlite3.connect(sys.argv[1])
for p in d["points"]:
    start = max(us(p["time"]), since)
    rows = db.execute("SELECT rtt_us FROM samples WHERE target_id = 1 AND ts >= ? AND ts < ?",
                      (start, min(us(p["time"]) + width, until))).fetchall()
    b.append((len(rows), [r for (r,) in rows if r is not None]))
v = eval(sys.argv[3])
print(v if isinstance(v, str) else repr(v))
EOF
}

run_pk init -q
expect_code 0
run_pk target add 127.0.0.1 --name lo --interval 2s --paused
expect_code 0
# Two days at 2 s; RTTs 10-20 ms; down 10:00-10:30 on Monday; no samples
# (collector stopped) 20:00-21:00.
LOST="(i BETWEEN 18000 AND 18899)"
db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 86399)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 1, $BASE + i * 2000000, CASE WHEN $LOST THEN NULL ELSE 10000 + (i * 7919) % 10000 END,
                 CASE WHEN $LOST THEN 1 ELSE 0 END
          FROM n WHERE i NOT BETWEEN 36000 AND 37799" >/dev/null

# ---------------------------------------------------------------------------
section "two hours at 800 points: raw samples, 10 s buckets"
run_pk --json series lo --since 2026-03-02T09:30:00Z --until 2026-03-02T11:30:00Z
expect_code 0
expect_stderr_empty
expect_json 'list(d)' "['target', 'target_id', 'metric', 'unit', 'source', 'bucket_ms', 'from', 'to', 'points']"
expect_json '[d["target"], d["target_id"], d["metric"], d["unit"], d["source"], d["bucket_ms"]]' \
  "['lo', 1, 'avg', 'ms', 'raw', 10000]"
expect_json 'len(d["points"])' 720
expect_json '[d["points"][0]["time"], d["points"][-1]["time"]]' "['2026-03-02T09:30:00Z', '2026-03-02T11:29:50Z']"
expect_json 'sorted(d["points"][0])' "['time', 'value']"
expect_eq "each value is the bucket's mean RTT (ms, µs precision)" "True" \
  "$(bucket_truth 'all((p["value"] is None) == (not r) and (not r or abs(p["value"] - round(sum(r) / len(r)) / 1000) < 1e-9) for p, (n, r) in zip(d["points"], b))')"
expect_json 'sum(p["value"] is None for p in d["points"])' 180
run_pk --json series lo --since 2026-03-02T09:30:00Z --until 2026-03-02T11:30:00Z --metric loss
expect_code 0
expect_json '[d["metric"], d["unit"]]' "['loss', '%']"
expect_eq "loss % per bucket" "True" \
  "$(bucket_truth 'all(p["value"] == round(100 * (n - len(r)) / n, 4) for p, (n, r) in zip(d["points"], b))')"
run_pk --json series lo --since 2026-03-02T09:30:00Z --until 2026-03-02T11:30:00Z --metric max
expect_eq "max per bucket" "True" \
  "$(bucket_truth 'all((p["value"] is None) == (not r) and (not r or p["value"] == max(r) / 1000) for p, (n, r) in zip(d["points"], b))')"

section "the table and CSV"
run_pk series lo --since 2026-03-02T09:30:00Z --until 2026-03-02T09:31:00Z --points 6
expect_code 0
expect_stdout_lines 7
expect_stdout_matches '^TIME +AVG_MS$'
expect_stdout_matches '^2026-03-02 09:30:00 UTC +[0-9]+\.[0-9]{3}$'
run_pk series lo --since 2026-03-02T09:59:40Z --until 2026-03-02T10:00:20Z --metric loss
expect_stdout_matches '^TIME +LOSS_%$'
expect_stdout_matches '^2026-03-02 09:59:50 UTC +0\.00$'
expect_stdout_matches '^2026-03-02 10:00:10 UTC +100\.00$'
run_pk series lo --since 2026-03-02T09:59:40Z --until 2026-03-02T10:00:20Z --metric p95
expect_stdout_matches '^TIME +P95_MS$'
expect_stdout_matches '^2026-03-02 10:00:10 UTC +-$'
run_pk --csv series lo --since 2026-03-02T09:59:40Z --until 2026-03-02T10:00:20Z --points 4
expect_code 0
expect_stdout_lines 5
expect_eq "CSV header" "time,value" "$(head -n 1 "$PK_TMP/stdout")"
expect_stdout_matches '^2026-03-02T09:59:40Z,[0-9]+\.[0-9]+$'
expect_stdout_matches '^2026-03-02T10:00:10Z,$'

# ---------------------------------------------------------------------------
section "two days after the rollup pass: 1-minute rows, never more than --points"
run_pk -q maintain --trust-clock --rollup
expect_code 0
run_pk --json series lo --since 2026-03-02T00:00:00Z --until 2026-03-04T00:00:00Z --points 800
expect_code 0
expect_json '[d["source"], d["bucket_ms"], len(d["points"])]' "['1m', 240000, 720]"
expect_eq "4-minute means from 1-minute rows" "True" \
  "$(bucket_truth 'all((p["value"] is None) == (not r) and (not r or abs(p["value"] - sum(r) / len(r) / 1000) < 0.0006) for p, (n, r) in zip(d["points"], b))')"
expect_json '[p["value"] for p in d["points"][300:315]]' "[None, None, None, None, None, None, None, None, None, None, None, None, None, None, None]"
for n in 1 2 3 10 99 500 799; do
  run_pk --json series lo --since 2026-03-02T00:17:03Z --until 2026-03-03T23:59:00Z --points "$n" --metric p95
  expect_code 0
  expect_json "len(d['points']) <= $n" True
  # Bucket starts: the first holds --since; with 2 or more points the last holds the end.
  expect_json "(lambda t, w: t(d['points'][0]['time']) <= t(d['from']) < t(d['points'][0]['time']) + w and ($n < 2 or t(d['points'][-1]['time']) < t(d['to']) <= t(d['points'][-1]['time']) + w))(lambda s: __import__('datetime').datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp(), d['bucket_ms'] / 1000)" True
done

# ---------------------------------------------------------------------------
section "errors"
expect_rejected 2 'required' series
expect_rejected 3 'target "nope" not found' series nope
expect_rejected 2 '--points must be between 1 and 100000' series lo --points 0
expect_rejected 2 '--points must be between 1 and 100000' series lo --points 100001
expect_rejected 2 'invalid value "many" for --points: expected a whole number' series lo --points many
expect_rejected 2 'invalid metric "p50": expected avg, min, max, median, p95, p99, jitter or loss' series lo --metric p50
expect_rejected 2 '--since must be before --until' series lo --since 2026-03-03 --until 2026-03-02
expect_rejected 2 'invalid time "later"' series lo --until later
expect_rejected 2 'unexpected argument "x" for pingkeeper series' series lo x

finish
