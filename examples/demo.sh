#!/usr/bin/env bash
# The main job of `make demo`: set up a pingkeeper database with localhost
# targets and a business-hours job, then show the inventory. Uses the embedded
# SQLite store in a demo database of its own (DEMO_DB), so your real one is
# never touched. Collection arrives with the collector (issue "Collection engine").
set -euo pipefail

pk=${PINGKEEPER:-pingkeeper}
db=${DEMO_DB:-${TMPDIR:-/tmp}/pingkeeper-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
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
step target add 127.0.0.1 --name lo --interval 1s --tag site=local
step target add ::1 --name lo6 --interval 2s
step target add localhost --name ssh --probe tcp --port 22 --interval 5s --job-only
printf '127.0.0.2\n127.0.0.3\n' | "$pk" target import - --interval 10s --tag role=imported
echo '(imported 127.0.0.2 and 127.0.0.3 from standard input)'
step job add business-hours --targets lo,ssh --interval 5s \
  --window 'mon-fri 09:00-17:00' --tz Europe/Berlin
step target list
step job list
step job show business-hours --json
