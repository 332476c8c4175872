#!/usr/bin/env bash
# End-to-end: pingkeeper maintain (rollup, prune, vacuum, rebuild; report as
# fields or --json; waits for another maintenance) and pingkeeper retention
# show / set (table, --json, --csv; every usage error leaves the database
# unchanged). Samples are written straight into the database with sqlite3,
# relative to now; nothing is probed. (The steady-state file size under
# repeated fill and prune needs a moving clock: tests/unit/test_maintain_retention.cpp.)
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# --- helpers ------------------------------------------------------------------

# fill ID FROM_S TO_S STEP_S: samples of target ID every STEP_S seconds over
# [now - FROM_S, now - TO_S), RTT 20-21 ms, every 41st lost.
fill() {
  local now
  now=$(date +%s)
  db_query "WITH RECURSIVE s(ts) AS (SELECT ($now - $2) * 1000000 UNION ALL SELECT ts + $4 * 1000000 FROM s
            WHERE ts + $4 * 1000000 < ($now - $3) * 1000000)
            INSERT INTO samples (target_id, ts, rtt_us, status)
            SELECT $1, ts, CASE WHEN (ts / 1000000) % 41 = 0 THEN NULL ELSE 20000 + (ts / 1000000) % 997 END,
                   CASE WHEN (ts / 1000000) % 41 = 0 THEN 1 ELSE 0 END FROM s" >/dev/null
}

file_size() { stat -c %s "$PINGKEEPER_DB"; }

# fresh_watermark_minute: the 1m watermark is the minute boundary 90 s (the
# rollup settle) before now, so it moves at second 30 of every minute. The
# checks from the first rollup to `retention show` compare watermarks across
# several commands: start them early in a watermark minute (waits <= 16 s).
fresh_watermark_minute() {
  local phase=$(( ($(date +%s) - 90) % 60 ))
  if (( phase >= 45 )); then sleep $(( 61 - phase )); fi
}

run_pk init -q
expect_code 0
run_pk target add 192.0.2.10 --name a --paused -q
expect_code 0
run_pk target add 192.0.2.11 --name b --paused -q
expect_code 0

# --- an empty database ------------------------------------------------------------

run_pk maintain
expect_code 0
expect_stdout_contains "rollup rows:      1m 0, 1h 0, 1d 0 (from 0 samples)"
expect_stdout_contains "rolled up until:  1m -, 1h -, 1d -"
expect_stdout_contains "deleted rows:     raw 0, 1m 0, 1h 0, 1d 0, traces 0"
expect_stdout_contains "vacuum:"
run_pk maintain --json
expect_code 0
expect_json "d['rollup']['rows_written']" "{'1m': 0, '1h': 0, '1d': 0}"
expect_json "d['rollup']['rolled_up_until']" "{'1m': None, '1h': None, '1d': None}"
expect_json "d['prune']['rows_deleted']" "{'raw': 0, '1m': 0, '1h': 0, '1d': 0}"
expect_json "sorted(d['vacuum'])" "['bytes_freed', 'pages_freed']"
run_pk maintain -q
expect_code 0
expect_stdout_empty

# --- rollup ---------------------------------------------------------------------

fresh_watermark_minute
fill 1 $((3 * 86400)) 60 30
fill 2 $((2 * 86400 + 7)) 60 60
run_pk maintain --rollup --json
expect_code 0
expect_json "d['prune'] is None and d['vacuum'] is None" "True"
expect_json "d['rollup']['rebuilt']" "False"
w1m=$(json_value "d['rollup']['rolled_up_until']['1m']")
w1m_us=$("$PK_PYTHON" -c "import datetime as d, sys; print(int(d.datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00')).timestamp()) * 1000000)" "$w1m")
expect_eq "1m watermark a minute or two before now" "1" \
  "$(( $(date +%s) * 1000000 - w1m_us >= 90000000 && $(date +%s) * 1000000 - w1m_us < 300000000 ))"
