#!/usr/bin/env bash
# End-to-end: pingkeeper downtime T [--since] [--until] [--min-duration D]:
# periods against a detector written here over the stored rows (before and
# after the rollup pass, whose rows make the long ranges fast), range edges,
# single losses, the min-duration boundary, a loss followed by silence, an
# outage still running at the end, irregularly spaced samples (bursts, one a
# minute, pauses, jitter); the table, --json, --csv, and every error.
# No probes are sent: the target is paused and samples are inserted with sqlite3.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# 2026-03-02 00:00:00 UTC, a Monday, in µs.
BASE=1772409600000000

# truth SINCE_US UNTIL_US MIN_S [TARGET_ID]: the periods as [start_us, end_us,
# probes, ongoing] of the target's (default 1) stored samples in [SINCE,
# UNTIL): a run of losses lasts from its first lost sample to the next answer
# (UNTIL when none: ongoing).
truth() {
  "$PK_PYTHON" - "$PINGKEEPER_DB" "$@" <<'EOF'
import sqlite3, sys
db, since, until, min_us = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) * 1000000
target = int(sys.argv[5]) if len(sys.argv) > 5 else 1
rows = sqlite3.connect(db).execute(
    "SELECT ts, status IN (0, 4) FROM samples WHERE target_id = ? AND ts >= ? AND ts < ? ORDER BY ts",
    (target, since, until)).fetchall()
out, run = [], None
for ts, answered in rows:
    if not answered:
        run = run or [ts, 0]
        run[1] += 1
    elif run:
        if ts - run[0] >= min_us: out.append([run[0], ts, run[1], False])
        run = None
if run and until - run[0] >= min_us: out.append([run[0], until, run[1], True])
print(out)
EOF
}

# periods: the JSON periods on stdout in truth's form.
periods() {
  "$PK_PYTHON" - "$PK_TMP/stdout" <<'EOF' 2>&1
import datetime, json, sys
def us(iso):
    t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1000000 + t.microsecond
d = json.load(open(sys.argv[1]))
print([[us(p["start"]), us(p["end"]), p["probes"], p["ongoing"]] for p in d["periods"]])
EOF
}

# iso US: ISO 8601 UTC with microseconds.
iso() { printf '%s.%06dZ' "$(date -u -d "@$(($1 / 1000000))" +%Y-%m-%dT%H:%M:%S)" $(($1 % 1000000)); }

run_pk init -q
expect_code 0
run_pk target add 127.0.0.1 --name lo --paused
expect_code 0
run_pk target add 127.0.0.2 --name quiet --paused
expect_code 0
run_pk target add 127.0.0.3 --name bursty --paused --interval 5s
expect_code 0
# Six hours at 1 s from Monday 00:00 UTC: single losses every 601 probes;
# exactly 30 s down at 01:00:00; 29 s at 02:01:40; 70 s across a minute at
# 03:00:30; 20 minutes at 04:00:00; one loss at 05:00:00, then no samples
# until 05:10:00; down from 05:59:30 to the end of the data.
LOST="(i % 601 = 17 OR i BETWEEN 3600 AND 3629 OR i BETWEEN 7300 AND 7328 OR i BETWEEN 10830 AND 10899
        OR i BETWEEN 14400 AND 15599 OR i = 18000 OR i >= 21570)"
db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 21599)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 1, $BASE + i * 1000000, CASE WHEN $LOST THEN NULL ELSE 10000 + i % 977 END,
                 CASE WHEN $LOST THEN 1 ELSE 0 END
          FROM n WHERE i NOT BETWEEN 18001 AND 18599" >/dev/null
expect_eq "samples inserted" "21001" "$(db_query 'SELECT count(*) FROM samples')"
H=3600000000
END=$((BASE + 6 * H))
# bursty: six hours spaced every way but evenly. 00:00-04:00 bursts of 120
# probes 250 ms apart every 10 minutes (720 an hour, as at its 5 s interval),
# every other burst's last probe lost (then silence until the next burst),
# and single losses; 04:00-05:00 one probe a minute, some lost, three in a
# row at 04:30; 05:00-06:00 every 3 s give or take 2 s, nothing 05:10-05:20
# (a paused collector), lost 05:30:00-05:30:45 and from 05:59:00 on.
db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2879)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 3, $BASE + (i / 120) * 600000000 + (i % 120) * 250000, CASE WHEN lost THEN NULL ELSE 9000 END,
                 CASE WHEN lost THEN 1 ELSE 0 END
          FROM (SELECT i, (i % 120 = 119 AND (i / 120) % 2 = 0) OR i % 97 = 5 AS lost FROM n)" >/dev/null
