#!/usr/bin/env bash
# End-to-end: pingkeeper check T [--max-loss] [--warn-loss] [--max-p95]
# [--warn-p95] [--since 5m], a Nagios/Icinga plugin: one status line with
# perfdata on stdout and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, where
# UNKNOWN covers no samples, an unknown target, and every usage error.
# No probes are sent: targets are paused and samples are inserted with sqlite3.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# insert NAME RTT_SQL LOST_SQL [FROM_S COUNT]: COUNT samples of the target at
# 1 s from FROM_S seconds after now (default: from 10 minutes ago to 10 minutes
# ahead, so that any 5-minute window up to now holds exactly 300 samples).
insert() {
  db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${5:-1200} - 1)
            INSERT INTO samples (target_id, ts, rtt_us, status)
            SELECT (SELECT id FROM targets WHERE name = '$1'),
                   (CAST(strftime('%s', 'now') AS INTEGER) + ${4:--600} + i) * 1000000,
                   CASE WHEN $3 THEN NULL ELSE $2 END, CASE WHEN $3 THEN 1 ELSE 0 END
            FROM n" >/dev/null
}

# expect_unknown TEXT ARGS...: exit 3, the error on stderr, one UNKNOWN line
# naming it on stdout, and the database unchanged.
expect_unknown() {
  local text=$1
  shift
  db_snapshot
  run_pk "$@"
  expect_code 3
  expect_stderr_contains "pingkeeper: error: $text"
  expect_stdout_lines 1
  expect_stdout_matches "^PINGKEEPER UNKNOWN - "
  expect_stdout_contains "$text"
  expect_db_unchanged
}

NUM='[0-9]+\.[0-9]{3}'

run_pk init -q
expect_code 0
for t in ok lossy slow down idle exact; do
  run_pk target add 127.0.0.1 --name "$t" --paused
  expect_code 0
done
insert ok "10000 + (i * 7) % 2000" "0"
insert lossy "10000 + (i * 7) % 2000" "(i % 10 = 3)"
insert slow "200000 + (i * 7919) % 100000" "0"
insert down "0" "1"
insert exact "10000 + (i * 7919) % 5000" "0" -100 100

# ---------------------------------------------------------------------------
section "OK"
run_pk check ok
expect_code 0
expect_stderr_empty
expect_stdout_lines 1
expect_stdout_matches "^PINGKEEPER OK - ok: loss 0\.0%, p95 1[0-2]\.[0-9] ms \(300 probes in 5m\) \| loss=0\.0%;;;0;100 p95=${NUM}ms;; rta=${NUM}ms$"
run_pk check 1 --max-loss 5 --max-p95 150ms --warn-loss 1% --warn-p95 100ms
expect_code 0
expect_stdout_matches "^PINGKEEPER OK - ok: .* \| loss=0\.0%;1;5;0;100 p95=${NUM}ms;100;150 rta=${NUM}ms$"
run_pk check ok --since 10m
expect_code 0
expect_stdout_matches '\(600 probes in 10m\)'
# The exact p95 of the window, from raw samples: rank floor(0.95 * (n - 1)).
run_pk check exact
expect_code 0
expect_stdout_matches '\(100 probes in 5m\)'
p95=$(sed -E 's/.* p95=([0-9.]+)ms;.*/\1/' <<<"$PK_OUT")
expect_eq "p95 is the exact p95 of the window" "$p95" "$(db_query "
  SELECT printf('%.3f', rtt_us / 1000.0) FROM samples WHERE target_id = 6 ORDER BY rtt_us LIMIT 1 OFFSET 94")"

section "WARNING"
run_pk check lossy --warn-loss 5 --max-loss 20
expect_code 1
expect_stdout_lines 1
expect_stdout_matches "^PINGKEEPER WARNING - lossy: loss 10\.0%, p95 [0-9.]+ ms \(300 probes in 5m\) \| loss=10\.0%;5;20;0;100 p95=${NUM}ms;; rta=${NUM}ms$"
run_pk check slow --warn-p95 150ms --max-p95 400ms
expect_code 1
expect_stdout_matches "^PINGKEEPER WARNING - slow: loss 0\.0%, p95 2[0-9]{2}\.[0-9] ms .* p95=${NUM}ms;150;400 "

section "CRITICAL"
run_pk check lossy --max-loss 5%
expect_code 2
expect_stdout_matches '^PINGKEEPER CRITICAL - lossy: '
run_pk check lossy --warn-loss 2 --max-loss 5 --max-p95 1s
expect_code 2
run_pk check slow --max-p95 250ms
expect_code 2
expect_stdout_matches "^PINGKEEPER CRITICAL - slow: .* p95=${NUM}ms;;250 "
run_pk check slow --warn-p95 100ms --max-p95 0.25s
expect_code 2
run_pk check down
expect_code 2
expect_stdout_lines 1
expect_stdout_matches '^PINGKEEPER CRITICAL - down: loss 100\.0%, p95 n/a \(.* probes in 5m\) \| loss=100\.0%;;;0;100 p95=U;; rta=U$'
run_pk check down --max-loss 100
expect_code 2

section "levels are exclusive: a loss equal to the level is fine"
run_pk check lossy --max-loss 10
expect_code 0
run_pk check lossy --warn-loss 9.9 --max-loss 10
expect_code 1

section "without levels, a lossy or slow link is OK"
run_pk check lossy
expect_code 0
run_pk check slow
expect_code 0

section "UNKNOWN: no samples"
run_pk check idle
expect_code 3
expect_stderr_empty
expect_eq "no samples" "PINGKEEPER UNKNOWN - idle: no samples in the last 5m" "$PK_OUT"
run_pk check ok --since 2026-01-01 --max-loss 5
expect_code 0
run_pk check ok --since 20m
expect_code 0

# ---------------------------------------------------------------------------
section "UNKNOWN: every error, usage errors included"
expect_unknown 'target "nope" not found' check nope
expect_unknown 'T is required' check
expect_unknown 'unknown option "--bogus" for pingkeeper check' check ok --bogus
expect_unknown 'unexpected argument "extra" for pingkeeper check' check ok extra
expect_unknown 'invalid value "abc" for --max-loss: expected a loss in percent from 0 to 100, e.g. 5 or 5%' \
  check ok --max-loss abc
expect_unknown 'invalid value "101" for --max-loss' check ok --max-loss 101
expect_unknown 'invalid value "5ms" for --warn-loss' check ok --warn-loss 5ms
expect_unknown '--warn-loss 10% is above --max-loss 5%' check ok --warn-loss 10 --max-loss 5
expect_unknown '--warn-p95 200ms is above --max-p95 150ms' check ok --warn-p95 200ms --max-p95 150ms
expect_unknown '--max-p95 must be more than 0' check ok --max-p95 0
expect_unknown 'invalid duration "fast"' check ok --max-p95 fast
expect_unknown 'invalid time "whenever"' check ok --since whenever
expect_unknown '--since must be in the past' check ok --since +5m
expect_unknown 'unknown time zone "Mars/Olympus"' --tz Mars/Olympus check ok
expect_unknown 'unknown time zone "Mars/Olympus"' check ok --tz Mars/Olympus

section "help is not an error; other commands keep their exit codes"
run_pk check --help
expect_code 0
expect_stdout_contains "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"
run_pk stats ok --bogus
expect_code 2
expect_stdout_empty

finish
