#!/usr/bin/env bash
# The main job of `make demo`: set up a pingkeeper database with localhost
# targets and a job, collect from them for a few seconds, show what was seen
# (samples, statistics and downtime) and write an Excel report of it
# (DEMO_REPORT). Uses the embedded SQLite store in a demo database of its own
# (DEMO_DB), so your real one is never touched. Only loopback is probed.
set -euo pipefail

pk=${PINGKEEPER:-pingkeeper}
db=${DEMO_DB:-${TMPDIR:-/tmp}/pingkeeper-demo.db}
seconds=${DEMO_SECONDS:-5}
report=${DEMO_REPORT:-${TMPDIR:-/tmp}/pingkeeper-demo.xlsx}
rm -f "$db" "$db-wal" "$db-shm" "$db.lock"
export PINGKEEPER_DB=$db

# Echoes a command the way one would type it, then runs it.
step() {
  local shown=() a
  for a in "$@"; do
    if [[ $a == *[[:space:]]* ]]; then shown+=("'$a'"); else shown+=("$a"); fi
  done
  printf '\n$ pingkeeper %s\n' "${shown[*]}"
  "$pk" "$@"
}

step init
step target add 127.0.0.1 --name lo --interval 200ms --tag site=local
step target add ::1 --name lo6 --interval 500ms
# A TCP probe to a loopback port where nothing listens: the refusal is an answer.
step target add 127.0.0.1 --name tcp-closed --probe tcp --port 9 --interval 1s
step job add always-on --targets lo,lo6 --interval 1s
step target list
step run --duration "${seconds}s"
step logs lo --limit 5
step logs tcp-closed --limit 3
step stats --since 5m
step downtime lo --since 5m
step job show always-on
step export --since 5m -o "$report" --force
printf '\nThe Excel report is %s (open it with Excel or LibreOffice Calc).\n' "$report"
