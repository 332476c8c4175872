#!/usr/bin/env bash
# End-to-end: what issue 14 found when pingkeeper was tried by an attacker
# and by an unlucky operator, each a regression test: a damaged database
# refuses changes; a read-only folder still answers reads; `run -v | head`
# ends quietly with everything stored; SIGHUP reloads and SIGUSR1 commits at
# once (neither kills the collector); samples of a target removed during
# `run` are not stored; a clock 40 days ahead makes `maintain` refuse and
# delete nothing.
# Safety rule (TESTING.md): packets go only to 127.0.0.1 and to TCP sockets
# this suite opens there. Every background process is bounded and killed on
# exit.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

samples() { db_query "SELECT count(*) FROM samples${1:+ s JOIN targets t ON t.id = s.target_id WHERE t.name = '$1'}"; }

# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# stop_bg PID: SIGTERM, a bounded wait, then SIGKILL; sets BG_CODE.
stop_bg() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  BG_CODE=$?
}

# run_any CMD...: any command, captured as run_pk captures pingkeeper.
run_any() {
  timeout -k 5 60 "$@" >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
  PK_CODE=$?
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
}

run_pk init -q
start_ports
check_icmp "loopback targets use TCP to port $OPEN instead"
lo_args() { if ((ICMP_OK)); then :; else printf '%s\n' --probe tcp --port "$OPEN"; fi; }
mapfile -t LO < <(lo_args)

# ---------------------------------------------------------------------------
section "SIGHUP reloads at once, SIGUSR1 commits at once; neither ends the collector"
run_pk target add 127.0.0.1 --name hup "${LO[@]}" --interval 200ms -q
"$PK_BIN" run --duration 20s >"$PK_TMP/hup.out" 2>"$PK_TMP/hup.err" &
hup_pid=$!
PK_HELPERS+=("$hup_pid")
wait_for 5 test "$(samples hup)" -gt 0
kill -HUP "$hup_pid"
kill -USR1 "$hup_pid"
sleep 0.5
expect_eq "the collector lives on after SIGHUP and SIGUSR1" alive "$(kill -0 "$hup_pid" 2>/dev/null && echo alive)"
# SIGUSR1 commits what waits: a sample sent after the signal is stored long before the next 1 s round.
before=$(samples hup)
kill -USR1 "$hup_pid"
wait_for 1 test "$(samples hup)" -gt "$before"
expect_eq "after SIGUSR1 new samples are committed, the collector alive" yes "$( (($(samples hup) > before)) && kill -0 "$hup_pid" && echo yes)"
stop_bg "$hup_pid"
expect_eq "exit code after SIGTERM" 0 "$BG_CODE"

# ---------------------------------------------------------------------------
section "run -v | head: quiet, everything sent is stored"
run_pk target add 127.0.0.2 --name pipe "${LO[@]}" --interval 100ms -q
run_pk target pause hup -q
before=$(samples)
set -o pipefail
( "$PK_BIN" -v --json run --duration 10s 2>"$PK_TMP/pipe.err"; echo $? >"$PK_TMP/pipe.code" ) | head -n 3 >/dev/null
set +o pipefail
PK_CMD="pingkeeper -v --json run | head -n 3"
PK_OUT="" PK_ERR=$(<"$PK_TMP/pipe.err")
expect_eq "exit code" 0 "$(cat "$PK_TMP/pipe.code")"
expect_eq "no error or warning on stderr" "" "$(grep -v '^pingkeeper: database ' "$PK_TMP/pipe.err")"
expect_eq "the collector stopped long before --duration" yes "$( (($(samples) - before < 60)) && echo yes)"
expect_eq "no collector lease left" "" "$(db_query 'SELECT pid FROM collector_lease')"
run_pk target rm pipe -q

# ---------------------------------------------------------------------------
section "target rm during run: the removed target's samples stop at once"
run_pk target add 127.0.0.3 127.0.0.4 --interval 100ms "${LO[@]}" -q
"$PK_BIN" run --duration 20s >"$PK_TMP/rm.out" 2>"$PK_TMP/rm.err" &
rm_pid=$!
PK_HELPERS+=("$rm_pid")
wait_for 5 test "$(samples 127.0.0.3)" -gt 5
removed_id=$(db_query "SELECT id FROM targets WHERE name = '127.0.0.3'")
run_pk target rm 127.0.0.3
expect_code 0
sleep 2.5
stop_bg "$rm_pid"
expect_eq "exit code" 0 "$BG_CODE"
expect_eq "no samples of the removed target (no orphans)" 0 \
  "$(db_query "SELECT count(*) FROM samples WHERE target_id = $removed_id")"
