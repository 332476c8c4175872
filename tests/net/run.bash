#!/usr/bin/env bash
# `pingkeeper run` (the collector) end to end, in network namespaces only:
# loopback collection, loss behind an nft drop, RTT on the delaying responder
# against ping(8) in the same run, IPv6, unreachable hosts, TCP open/closed,
# a job whose start/end lie a few seconds ahead, live reload of targets,
# SIGTERM (nothing lost) and kill -9 (integrity, at most the last batch lost,
# lock released, open job runs closed on restart). Functional bands, not
# benchmarks (timing claims live in tests/bench).
#
#   bash tests/net/run.bash PINGKEEPER PK_ICMP_RESPONDER
#
# Every scenario builds its own namespace(s) with the lib.bash helpers and its
# own database; namespaces have no route out, so only loopback and the test
# hosts created here are ever probed. Every wait below is bounded.
# shellcheck source-path=SCRIPTDIR source=lib.bash

source "$(dirname "$0")/lib.bash" "$@"
require_root_or_skip
require_tools ping nft sysctl sqlite3 timeout python3

PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[[ -x ${PY:-} ]] || PY=$(command -v python3)
SUITE_START=$SECONDS

# --- helpers ------------------------------------------------------------------

# db NAME: the database file of one scenario.
db() { printf '%s/%s.db' "$PK_TMP" "$1"; }

# sq DB SQL: a read-only query (waits for a busy writer up to 5 s).
sq() { sqlite3 -cmd '.timeout 5000' "$1" "$2" 2>&1; }

# now_us: wall clock, microseconds since the epoch.
now_us() { date +%s%6N; }

# iso_us ISO: "2026-11-22T14:32:29.648331Z" -> microseconds since the epoch.
iso_us() {
  "$PY" -c '
import sys, datetime as d
s = sys.argv[1].replace("Z", "+00:00")
t = d.datetime.fromisoformat(s)
print(int(t.timestamp()) * 1000000 + t.microsecond)' "$1" 2>/dev/null
}

# json_field EXPR: EXPR over d = the JSON document on the last stdout.
json_field() {
  "$PY" -c '
import json, sys
d = json.load(open(sys.argv[2]))
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$PK_TMP/stdout" 2>/dev/null
}

# median_rtt_ms DB TARGET: median RTT (ms) of the target's answered samples.
median_rtt_ms() {
  sq "$1" "SELECT rtt_us FROM samples s JOIN targets t ON t.id = s.target_id
           WHERE t.name = '$2' AND s.status = 0 AND s.rtt_us IS NOT NULL ORDER BY rtt_us" |
    awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2] / 1000;
                           else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2000}'
}

# count_where DB TARGET [CONDITION]: samples of TARGET (matching CONDITION on s.*).
count_where() {
  sq "$1" "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id
           WHERE t.name = '$2' AND (${3:-1})"
}

# statuses DB TARGET: the distinct status codes of TARGET's samples, comma-separated.
statuses() {
  sq "$1" "SELECT group_concat(status, ',') FROM (SELECT DISTINCT s.status FROM samples s
           JOIN targets t ON t.id = s.target_id WHERE t.name = '$2' ORDER BY s.status)"
}

# summary_line: "N targets: sent S, answered A, lost L; stored X samples" of the
# last stdout as "targets sent answered lost stored", or nothing.
summary_numbers() {
  sed -nE 's/^([0-9]+) targets: sent ([0-9]+), answered ([0-9]+), lost ([0-9]+); stored ([0-9]+) samples$/\1 \2 \3 \4 \5/p' \
    "$PK_TMP/stdout" | tail -n 1
}

# bg_pk NAME LOG ARGS...: pingkeeper ARGS in the background inside NAME (`ip
# netns exec` execs, so BG_PID is pingkeeper's own pid); killed at teardown.
bg_pk() {
  local name=$1 log=$2
  shift 2
  ns_spawn "$name" "$log" "$PK_BIN" "$@"
  BG_PID=$SPAWNED_PID
}

# wait_exit PID SECONDS: waits (bounded) for PID to end; sets BG_CODE to its
# exit status, or to "hung" after SIGKILL when it did not end in time.
wait_exit() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    BG_CODE=hung
    return
  fi
  wait "$pid" 2>/dev/null
  BG_CODE=$?
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; 0 once it succeeds.
wait_until() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# (The predicates below are called through wait_until.)
# shellcheck disable=SC2317
# lock_holds DB PID: the collector lease of DB names PID (the collector has started).
lease_pid() { sqlite3 "$1" "SELECT pid FROM collector_lease" 2>/dev/null; }
lock_holds() { [[ $(lease_pid "$1") == "$2" ]]; }