db_query "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 59)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 3, $BASE + 4 * $H + j * 60000000, CASE WHEN lost THEN NULL ELSE 9000 END, CASE WHEN lost THEN 1 ELSE 0 END
          FROM (SELECT j, j % 7 = 3 OR j BETWEEN 30 AND 32 AS lost FROM n)" >/dev/null
db_query "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 1199)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 3, ts, CASE WHEN lost THEN NULL ELSE 9000 END, CASE WHEN lost THEN 1 ELSE 0 END
          FROM (SELECT ts, (ts >= $BASE + 5 * $H + 1800000000 AND ts < $BASE + 5 * $H + 1845000000)
                           OR ts >= $BASE + 5 * $H + 3540000000 AS lost
                FROM (SELECT $BASE + 5 * $H + j * 3000000 + (j * 7919 % 2000) * 1000 AS ts FROM n))
          WHERE ts NOT BETWEEN $BASE + 5 * $H + 600000000 AND $BASE + 5 * $H + 1200000000" >/dev/null
expect_eq "bursty samples inserted" "3940" "$(db_query 'SELECT count(*) FROM samples WHERE target_id = 3')"

# A table of (since, until, min-duration) cases: whole range, edges inside
# outages, unaligned, the min-duration boundary.
CASES=(
  "$BASE $END 30"
  "$BASE $END 0"
  "$BASE $END 29"
  "$BASE $END 31"
  "$BASE $END 600"
  "$BASE $END 601"
  "$((BASE + H + 10000000)) $((BASE + 4 * H + 300000000)) 30"
  "$((BASE + 3 * H + 60000000)) $((BASE + 3 * H + 90000000)) 10"
  "$((BASE + 17 * 60000000 + 500000)) $((BASE + 5 * H + 59 * 60000000 + 45000000)) 30"
  "$((BASE + 5 * H + 60000000)) $((BASE + 5 * H + 120000000)) 30"
)

BURSTY_CASES=(
  "$BASE $END 30"
  "$BASE $END 0"
  "$BASE $END 59"
  "$BASE $END 60"
  "$BASE $END 61"
  "$BASE $END 570"
  "$BASE $END 599"
  "$((BASE + 20 * 60000000 + 29750000)) $((BASE + 5 * H + 15 * 60000000)) 30"
  "$((BASE + 5 * H + 1820000000)) $((BASE + 5 * H + 3570000000)) 20"
)

check_cases() {
  local c since until min
  for c in "${CASES[@]}"; do
    read -r since until min <<<"$c"
    run_pk --json downtime lo --since "$(iso "$since")" --until "$(iso "$until")" --min-duration "${min}s"
    expect_code 0
    expect_eq "$1: periods of [$since, $until) at ${min}s" "$(truth "$since" "$until" "$min")" "$(periods)"
  done
  for c in "${BURSTY_CASES[@]}"; do
    read -r since until min <<<"$c"
    run_pk --json downtime bursty --since "$(iso "$since")" --until "$(iso "$until")" --min-duration "${min}s"
    expect_code 0
    expect_eq "$1: bursty periods of [$since, $until) at ${min}s" "$(truth "$since" "$until" "$min" 3)" "$(periods)"
  done
}

# ---------------------------------------------------------------------------
section "raw samples only"
check_cases "raw"
run_pk --json downtime lo --since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z
expect_code 0
expect_stderr_empty
expect_json 'list(d)' "['target', 'target_id', 'from', 'to', 'min_duration_ms', 'downtime_ms', 'availability_pct', 'periods']"
expect_json '[d["target"], d["target_id"], d["from"], d["to"], d["min_duration_ms"]]' \
  "['lo', 1, '2026-03-02T00:00:00Z', '2026-03-02T06:00:00Z', 30000]"
expect_json '[(p["start"], p["end"], p["duration_ms"], p["probes"], p["ongoing"]) for p in d["periods"]]' \
  "[('2026-03-02T01:00:00Z', '2026-03-02T01:00:30Z', 30000, 30, False), ('2026-03-02T03:00:30Z', '2026-03-02T03:01:40Z', 70000, 70, False), ('2026-03-02T04:00:00Z', '2026-03-02T04:20:00Z', 1200000, 1200, False), ('2026-03-02T05:00:00Z', '2026-03-02T05:10:00Z', 600000, 1, False), ('2026-03-02T05:59:30Z', '2026-03-02T06:00:00Z', 30000, 30, True)]"