expect_eq "the other target was probed throughout" yes "$( (($(samples 127.0.0.4) > 30)) && echo yes)"

# ---------------------------------------------------------------------------
section "a clock 40 days ahead: maintain refuses and deletes nothing"
clock_db="$PK_TMP/clock.db"
run_pk --db "$clock_db" demo --targets 1 --days 2 --interval 10s --prefix c
expect_code 0
raw_before=$(sqlite3 "$clock_db" "SELECT count(*) FROM samples")
if command -v faketime >/dev/null; then
  PK_CMD="faketime +40d pingkeeper maintain"
  run_any faketime -f +40d "$PK_BIN" --db "$clock_db" maintain
  expect_code 2
  expect_stderr_contains "past the newest stored data"
  expect_stderr_contains "--trust-clock"
  expect_eq "every raw sample kept" "$raw_before" "$(sqlite3 "$clock_db" "SELECT count(*) FROM samples")"
  expect_eq "no watermark in the future" 0 \
    "$(sqlite3 "$clock_db" "SELECT count(*) FROM settings WHERE key LIKE 'rollup.watermark.%'
                             AND CAST(value AS INTEGER) > CAST(strftime('%s', 'now', '+1 day') AS INTEGER) * 1000000")"
  run_any faketime -f +40d "$PK_BIN" --db "$clock_db" maintain --trust-clock --json
  expect_code 0
  expect_eq "with --trust-clock the raw samples past their 30 days go" 0 \
    "$(sqlite3 "$clock_db" "SELECT count(*) FROM samples")"
else
  _pk_fail "faketime installed" "faketime (scripts/install-deps.sh)" "missing"
fi

# ---------------------------------------------------------------------------
section "a damaged database refuses changes and is left as it is"
bad_db="$PK_TMP/bad.db"
run_pk --db "$bad_db" target add 192.0.2.1 192.0.2.2 192.0.2.3 -q
sqlite3 "$bad_db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
read -r page_size root <<<"$(sqlite3 -separator ' ' "$bad_db" "SELECT (SELECT page_size FROM pragma_page_size), rootpage FROM sqlite_master WHERE name = 'targets'")"
# Garbage over the targets table's page, past its header.
python3 - "$bad_db" "$page_size" "$root" <<'PY'
import sys
path, size, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek((root - 1) * size + 8)
    f.write(bytes((i * 37 + 11) % 256 for i in range(size - 16)))
PY
sum_before=$(md5sum <"$bad_db")
run_pk --db "$bad_db" target add 192.0.2.4
expect_code 1
expect_stderr_contains "the database file is damaged"
run_pk --db "$bad_db" maintain
expect_code 1
expect_stderr_contains "the database file is damaged"
expect_eq "the file is unchanged" "$sum_before" "$(md5sum <"$bad_db")"

# ---------------------------------------------------------------------------
section "a read-only folder: reads work, changes are refused (as another user)"
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  ro_dir="$PK_TMP/ro"
  mkdir -p "$ro_dir"
  run_pk --db "$ro_dir/pk.db" target add 192.0.2.9 --name ro-target -q
  sqlite3 "$ro_dir/pk.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  rm -f "$ro_dir/pk.db-wal" "$ro_dir/pk.db-shm"
  chmod 755 "$PK_TMP" "$ro_dir"
  chmod 644 "$ro_dir/pk.db"
  nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups "$PK_BIN" --db "$ro_dir/pk.db")
  PK_CMD="(as nobody) pingkeeper target list"
  run_any "${nobody[@]}" target list
  expect_code 0
  expect_stdout_contains "ro-target"
  PK_CMD="(as nobody) pingkeeper stats"
  run_any "${nobody[@]}" stats
  expect_code 0
  PK_CMD="(as nobody) pingkeeper target add"
  run_any "${nobody[@]}" target add 192.0.2.10
  expect_code 4
  expect_stderr_contains "cannot be written here"
  expect_eq "no -wal or -shm created" "" "$(ls "$ro_dir" | grep -v '^pk.db$')"
  chmod 700 "$PK_TMP"
else
  echo "note: not root: the read-only folder check needs setpriv as root"
fi

finish
