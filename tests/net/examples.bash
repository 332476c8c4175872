#!/usr/bin/env bash
# End-to-end: the deployment examples work as written.
#  - examples/pingkeeper.service passes systemd-analyze verify, and its
#    ExecStart runs the way systemd would start it: as an unprivileged user
#    with CAP_NET_RAW as its only (ambient) capability, with the unit's
#    Environment, in a namespace where unprivileged ICMP sockets are refused;
#    SIGTERM (the unit's KillSignal) ends it with exit 0 and every sample stored.
#  - each line of examples/pingkeeper.cron runs through /bin/sh as cron would.
# The only changes to the files as written: the binary path (/usr/local/bin ->
# the build) and the state folder (/var/lib/pingkeeper -> a temp folder).
# Only 127.0.0.1 inside the suite's own namespaces is probed.
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
source "$(dirname "$0")/lib.bash" "$1" "$2"
require_root_or_skip
require_tools systemd-analyze setpriv sqlite3

state="$PK_TMP/state"
mkdir -p "$state"
# Rewrites the two installation paths of an example file.
localize() { sed -e "s|/usr/local/bin/pingkeeper|$PK_BIN|g" -e "s|/var/lib/pingkeeper|$state|g" "$1"; }
count_samples() { sqlite3 "$1" "SELECT count(*) FROM samples WHERE status = 0"; }

# ---------------------------------------------------------------------------
section "systemd unit"
unit="$PK_TMP/pingkeeper.service"
localize "$examples/pingkeeper.service" >"$unit"
run_in_host() { PK_CMD=$(_pk_quote "$@"); _pk_capture "$@"; }
run_in_host systemd-analyze verify "$unit"
expect_code 0

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
environment=$(sed -n 's/^Environment=//p' "$unit")
expect_true "the unit sets PINGKEEPER_DB" grep -q '^Environment=PINGKEEPER_DB=' "$unit"
expect_true "the unit grants CAP_NET_RAW" grep -qx 'AmbientCapabilities=CAP_NET_RAW' "$unit"
expect_true "and no other capability" grep -qx 'CapabilityBoundingSet=CAP_NET_RAW' "$unit"
db=${environment#PINGKEEPER_DB=}

ns_new svc
# Unprivileged ICMP sockets refused: only the unit's capability makes ICMP work.
ns_sysctl svc net.ipv4.ping_group_range="1 0"
run_pk_in svc --db "$db" target add 127.0.0.1 --name lo --interval 200ms
expect_code 0
chown -R 65534:65534 "$state"

ip netns exec "$(ns svc)" env "$environment" \
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw \
  $exec_start >"$PK_TMP/svc.out" 2>"$PK_TMP/svc.err" &
svc_pid=$!
PK_SPAWNED+=("$svc_pid")
sleep 3
kill -TERM "$svc_pid"
svc_code=0
for _ in $(seq 1 100); do kill -0 "$svc_pid" 2>/dev/null || break; sleep 0.1; done
wait "$svc_pid" || svc_code=$?
PK_CMD="[svc uid 65534 +CAP_NET_RAW] $exec_start"
PK_CODE=$svc_code PK_ERR=$(<"$PK_TMP/svc.err") expect_code 0
expect_eq "quiet (-q): nothing on stdout" "" "$(<"$PK_TMP/svc.out")"
stored=$(count_samples "$db")
expect_between "samples stored by the service in ~3 s at 200 ms" 10 20 "$stored"
expect_eq "no lost samples" "0" "$(sqlite3 "$db" 'SELECT count(*) FROM samples WHERE status != 0')"

# ---------------------------------------------------------------------------
section "cron lines"
ns_new cron
run_pk_in cron --db "$state/pingkeeper.db" target add 127.0.0.2 --name lo2 --interval 30s
expect_code 0
run_pk_in cron --db "$state/wan.db" target add 127.0.0.3 --name lo3 --interval 5m
expect_code 0
before_main=$(count_samples "$state/pingkeeper.db")
lines=0
while IFS= read -r line; do
  [[ -z ${line// /} || $line == \#* ]] && continue
  lines=$((lines + 1))
  command=$(awk '{ for (i = 6; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }' <<<"$line")
  PK_CMD="[cron] sh -c '$command'"
  _pk_capture ip netns exec "$(ns cron)" sh -c "$command"
  expect_code 0
  expect_eq "cron line prints nothing (no mail): $command" "" "$PK_OUT$PK_ERR"
done < <(localize "$examples/pingkeeper.cron")
expect_eq "cron lines tried" "2" "$lines"
# Line 1: --count 3 for each active target (lo from the service part and lo2).
expect_eq "line 1 stored 3 probes for lo2" "3" \
  "$(sqlite3 "$state/pingkeeper.db" "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'lo2' AND s.status = 0")"
expect_eq "line 1 stored 3 probes for each of 2 targets" "$((before_main + 6))" "$(count_samples "$state/pingkeeper.db")"
expect_eq "line 2 stored one probe in wan.db" "1" "$(count_samples "$state/wan.db")"

# ---------------------------------------------------------------------------
section "make demo's script"
ns_new demo
PK_CMD="[demo] examples/demo.sh"
_pk_capture ip netns exec "$(ns demo)" env PINGKEEPER="$PK_BIN" DEMO_DB="$PK_TMP/demo.db" DEMO_SECONDS=2 \
  DEMO_REPORT="$PK_TMP/demo.xlsx" bash "$examples/demo.sh"
expect_code 0
expect_stdout_contains '$ pingkeeper stats --since 5m'
expect_stdout_matches '^lo +[0-9]+ +0\.00 '
expect_stdout_contains '$ pingkeeper downtime lo --since 5m'
expect_stdout_contains 'lo: 0 periods of downtime'
expect_stdout_contains "\$ pingkeeper export --since 5m -o $PK_TMP/demo.xlsx --force"
expect_stdout_matches '^wrote [0-9]+ rows of raw samples for 3 targets to '
expect_stdout_contains "The Excel report is $PK_TMP/demo.xlsx"
# The report as a spreadsheet program sees it (Debian's openpyxl): its sheets,
# and one Samples row per stored sample.
expect_eq "the demo's report" "Summary Charts Samples Downtime Hourly Daily; samples $(sqlite3 "$PK_TMP/demo.db" 'SELECT count(*) FROM samples')" \
  "$(/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for r in wb["Samples"].iter_rows(min_row=2, values_only=True) if r[0] is not None)
print(" ".join(wb.sheetnames) + "; samples %d" % rows)' "$PK_TMP/demo.xlsx" 2>&1)"

finish