# shellcheck disable=SC2317
# has_samples DB [N]: at least N (default 1) samples are committed.
has_samples() { (($(sqlite3 -cmd '.timeout 1000' "$1" 'SELECT count(*) FROM samples' 2>/dev/null || echo 0) >= ${2:-1})); }

# shellcheck disable=SC2317
# target_has_samples DB TARGET: TARGET has a committed sample.
target_has_samples() { (($(count_where "$1" "$2" 2>/dev/null || echo 0) >= 1)); }

# start_listener NAME PORT: a Python TCP listener on [::]:PORT (v4 and v6)
# inside NAME for at most 60 s; waits until it is ready.
start_listener() {
  local name=$1 port=$2 log="$PK_TMP/listener.$1.$2.log" i
  ns_spawn "$name" "$log" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(64); s.settimeout(0.5)
print("ready", flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        c, _ = s.accept(); c.close()
    except socket.timeout:
        pass
' "$port"
  for ((i = 0; i < 50; i++)); do
    grep -qs ready "$log" && return 0
    sleep 0.1
  done
  _pk_fatal "TCP listener in $name: $(cat "$log.err" 2>/dev/null)"
}

# The command must exist: a missing `run` is one failure, not a cascade.
PK_CMD="pingkeeper run --help"
_pk_capture "$PK_BIN" run --help
if [[ $PK_CODE != 0 || $PK_OUT != *--duration* ]]; then
  _pk_fail "pingkeeper has a run command" "exit 0 and --duration in 'pingkeeper run --help'" \
    "exit $PK_CODE: $(_pk_short "$PK_OUT $PK_ERR")"
  finish
fi

# ---------------------------------------------------------------------------
section "(a) loopback: a 200 ms target on 127.0.0.1, run --duration 5s"
ns_new lo
DB=$(db lo)
run_pk_in lo --db "$DB" target add 127.0.0.1 --name lo --interval 200ms
expect_code 0
t0=$SECONDS
run_pk_in lo --db "$DB" run --duration 5s
expect_code 0
elapsed=$((SECONDS - t0))
expect_between "run --duration 5s took (s)" 4 8 "$elapsed"
stored=$(count_where "$DB" lo)
expect_between "samples stored in 5 s at 200 ms" 20 30 "$stored"
expect_eq "none lost: every sample has status 0 (ok)" "0" "$(count_where "$DB" lo 's.status != 0 OR s.rtt_us IS NULL')"
expect_eq "summary line agrees with the database" "1 $stored $stored 0 $stored" "$(summary_numbers)"
expect_eq "TTL recorded on every sample" "$stored" "$(count_where "$DB" lo 's.ttl BETWEEN 1 AND 255')"
note "loopback: $stored samples in run --duration 5s (${elapsed}s), $(median_rtt_ms "$DB" lo) ms median"

# ---------------------------------------------------------------------------
section "(b) 1-in-5 random drop (nft numgen) on a veth peer, 100 probes"
ns_new loss_c loss_t
ns_link loss_c loss_t 2
T=$(addr4 loss_t 2)
ns_wait_reachable loss_c "$T" 5 || _pk_fatal "loss_c cannot reach $T"
ns_drop_icmp loss_t 5
DB=$(db loss)
run_pk_in loss_c --db "$DB" target add "$T" --name peer --interval 100ms --timeout 1s
expect_code 0
run_pk_in loss_c --db "$DB" run --count 100
expect_code 0
expect_eq "100 samples stored" "100" "$(count_where "$DB" peer)"
lost=$(count_where "$DB" peer 's.status != 0')
expect_between "loss % behind a 1-in-5 drop over 100 probes" 8 35 "$lost"
expect_eq "lost samples are timeouts (status 1) with a NULL rtt" "$lost" \
  "$(count_where "$DB" peer 's.status = 1 AND s.rtt_us IS NULL')"
expect_eq "summary line: 1 target, 100 sent, lost as stored" "1 100 $((100 - lost)) $lost 100" "$(summary_numbers)"
note "nft 1-in-5 drop: $lost % loss over 100 probes"
ns_clear_nft loss_t

# ---------------------------------------------------------------------------
section "(c) RTT on the delaying responder (50 ms) vs ping(8), same run"
ns_new rtt_c rtt_t
ns_link rtt_c rtt_t 3
T=$(addr4 rtt_t 3)
ns_wait_reachable rtt_c "$T" 5 || _pk_fatal "rtt_c cannot reach $T"
ns_sysctl rtt_t net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
start_responder rtt_t --delay 50ms
DB=$(db rtt)
run_pk_in rtt_c --db "$DB" target add "$T" --name slow --interval 200ms --timeout 2s
expect_code 0
run_in rtt_c ping -n -c 10 -i 0.2 -W 2 "$T"
expect_code 0
ref=$(rtt_median)
run_pk_in rtt_c --db "$DB" run --count 10
expect_code 0
expect_eq "10 answered samples" "10" "$(count_where "$DB" slow 's.status = 0 AND s.rtt_us IS NOT NULL')"
pk=$(median_rtt_ms "$DB" slow)
run_in rtt_c ping -n -c 10 -i 0.2 -W 2 "$T"
ref2=$(rtt_median)
stop_responder
expect_between "pingkeeper median RTT (ms) on a 50 ms responder" 45 80 "$pk"
expect_between "ping(8) median RTT (ms), same run" 45 80 "$ref"
expect_between "pingkeeper - ping(8) median (ms)" -5 5 "$(awk -v a="$pk" -v b="$ref" 'BEGIN {printf "%.3f", a - b}')"
expect_between "pingkeeper - ping(8) median, ping(8) after (ms)" -5 5 \
  "$(awk -v a="$pk" -v b="$ref2" 'BEGIN {printf "%.3f", a - b}')"
note "50 ms responder: run median ${pk:-?} ms, ping(8) ${ref:-?} ms before / ${ref2:-?} ms after"

# ---------------------------------------------------------------------------
section "(d) IPv6: ::1 and a v6 veth peer (fresh neighbour discovery)"
ns_new v6_c v6_t
ns_link v6_c v6_t 4
T6=$(addr6 v6_t 4)
ns_wait_reachable v6_c "$T6" 10 || _pk_fatal "v6_c cannot reach $T6"
ns_exec v6_c ip -6 neigh flush all
DB=$(db v6)
run_pk_in v6_c --db "$DB" target add ::1 --name lo6 --interval 200ms
expect_code 0
run_pk_in v6_c --db "$DB" target add "$T6" --name peer6 --interval 200ms --timeout 1s
expect_code 0
run_pk_in v6_c --db "$DB" run --count 5
expect_code 0
expect_eq "::1: 5 samples, all ok with an rtt" "5 5" \
  "$(count_where "$DB" lo6) $(count_where "$DB" lo6 's.status = 0 AND s.rtt_us IS NOT NULL')"
expect_eq "v6 peer: 5 samples stored" "5" "$(count_where "$DB" peer6)"
# The first probe may have waited for neighbour discovery (a timeout is
# tolerated there); every later one is answered.
first_ts=$(sq "$DB" "SELECT min(ts) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'peer6'")
expect_eq "v6 peer: every probe after the first is answered" "4" \
  "$(count_where "$DB" peer6 "s.ts > ${first_ts:-0} AND s.status = 0 AND s.rtt_us IS NOT NULL")"
expect_eq "v6 peer: hop limit recorded (64)" "$(count_where "$DB" peer6 's.status = 0')" \
  "$(count_where "$DB" peer6 's.status = 0 AND s.ttl = 64')"
note "IPv6: ::1 median $(median_rtt_ms "$DB" lo6) ms, peer median $(median_rtt_ms "$DB" peer6) ms, first peer status $(sq "$DB" "SELECT status FROM samples WHERE ts = ${first_ts:-0}")"

# ---------------------------------------------------------------------------
section "(e) unreachable: a route to nowhere and an on-link address with no host"
ns_new un_c un_t
ns_link un_c un_t 5
ns_exec un_c ip route add unreachable 10.88.0.0/16 || _pk_fatal "unreachable route"
NOHOST=10.77.5.99
NOWHERE=10.88.0.1
DB=$(db unreach)
run_pk_in un_c --db "$DB" target add "$NOWHERE" --name nowhere --interval 200ms --timeout 1s
expect_code 0
run_pk_in un_c --db "$DB" target add "$NOHOST" --name nohost --interval 200ms --timeout 1s
expect_code 0
run_pk_in un_c --db "$DB" target add 127.0.0.1 --name alive --interval 200ms
expect_code 0
run_pk_in un_c --db "$DB" run --count 3
expect_code 0
expect_eq "route to nowhere: 3 samples, all unreachable (2) with a NULL rtt" "3 3" \
  "$(count_where "$DB" nowhere) $(count_where "$DB" nowhere 's.status = 2 AND s.rtt_us IS NULL')"
expect_eq "no host on the link: 3 samples, timeout (1) or unreachable (2), NULL rtt" "3 3" \
  "$(count_where "$DB" nohost) $(count_where "$DB" nohost 's.status IN (1, 2) AND s.rtt_us IS NULL')"
expect_eq "the reachable target alongside is unaffected" "3" "$(count_where "$DB" alive 's.status = 0')"
expect_eq "summary: 3 targets, 9 sent, 3 answered, 6 lost, 9 stored" "3 9 3 6 9" "$(summary_numbers)"
note "unreachable statuses: route to nowhere $(statuses "$DB" nowhere), no host $(statuses "$DB" nohost)"

# ---------------------------------------------------------------------------
section "(f) TCP: an open port and a closed port"
ns_new tcp_c tcp_t
ns_link tcp_c tcp_t 6
T=$(addr4 tcp_t 6)
T6=$(addr6 tcp_t 6)
ns_wait_reachable tcp_c "$T" 5 || _pk_fatal "tcp_c cannot reach $T"
# IPv6 neighbour discovery settles first (otherwise the first connect may wait ~1 s).
ns_wait_reachable tcp_c "$T6" 10 || _pk_fatal "tcp_c cannot reach $T6"
start_listener tcp_t 8080
DB=$(db tcp)
run_pk_in tcp_c --db "$DB" target add "$T" --name open4 --probe tcp --port 8080 --interval 200ms
expect_code 0
run_pk_in tcp_c --db "$DB" target add "$T6" --name open6 --probe tcp --port 8080 --interval 200ms
expect_code 0
run_pk_in tcp_c --db "$DB" target add "$T" --name closed4 --probe tcp --port 8081 --interval 200ms
expect_code 0
run_pk_in tcp_c --db "$DB" run --count 3
expect_code 0
expect_eq "open port (IPv4): 3 samples, status 0 with an rtt" "3 3" \
  "$(count_where "$DB" open4) $(count_where "$DB" open4 's.status = 0 AND s.rtt_us > 0')"
expect_eq "open port (IPv6): 3 samples, status 0 with an rtt" "3 3" \
  "$(count_where "$DB" open6) $(count_where "$DB" open6 's.status = 0 AND s.rtt_us > 0')"
expect_eq "closed port: 3 samples, status 4 (refused) with an rtt" "3 3" \
  "$(count_where "$DB" closed4) $(count_where "$DB" closed4 's.status = 4 AND s.rtt_us > 0')"
expect_eq "summary: a refusal is an answer" "3 9 9 0 9" "$(summary_numbers)"

# ---------------------------------------------------------------------------
section "(g) a job that starts in 2 s and ends 3 s later (200 ms, always-open window)"
ns_new job
DB=$(db job)
run_pk_in job --db "$DB" target add 127.0.0.1 --name control --interval 200ms
expect_code 0
run_pk_in job --db "$DB" target add 127.0.0.2 --name jt --job-only --interval 1s
expect_code 0
run_pk_in job --db "$DB" job add soon --targets jt --interval 200ms --start +2s --end +5s
expect_code 0
run_pk_in job --db "$DB" --json job show soon
expect_code 0
job_start=$(iso_us "$(json_field 'd["start"]')")
job_end=$(iso_us "$(json_field 'd["end"]')")
expect_eq "job show: scheduled before its start" scheduled "$(json_field 'd["status"]')"
run_pk_in job --db "$DB" run --duration 7s
expect_code 0
if [[ -n $job_start && -n $job_end ]]; then
  before=$(count_where "$DB" jt "s.ts < $job_start")
  inside=$(count_where "$DB" jt "s.ts >= $job_start AND s.ts <= $job_end")
  after=$(count_where "$DB" jt "s.ts > $job_end")
  expect_eq "no job samples before the job's start" "0" "$before"
  expect_between "job samples between start and end (3 s at 200 ms)" 12 17 "$inside"
  expect_eq "no job samples after the job's end" "0" "$after"
  # The collector was already probing (the control target) well before the start.
  expect_eq "control target probed at least 0.5 s before the job's start" "1" \
    "$(count_where "$DB" control "s.ts < $job_start - 500000" | awk '{print ($1 >= 2)}')"
  expect_eq "and after the end" "1" "$(count_where "$DB" control "s.ts > $job_end + 500000" | awk '{print ($1 >= 3)}')"
  IFS='|' read -r runs run_start run_end run_sent run_recv run_reason <<<"$(sq "$DB" \
    "SELECT (SELECT count(*) FROM job_runs), started_at, ended_at, sent, received, end_reason FROM job_runs ORDER BY id LIMIT 1")"
  expect_eq "one job_runs row" "1" "$runs"
  expect_between "job run started_at - job start (ms)" 0 1000 \
    "$(awk -v a="${run_start:-x}" -v b="$job_start" 'BEGIN {printf "%.1f", (a - b) / 1000}')"
  expect_between "job run ended_at - job end (ms)" 0 1000 \
    "$(awk -v a="${run_end:-x}" -v b="$job_end" 'BEGIN {printf "%.1f", (a - b) / 1000}')"
  expect_eq "job run counts: sent and received as stored" "$inside $inside" "${run_sent:-} ${run_recv:-}"
  expect_eq "job run end_reason" "window closed" "${run_reason:-}"
  note "job: $inside samples inside [start, end], $before before, $after after; run $run_sent sent / $run_recv received"
else
  fail_check "job show --json gives start and end" "two ISO times" "start '$job_start' end '$job_end'"
fi
run_pk_in job --db "$DB" --json job show soon
expect_eq "job show: finished after its end" finished "$(json_field 'd["status"]')"
expect_eq "job show: latest run's counts" "${inside:-?}" "$(json_field 'd["latest_run"]["sent"]')"

# ---------------------------------------------------------------------------
section "(h) live reload: a target and a job added / paused / stopped by other processes while run runs"
ns_new live
DB=$(db live)
run_pk_in live --db "$DB" target add 127.0.0.1 --name first --interval 200ms
expect_code 0
run_pk_in live --db "$DB" target add 127.0.0.4 --name jt --job-only --interval 200ms
expect_code 0
bg_pk live "$PK_TMP/live.out" --db "$DB" run --duration 20s
live_pid=$BG_PID
wait_until 5 lock_holds "$DB" "$live_pid" || fail_check "collector took the lock" "the lease names pid $live_pid" "$(lease_pid "$DB")"
wait_until 5 has_samples "$DB" 3 || fail_check "collector stores samples" "3 samples within 5 s" "none"
run_pk_in live --db "$DB" target add 127.0.0.3 --name late --interval 200ms
expect_code 0
run_pk_in live --db "$DB" --json target show late
added=$(iso_us "$(json_field 'd["created_at"]')")
run_pk_in live --db "$DB" job add livejob --targets jt --interval 200ms
expect_code 0
run_pk_in live --db "$DB" --json job show livejob
job_added=$(iso_us "$(json_field 'd["created_at"]')")
# Wait (bounded) for their first samples, then a little longer.
wait_until 4 target_has_samples "$DB" late
wait_until 4 target_has_samples "$DB" jt
sleep 1
jfirst=$(sq "$DB" "SELECT min(s.ts) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'jt'")
expect_between "job added: its job-only target's first probe, seconds after job add" 0 2 \
  "$(awk -v a="${jfirst:-x}" -v b="${job_added:-x}" 'BEGIN {if (a == "" || b == "") print "none"; else printf "%.3f", (a - b) / 1e6}')"
jrun_start=$(sq "$DB" 'SELECT started_at FROM job_runs ORDER BY id LIMIT 1')
expect_between "job added: a job run opens, seconds after job add" 0 2 \
  "$(awk -v a="${jrun_start:-x}" -v b="${job_added:-x}" 'BEGIN {if (a == "" || b == "") print "none"; else printf "%.3f", (a - b) / 1e6}')"
first=$(sq "$DB" "SELECT min(s.ts) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'late'")
expect_between "added target's first probe, seconds after the add" 0 2 \
  "$(awk -v a="${first:-x}" -v b="${added:-x}" 'BEGIN {if (a == "" || b == "") print "none"; else printf "%.3f", (a - b) / 1e6}')"
note "live add: first probe $(awk -v a="${first:-0}" -v b="${added:-0}" 'BEGIN {printf "%.0f", (a - b) / 1000}') ms after target add"
run_pk_in live --db "$DB" target pause late
expect_code 0
paused=$(now_us)
stop_from=$(now_us)
run_pk_in live --db "$DB" job stop livejob
expect_code 0
stopped=$(now_us)
sleep 3
expect_eq "no probe of the stopped job's target 2 s after job stop" "0" "$(count_where "$DB" jt "s.ts > $stopped + 2000000")"
IFS='|' read -r jrun_end jrun_sent <<<"$(sq "$DB" 'SELECT ended_at, sent FROM job_runs ORDER BY id LIMIT 1')"
expect_between "job stop closes its run, seconds after job stop" 0 2 \
  "$(awk -v a="${jrun_end:-x}" -v b="$stop_from" 'BEGIN {if (a == "" || a == "x") print "none"; else printf "%.3f", (a - b) / 1e6}')"
expect_eq "the job run counted the job target's samples" "$(count_where "$DB" jt)" "${jrun_sent:-none}"
last=$(sq "$DB" "SELECT max(s.ts) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'late'")
expect_eq "no probe of the paused target 2 s after the pause" "0" "$(count_where "$DB" late "s.ts > $paused + 2000000")"
note "live pause: last probe $(awk -v a="${last:-0}" -v b="$paused" 'BEGIN {printf "%.0f", (a - b) / 1000}') ms after target pause returned"
expect_true "the first target is still probed" test "$(count_where "$DB" first "s.ts > $paused + 2000000")" -ge 3
kill -TERM "$live_pid" 2>/dev/null
wait_exit "$live_pid" 5
PK_CMD="[live] pingkeeper run --duration 20s, SIGTERM"
PK_CODE=$BG_CODE expect_code 0

# ---------------------------------------------------------------------------
section "(i) SIGTERM loses nothing: probes in flight (300 ms responder) are awaited and stored"
ns_new term_c term_t
ns_link term_c term_t 7
T=$(addr4 term_t 7)
ns_wait_reachable term_c "$T" 5 || _pk_fatal "term_c cannot reach $T"
ns_sysctl term_t net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
start_responder term_t --delay 300ms
DB=$(db term)
run_pk_in term_c --db "$DB" target add 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 --interval 100ms
expect_code 0
run_pk_in term_c --db "$DB" target add "$T" --name slow --interval 100ms --timeout 2s
expect_code 0
bg_pk term_c "$PK_TMP/term.out" --db "$DB" -v --json run --duration 30s
term_pid=$BG_PID
wait_until 5 lock_holds "$DB" "$term_pid" || fail_check "collector took the lock" "the lease names pid $term_pid" "$(lease_pid "$DB")"
wait_until 5 has_samples "$DB" 20
sleep 1
kill -TERM "$term_pid" 2>/dev/null
wait_exit "$term_pid" 10
PK_CMD="[term_c] pingkeeper -v --json run --duration 30s, SIGTERM after ~2 s"
PK_CODE=$BG_CODE PK_ERR=$(cat "$PK_TMP/term.out.err" 2>/dev/null) expect_code 0
# stdout: NDJSON (one line per stored sample), then the summary document.
read -r nd_lines nd_slow_ok sum_sent sum_stored sum_answered < <("$PY" - "$PK_TMP/term.out" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
lines, rest = [], []
for l in text.splitlines():
    (lines if l.startswith('{"') else rest).append(l)
samples = [json.loads(l) for l in lines]
try:
    summary = json.loads("\n".join(rest))
except Exception:
    summary = {}
slow_ok = sum(1 for s in samples if s.get("target") == "slow" and s.get("status") == "ok")
print(len(samples), slow_ok, summary.get("sent", "none"), summary.get("stored", "none"), summary.get("answered", "none"))
EOF
)
in_db=$(sq "$DB" 'SELECT count(*) FROM samples')
expect_true "probes were sent before SIGTERM" test "${sum_sent:-0}" -ge 20 2>/dev/null
expect_eq "samples in the database == summary sent" "${sum_sent:-?}" "$in_db"
expect_eq "summary stored == summary sent" "${sum_sent:-?}" "${sum_stored:-?}"
expect_eq "summary answered == summary sent" "${sum_sent:-?}" "${sum_answered:-?}"
expect_eq "one NDJSON line per stored sample" "$in_db" "${nd_lines:-?}"
expect_eq "every sample answered (the in-flight ones too)" "${sum_sent:-?}" "$(sq "$DB" 'SELECT count(*) FROM samples WHERE status = 0')"
slow_db=$(count_where "$DB" slow)
expect_eq "every probe of the 300 ms target is stored as ok (none cut off)" "$slow_db" "$(count_where "$DB" slow 's.status = 0')"
expect_eq "the NDJSON shows the same slow samples" "$slow_db" "${nd_slow_ok:-?}"
stop_responder
# Each of the slow target's probes reached the responder and was stored.
expect_eq "responder requests == slow samples stored" "$slow_db" \
  "$(grep -Eo '[0-9]+ requests' <<<"$RESPONDER_STATS" | grep -Eo '^[0-9]+')"
note "SIGTERM: sent ${sum_sent:-?}, stored ${sum_stored:-?}, in database $in_db, slow target $slow_db"

# ---------------------------------------------------------------------------
section "(j) kill -9 at 500 probes/s (50 targets at 100 ms), then a second run"
ns_new crash
DB=$(db crash)
hosts=()
for ((i = 1; i <= 50; i++)); do hosts+=("127.0.1.$i"); done
run_pk_in crash --db "$DB" target add "${hosts[@]}" --interval 100ms
expect_code 0
run_pk_in crash --db "$DB" job add always --targets 127.0.1.1,127.0.1.2 --interval 100ms
expect_code 0
bg_pk crash "$PK_TMP/crash.out" --db "$DB" run --duration 30s
crash_pid=$BG_PID
wait_until 5 lock_holds "$DB" "$crash_pid" || fail_check "collector took the lock" "the lease names pid $crash_pid" "$(lease_pid "$DB")"
wait_until 5 has_samples "$DB" 1
sleep 3
killed_at=$(now_us)
kill -KILL "$crash_pid" 2>/dev/null
wait_exit "$crash_pid" 5 2>/dev/null  # (no "Killed" job notice)
expect_eq "the collector died of SIGKILL" "137" "$BG_CODE"
expect_eq "PRAGMA integrity_check" ok "$(sq "$DB" 'PRAGMA integrity_check')"
read -r stored t_first t_last <<<"$(sq "$DB" 'SELECT count(*), min(ts), max(ts) FROM samples' | tr '|' ' ')"
elapsed=$(awk -v a="$killed_at" -v b="${t_first:-0}" 'BEGIN {printf "%.3f", (a - b) / 1e6}')
lower=$(awk -v e="$elapsed" 'BEGIN {v = (e - 1.5) * 500 * 0.9; printf "%d", v < 0 ? 0 : v}')
upper=$(awk -v e="$elapsed" 'BEGIN {printf "%d", (e + 0.2) * 500 + 50}')
expect_between "samples stored before kill -9 (${elapsed} s at 500/s)" "$lower" "$upper" "${stored:-0}"
expect_between "newest stored sample, seconds before the kill (at most one batch)" 0 1.5 \
  "$(awk -v a="$killed_at" -v b="${t_last:-0}" 'BEGIN {printf "%.3f", (a - b) / 1e6}')"
expect_eq "the killed run's job run is still open" "1" "$(sq "$DB" 'SELECT count(*) FROM job_runs WHERE ended_at IS NULL')"
note "kill -9 after ${elapsed} s: $stored samples stored (expected ~$(awk -v e="$elapsed" 'BEGIN {printf "%d", e * 500}') sent), newest $(awk -v a="$killed_at" -v b="${t_last:-0}" 'BEGIN {printf "%.0f", (a - b) / 1000}') ms before the kill"
before=${stored:-0}
run_pk_in crash --db "$DB" run --count 2
expect_code 0
expect_eq "second run stored 2 more per target" "$((before + 100))" "$(sq "$DB" 'SELECT count(*) FROM samples')"
expect_eq "the killed run's job run closed as restarted" "collector restarted" \
  "$(sq "$DB" 'SELECT end_reason FROM job_runs ORDER BY id LIMIT 1')"
expect_eq "no job run left open" "0" "$(sq "$DB" 'SELECT count(*) FROM job_runs WHERE ended_at IS NULL')"
expect_eq "PRAGMA integrity_check after the second run" ok "$(sq "$DB" 'PRAGMA integrity_check')"

note "suite took $((SECONDS - SUITE_START)) s"
finish