expect_json "d['rollup']['samples_read']" "$(db_query "SELECT count(*) FROM samples WHERE ts < $w1m_us")"
expect_json "d['rollup']['rows_written']['1m']" "$(db_query "SELECT count(*) FROM rollup_1m")"
expect_eq "every sample below the watermark is in exactly one 1m row" \
  "$(db_query "SELECT count(*), count(rtt_us) FROM samples WHERE ts < $w1m_us")" \
  "$(db_query "SELECT sum(sent), sum(received) FROM rollup_1m")"
expect_eq "1m rows: one per target and minute with samples" \
  "$(db_query "SELECT count(*) FROM (SELECT DISTINCT target_id, ts / 60000000 FROM samples WHERE ts < $w1m_us)")" \
  "$(db_query "SELECT count(*) FROM rollup_1m")"
expect_eq "1m min and max per row match the samples" "" \
  "$(db_query "SELECT r.target_id, r.bucket FROM rollup_1m r WHERE r.rtt_min IS NOT (SELECT min(rtt_us) FROM samples s
               WHERE s.target_id = r.target_id AND s.ts >= r.bucket AND s.ts < r.bucket + 60000000)
               OR r.rtt_max IS NOT (SELECT max(rtt_us) FROM samples s
               WHERE s.target_id = r.target_id AND s.ts >= r.bucket AND s.ts < r.bucket + 60000000) LIMIT 3")"
w1h=$(db_query "SELECT value FROM settings WHERE key = 'rollup.watermark.1h'")
expect_eq "1h rows hold every 1m row below the 1h watermark" \
  "$(db_query "SELECT sum(sent), sum(received) FROM rollup_1m WHERE bucket < $w1h")" \
  "$(db_query "SELECT sum(sent), sum(received) FROM rollup_1h")"
w1d=$(db_query "SELECT value FROM settings WHERE key = 'rollup.watermark.1d'")
expect_eq "1d rows hold every 1h row below the 1d watermark" \
  "$(db_query "SELECT sum(sent), sum(received) FROM rollup_1h WHERE bucket < $w1d")" \
  "$(db_query "SELECT sum(sent), sum(received) FROM rollup_1d")"
expect_eq "1d buckets are UTC midnights" "0" "$(db_query "SELECT count(*) FROM rollup_1d WHERE bucket % 86400000000 != 0")"

# A second run finds nothing new.
db_snapshot
run_pk maintain --rollup --json
expect_code 0
expect_json "d['rollup']['rows_written']" "{'1m': 0, '1h': 0, '1d': 0}"
expect_json "d['rollup']['samples_read']" "0"
expect_db_unchanged

# The human report.
run_pk maintain --rollup
expect_code 0
expect_stdout_contains "rollup rows:      1m 0, 1h 0, 1d 0 (from 0 samples)"
expect_stdout_matches "rolled up until:  1m [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC, 1h .*, 1d [0-9-]{10} 00:00:00 UTC"
expect_stdout_not_contains "deleted rows"
run_pk maintain --rollup --tz Asia/Kolkata
expect_stdout_contains " IST"

# --- rebuild ----------------------------------------------------------------------