expect_json 'd["downtime_ms"]' 1930000
expect_json 'd["availability_pct"]' "$(python3 -c 'print(round(100 * (1 - 1930 / 21600), 4))')"

section "the table and CSV"
run_pk downtime lo --since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z
expect_code 0
expect_stdout_lines 7
expect_stdout_matches '^START +END +DURATION +PROBES +ONGOING$'
expect_stdout_matches '^2026-03-02 01:00:00 UTC +2026-03-02 01:00:30 UTC +30s +30 +no$'
expect_stdout_matches '^2026-03-02 04:00:00 UTC +2026-03-02 04:20:00 UTC +20m +1200 +no$'
expect_stdout_matches '^2026-03-02 05:59:30 UTC +2026-03-02 06:00:00 UTC +30s +30 +yes$'
expect_stdout_matches '^lo: 5 periods of downtime, 32m10s down, availability 91\.065 % \(2026-03-02 00:00:00 UTC to 2026-03-02 06:00:00 UTC\)$'
run_pk -q downtime lo --since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z
expect_stdout_lines 6
run_pk --tz Asia/Tokyo downtime lo --since 2026-03-02T00:00:00Z --until 2026-03-02T02:00:00Z
expect_stdout_matches '^2026-03-02 10:00:00 JST +2026-03-02 10:00:30 JST +30s +30 +no$'
run_pk --csv downtime lo --since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z
expect_code 0
expect_stdout_lines 6
expect_eq "CSV header" "target,start,end,duration_ms,probes,ongoing" "$(head -n 1 "$PK_TMP/stdout")"
expect_stdout_matches '^lo,2026-03-02T03:00:30Z,2026-03-02T03:01:40Z,70000,70,false$'
expect_stdout_matches '^lo,2026-03-02T05:59:30Z,2026-03-02T06:00:00Z,30000,30,true$'

section "no downtime, no samples"
run_pk downtime lo --since 2026-03-02T02:10:00Z --until 2026-03-02T02:50:00Z
expect_code 0
expect_stdout_lines 1
expect_stdout_matches '^lo: 0 periods of downtime, 0s down, availability 100\.000 %'
run_pk --json downtime quiet --since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z
expect_code 0
expect_json '[d["periods"], d["downtime_ms"], d["availability_pct"]]' "[[], 0, 100.0]"
run_pk --csv downtime quiet
expect_code 0
expect_stdout_lines 1

# ---------------------------------------------------------------------------
section "after the rollup pass: the same periods, reading raw samples only where answers are far apart"
run_pk -q maintain --trust-clock --rollup
expect_code 0
expect_eq "a 1-minute row for each minute with samples" \
  "$(db_query 'SELECT count(DISTINCT ts / 60000000) FROM samples WHERE target_id = 1')" \
  "$(db_query 'SELECT count(*) FROM rollup_1m WHERE target_id = 1')"
expect_eq "bursty: the day's answers, first and last answer and largest gap between answers" \
  "$(db_query "SELECT count(*), min(b), max(b), max(b - a) FROM (SELECT ts AS b, lag(ts) OVER (ORDER BY ts) AS a
               FROM samples WHERE target_id = 3 AND status IN (0, 4))")" \
  "$(db_query 'SELECT ok_count, ok_first, ok_last, ok_gap_max FROM rollup_1d WHERE target_id = 3')"
check_cases "rollups"

# ---------------------------------------------------------------------------
section "errors"
expect_rejected 2 'required' downtime
expect_rejected 3 'target "nope" not found' downtime nope
expect_rejected 2 '--since must be before --until' downtime lo --since 2026-03-02T06:00:00Z --until 2026-03-02T00:00:00Z
expect_rejected 2 '--since must be before --until' downtime lo --since 2026-03-02T06:00:00Z --until 2026-03-02T06:00:00Z
expect_rejected 2 'invalid time "noonish"' downtime lo --since noonish
expect_rejected 2 'invalid duration "-5s"' downtime lo --min-duration=-5s
expect_rejected 2 'invalid duration "half"' downtime lo --min-duration half
expect_rejected 2 'unexpected argument "quiet" for pingkeeper downtime' downtime lo quiet
expect_rejected 2 'unknown option "--points" for pingkeeper downtime' downtime lo --points 3

finish