good=$(db_query "SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1m
                 UNION ALL SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1h
                 UNION ALL SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1d")
db_query "UPDATE rollup_1m SET sent = sent + 3; DELETE FROM rollup_1h WHERE target_id = 2; UPDATE rollup_1d SET received = 0, rtt_mean = NULL" >/dev/null
run_pk maintain --rebuild-rollups --json
expect_code 0
expect_json "d['rollup']['rebuilt']" "True"
expect_json "d['prune'] is None and d['vacuum'] is None" "True"
expect_eq "rebuild restores every row" "$good" \
  "$(db_query "SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1m
               UNION ALL SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1h
               UNION ALL SELECT target_id, bucket, sent, received, rtt_min, rtt_max, hex(sketch) FROM rollup_1d")"
run_pk maintain --rebuild-rollups
expect_code 0
expect_stdout_contains "rebuilt rows:"

# --- retention show / set ---------------------------------------------------------

run_pk retention show
expect_code 0
expect_stdout_matches "^TIER +KEEP +OLDEST_KEPT +ROLLED_UP_UNTIL$"
expect_stdout_matches "^raw +30d +- +-$"
expect_stdout_matches "^1m +90d +- +[0-9]{4}-"
expect_stdout_matches "^1h +5y +- +[0-9]{4}-"
expect_stdout_matches "^1d +forever +- +[0-9]{4}-"
run_pk retention show --json
expect_code 0
expect_json "[x['tier'] for x in d]" "['raw', '1m', '1h', '1d']"
expect_json "[x['keep'] for x in d]" "['30d', '90d', '5y', 'forever']"
expect_json "[x['keep_seconds'] for x in d]" "[2592000, 7776000, 157680000, None]"
expect_json "[x['oldest_kept'] for x in d]" "[None, None, None, None]"
expect_json "d[1]['rolled_up_until']" "$w1m"
expect_json "d[0]['rolled_up_until']" "None"
run_pk retention show --csv
expect_code 0
expect_stdout_contains "tier,keep,oldest_kept,rolled_up_until"
expect_stdout_contains "raw,30d,,"
expect_stdout_contains "1m,90d,,$w1m"

# Every usage error: exit 2, one message, the database unchanged.
expect_rejected 2 'unknown tier "5m" in "5m=1d": use raw, 1m, 1h or 1d' retention set 5m=1d
expect_rejected 2 'invalid retention "raw": expected TIER=KEEP' retention set raw
expect_rejected 2 'raw=7x: invalid duration "7x"' retention set raw=7x
expect_rejected 2 'raw=: invalid duration ""' retention set raw=
expect_rejected 2 'tier raw given twice' retention set raw=7d 1m=30d raw=8d
expect_rejected 2 'raw=0: raw must be kept at least 1h' retention set raw=0
expect_rejected 2 'raw=-1d: invalid duration "-1d": signs are not allowed' retention set raw=-1d
expect_rejected 2 'raw=30m: raw must be kept at least 1h' retention set raw=30m
expect_rejected 2 '1h=12h: 1h must be kept at least 1d' retention set 1h=12h
expect_rejected 2 '1m would be kept shorter than raw (90d < 100d)' retention set raw=100d
expect_rejected 2 '1m would be kept shorter than raw (90d < forever)' retention set raw=forever
expect_rejected 2 '1d would be kept shorter than 1h (1y < 5y)' retention set 1d=1y
expect_rejected 2 'TIER=KEEP is required' retention set
expect_rejected 2 'pingkeeper retention needs a command: show, set' retention
expect_rejected 2 'unknown command "list" for pingkeeper retention' retention list
expect_rejected 2 'unknown option "--keep" for pingkeeper maintain' maintain --keep
expect_rejected 2 'maintain has no CSV output: use --json' maintain --csv

run_pk retention set raw=1d 1m=2d 1h=2y
expect_code 0
expect_stdout_matches "^raw +1d +- +-$"
expect_stdout_matches "^1m +2d +- "
expect_stdout_matches "^1h +2y +- "
expect_stdout_matches "^1d +forever +- "
expect_eq "stored texts" "1d|2d|2y|forever" \
  "$(db_query "SELECT group_concat(value, '|') FROM (SELECT value FROM settings WHERE key LIKE 'retention.%'
               ORDER BY CASE key WHEN 'retention.raw' THEN 0 WHEN 'retention.1m' THEN 1 WHEN 'retention.1h' THEN 2 ELSE 3 END)")"
run_pk retention set 1d=10y --json
expect_code 0
expect_json "[x['keep'] for x in d]" "['1d', '2d', '2y', '10y']"
run_pk retention set 1d=forever -q
expect_code 0
expect_stdout_empty

# --- prune and vacuum ---------------------------------------------------------------

old=$(db_query "SELECT count(*) FROM samples WHERE ts < (strftime('%s', 'now') - 86400) * 1000000 - 60000000")
newer=$(db_query "SELECT count(*) FROM samples WHERE ts >= (strftime('%s', 'now') - 86400 + 60) * 1000000")
before_1m=$(db_query "SELECT count(*) FROM rollup_1m")
size_before=$(file_size)
# Two traceroute runs: one older than the raw keep (1d), one recent.
for age in 172800 60; do
  db_query "INSERT INTO traces (host, address, method, started_at, duration_us, first_ttl, max_hops, queries,
              hop_count, reached, path_hash) VALUES ('192.0.2.1', '192.0.2.1', 'udp',
              (strftime('%s', 'now') - $age) * 1000000, 1000, 1, 30, 1, 1, 1, '0123456789abcdef')" >/dev/null
  db_query "INSERT INTO trace_hops (trace_id, hop, probe, address, rtt_us, reply)
              VALUES ((SELECT max(id) FROM traces), 1, 1, '192.0.2.1', 100, 'reached')" >/dev/null
done
run_pk maintain --prune --json
expect_code 0
expect_json "d['prune']['traces_deleted']" 1
expect_eq "the recent trace is kept, the old one gone with its hops" "1|1" \
  "$(db_query "SELECT count(*), (SELECT count(*) FROM trace_hops) FROM traces WHERE started_at > (strftime('%s', 'now') - 3600) * 1000000")"
expect_json "d['rollup'] is None and d['vacuum'] is None" "True"
horizon=$(db_query "SELECT value FROM settings WHERE key = 'horizon.raw'")
expect_eq "no sample before the raw horizon" "0" "$(db_query "SELECT count(*) FROM samples WHERE ts < $horizon")"
expect_eq "the raw horizon is a whole minute, a day before now" "1" \
  "$(db_query "SELECT $horizon % 60000000 = 0 AND abs($horizon / 1000000 - (strftime('%s', 'now') - 86400)) <= 120")"
expect_json "d['prune']['rows_deleted']['raw'] >= $old and d['prune']['rows_deleted']['raw'] > 0" "True"
expect_eq "samples of the last day untouched" "1" \
  "$(db_query "SELECT count(*) >= $newer FROM samples WHERE ts >= (strftime('%s', 'now') - 86400 + 60) * 1000000")"
expect_json "d['prune']['rows_deleted']['1m']" "$((before_1m - $(db_query "SELECT count(*) FROM rollup_1m")))"
expect_json "d['prune']['rows_deleted']['1m'] > 0" "True"
expect_json "d['prune']['rows_deleted']['1d']" "0"
run_pk retention show --json
expect_json "d[0]['oldest_kept'] is not None and d[1]['oldest_kept'] is not None and d[3]['oldest_kept'] is None" "True"
expect_eq "the 1m horizon matches the setting" "$(db_query "SELECT value FROM settings WHERE key = 'horizon.1m'")" \
  "$("$PK_PYTHON" -c "import datetime as d, sys; t = d.datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00')); print(int(t.timestamp()) * 1000000)" "$(json_value "d[1]['oldest_kept']")")"
run_pk maintain --vacuum --json
expect_code 0
expect_json "d['vacuum']['pages_freed'] > 0" "True"
expect_json "d['vacuum']['bytes_freed'] == d['vacuum']['pages_freed'] * 4096" "True"
size_after=$(file_size)
expect_eq "vacuum shrinks the file" "1" "$((size_after < size_before))"
run_pk maintain --vacuum --json
expect_json "d['vacuum']['pages_freed']" "0"

# Everything at once (no flag), and again: nothing left to do.
run_pk maintain --json
expect_code 0
expect_json "sum(d['prune']['rows_deleted'].values())" "0"

# --- one maintenance at a time ---------------------------------------------------------

lockfile="$PINGKEEPER_DB.maintain.lock"
flock -x "$lockfile" sleep 2 &
PK_HELPERS+=("$!")
for _ in $(seq 100); do
  flock -n "$lockfile" true 2>/dev/null || break
  sleep 0.02
done
run_pk maintain --rollup
expect_code 0
expect_stderr_contains "pingkeeper: waiting for the maintenance already running on $PINGKEEPER_DB"
expect_stdout_contains "rollup rows:"

run_pk maintain --help
expect_code 0
expect_stdout_contains "--rebuild-rollups"
expect_stdout_contains "A running collector"
run_pk retention set --help
expect_code 0
expect_stdout_contains "Defaults: raw=30d 1m=90d 1h=5y 1d=forever"

finish
