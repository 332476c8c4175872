#!/usr/bin/env bash
# End-to-end: pingkeeper run (the collector): --once (cron mode), --count,
# --duration, the summary line and --json summary, -q / -v, one collector per
# database (exit 5 naming the holder's pid), SIGINT, and every usage error.
# Safety rule (TESTING.md): packets go only to 127.0.0.1 / ::1 and to TCP
# sockets this suite opens there. Every background process is bounded and
# killed on exit.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# --- helpers ------------------------------------------------------------------

# samples [TARGET]: number of stored samples (of TARGET).
samples() {
  if [[ -z ${1:-} ]]; then
    db_query 'SELECT count(*) FROM samples'
  else
    db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = '$1'"
  fi
}

# per_target: "name=count ..." over every target, in id order.
per_target() {
  db_query "SELECT group_concat(name || '=' || n, ' ') FROM (SELECT t.name, (SELECT count(*) FROM samples s
            WHERE s.target_id = t.id) AS n FROM targets t ORDER BY t.id)"
}

# expect_between WHAT LO HI GOT: LO <= GOT <= HI (whole numbers).
expect_between() {
  if [[ $4 =~ ^-?[0-9]+$ ]] && (($4 >= $2 && $4 <= $3)); then
    _pk_pass "$1: $4 in [$2, $3]"
  else
    _pk_fail "$1" "a whole number in [$2, $3]" "'$4'"
  fi
}

has_ipv6_loopback() {
  "$PK_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null
}

# split_verbose_json: the last stdout of `-v --json run` is NDJSON (one object
# per sample, each on one line starting with '{"') followed by the summary
# document; prints "LINES OK_KEYS SUMMARY_KEYS SENT STORED" or what is wrong.
split_verbose_json() {
  "$PK_PYTHON" - "$PK_TMP/stdout" <<'EOF'
import json, sys
lines, rest = [], []
for l in open(sys.argv[1]).read().splitlines():
    (lines if l.startswith('{"') else rest).append(l)
try:
    objs = [json.loads(l) for l in lines]
    summary = json.loads("\n".join(rest))
except Exception as e:
    print("not NDJSON plus a summary: %s" % e); sys.exit(0)
keys = ["target", "target_id", "time", "rtt_ms", "status", "ttl", "detail"]
ok_keys = all(isinstance(o, dict) and sorted(o) == sorted(keys) and o["time"].endswith("Z") for o in objs)
print(len(objs), ok_keys, ",".join(sorted(summary)), summary.get("sent"), summary.get("stored"))
EOF
}

run_pk init -q
expect_code 0

# Can this process send ICMP echo at all? (CI runs as root: it must.) If not,
# the ICMP checks below are replaced by TCP targets on a loopback port.
start_ports
check_icmp "loopback targets use TCP to port $OPEN instead"
# lo_args: the probe options of a loopback "echo" target.
lo_args() { if ((ICMP_OK)); then :; else printf '%s\n' --probe tcp --port "$OPEN"; fi; }
mapfile -t LO < <(lo_args)

# ---------------------------------------------------------------------------
section "an empty database: nothing to probe"
run_pk run --once
expect_code 0
expect_stdout_contains "0 targets: sent 0, answered 0, lost 0; stored 0 samples"
expect_stderr_empty

# ---------------------------------------------------------------------------
section "run --once probes each active target once; paused and job-only ones not"
run_pk target add 127.0.0.1 --name lo --interval 200ms "${LO[@]}"
expect_code 0
N_ACTIVE=3
if has_ipv6_loopback; then
  run_pk target add ::1 --name lo6 --interval 200ms "${LO[@]}"
  expect_code 0
  N_ACTIVE=4
else
  echo "note: no IPv6 loopback here: ::1 is not probed"
fi
run_pk target add 127.0.0.1 --name open --probe tcp --port "$OPEN" --interval 200ms
expect_code 0
run_pk target add 127.0.0.1 --name closed --probe tcp --port "$CLOSED" --interval 200ms
expect_code 0
run_pk target add 127.0.0.2 --name sleeping --paused --interval 200ms
expect_code 0
run_pk target add 127.0.0.3 --name jobonly --job-only --interval 200ms
expect_code 0
# A job for jobonly whose window has not started: still not probed.
run_pk job add later --targets jobonly --interval 200ms --start +1h
expect_code 0
# A job-only target in a job that is collecting now is active; a paused
# target is not probed, not even by its jobs.
run_pk target add 127.0.0.4 --name jobnow --job-only --interval 200ms "${LO[@]}"
expect_code 0
run_pk job add now --targets jobnow,sleeping --interval 200ms
expect_code 0
N_ACTIVE=$((N_ACTIVE + 1))

n=$N_ACTIVE
t0=$SECONDS
run_pk run --once
expect_code 0
expect_eq "summary line (a refusal is an answer)" \
  "$n targets: sent $n, answered $n, lost 0; stored $n samples" "$PK_OUT"
expect_stderr_empty
expect_between "run --once took (s)" 0 3 $((SECONDS - t0))
want="lo=1 open=1 closed=1 sleeping=0 jobonly=0 jobnow=1"
((N_ACTIVE == 5)) && want="lo=1 lo6=1 open=1 closed=1 sleeping=0 jobonly=0 jobnow=1"
expect_eq "one sample per active target; none for paused / job-only outside a window" "$want" "$(per_target)"
expect_eq "the open port answered (status 0 with an rtt)" "1" \
  "$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'open' AND s.status = 0 AND s.rtt_us > 0")"
expect_eq "the closed port was refused (status 4 with an rtt)" "1" \
  "$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'closed' AND s.status = 4 AND s.rtt_us > 0")"
expect_eq "lo answered (status 0 with an rtt)" "1" \
  "$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'lo' AND s.status = 0 AND s.rtt_us > 0")"
expect_eq "--once opens no job run" "0" "$(db_query 'SELECT count(*) FROM job_runs')"

before=$(samples)
run_pk --json run --once
expect_code 0
expect_json 'sorted(d)' "['answered', 'dropped', 'lost', 'path_changes', 'sent', 'spooled', 'stored', 'targets', 'trace_failures', 'traces']"
expect_json '[d["traces"], d["path_changes"], d["trace_failures"]]' '[0, 0, 0]'  # no job with the path metric
expect_json '[d["targets"], d["sent"], d["answered"], d["lost"], d["stored"]]' "[$n, $n, $n, 0, $n]"
expect_eq "--json: samples stored" "$((before + n))" "$(samples)"

section "run --once --count 3"
before=$(samples)
run_pk run --once --count 3
expect_code 0
expect_eq "summary line" "$n targets: sent $((3 * n)), answered $((3 * n)), lost 0; stored $((3 * n)) samples" "$PK_OUT"
expect_eq "samples stored" "$((before + 3 * n))" "$(samples)"
expect_eq "still none for the paused target" "0" "$(samples sleeping)"

# ---------------------------------------------------------------------------
section "run --count 3: the collector, three probes per target, then exit"
before=$(samples)
before_lo=$(samples lo)
run_pk run --count 3
expect_code 0
expect_stdout_contains "collecting into $PINGKEEPER_DB"
expect_stdout_contains "$n targets: sent $((3 * n)), answered $((3 * n)), lost 0; stored $((3 * n)) samples"
expect_eq "samples stored" "$((before + 3 * n))" "$(samples)"
expect_eq "three more for lo" "$((before_lo + 3))" "$(samples lo)"
expect_eq "none for the paused or job-only targets" "0 0" "$(samples sleeping) $(samples jobonly)"
expect_eq "one job run for the collecting job, closed at the end" "now|collector finished" \
  "$(db_query "SELECT j.name, r.end_reason FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.ended_at IS NOT NULL")"
# Three probes 200 ms apart, keyed (target, ts): strictly increasing times.
expect_eq "lo's newest three samples are ~200 ms apart" "yes" \
  "$(db_query "SELECT ts FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'lo' ORDER BY ts DESC LIMIT 3" |
    awk 'NR > 1 {d = p - $1; if (d < 150000 || d > 400000) bad = 1} {p = $1} END {print (NR == 3 && !bad) ? "yes" : "no"}')"

section "run --duration 1s"
before_lo=$(samples lo)
before=$(samples)
t0=$(date +%s%N)
run_pk run --duration 1s
expect_code 0
took_ms=$((($(date +%s%N) - t0) / 1000000))
expect_between "run --duration 1s took (ms)" 900 3000 "$took_ms"
expect_between "lo samples in 1 s at 200 ms" 4 7 "$(($(samples lo) - before_lo))"
sent=$(sed -nE 's/.* targets: sent ([0-9]+), .*/\1/p' <<<"$PK_OUT")
expect_eq "summary sent == samples stored" "$(($(samples) - before))" "${sent:-none}"
expect_stdout_matches "^$n targets: sent [0-9]+, answered [0-9]+, lost 0; stored ${sent:-x} samples$"

# ---------------------------------------------------------------------------
section "-q prints nothing; -v prints one line per sample"
before=$(samples)
run_pk -q run --once
expect_code 0
expect_stdout_empty
expect_stderr_empty
expect_eq "-q still stores" "$((before + n))" "$(samples)"
run_pk -q run --count 1
expect_code 0
expect_stdout_empty
expect_stderr_empty

run_pk -v run --once
expect_code 0
expect_stdout_lines $((n + 1))
expect_stdout_matches '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} UTC  lo  [0-9]+\.[0-9]{3} ms  ok$'
expect_stdout_matches '^[0-9-]{10} [0-9:.]{12} UTC  closed  [0-9]+\.[0-9]{3} ms  refused$'
expect_stdout_matches '^[0-9-]{10} [0-9:.]{12} UTC  open  [0-9]+\.[0-9]{3} ms  ok$'
expect_stdout_not_contains "sleeping"
expect_stdout_contains "$n targets: sent $n, answered $n, lost 0; stored $n samples"

run_pk -v --json run --once
expect_code 0
expect_eq "-v --json: NDJSON per sample, then the summary" \
  "$n True answered,dropped,lost,path_changes,sent,spooled,stored,targets,trace_failures,traces $n $n" "$(split_verbose_json)"

# ---------------------------------------------------------------------------
section "one collector per database: a second one exits 5 naming the pid"
before=$(samples)
"$PK_BIN" run --duration 5s >"$PK_TMP/first.out" 2>"$PK_TMP/first.err" &
first=$!
PK_HELPERS+=("$first")
# The collector's lease, in the database itself.
lease_pid() { sqlite3 "$PINGKEEPER_DB" "SELECT pid FROM collector_lease" 2>/dev/null; }
for _ in $(seq 50); do
  [[ $(lease_pid) == "$first" ]] && break
  sleep 0.1
done
expect_eq "the collector lease names the collector's pid" "$first" "$(lease_pid)"
# No file beside the database holds the guarantee: deleting them changes nothing.
rm -f "$PINGKEEPER_DB.lock" "$PINGKEEPER_DB.maintain.lock"
run_pk run --once
expect_code 5
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "pid $first"
expect_stdout_empty
run_pk run --count 1
expect_code 5
expect_stderr_contains "pid $first"
run_pk --json run --duration 1s
expect_code 5
expect_stdout_empty

section "SIGINT: the first collector stores everything and exits 0"
sleep 0.5
kill -INT "$first" 2>/dev/null
code=hung
for _ in $(seq 50); do
  kill -0 "$first" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$first" 2>/dev/null; then
  kill -KILL "$first" 2>/dev/null
  wait "$first" 2>/dev/null
else
  wait "$first"
  code=$?
fi
PK_CMD="pingkeeper run --duration 5s (background), SIGINT"
PK_OUT=$(<"$PK_TMP/first.out") PK_ERR=$(<"$PK_TMP/first.err")
expect_eq "exit code after SIGINT" 0 "$code"
sent=$(sed -nE 's/.* targets: sent ([0-9]+), .*stored ([0-9]+) samples$/\1 \2/p' "$PK_TMP/first.out")
expect_eq "summary sent == stored == samples added" "$(($(samples) - before)) $(($(samples) - before))" "${sent:-none}"
run_pk run --once
expect_code 0
expect_stdout_contains "$n targets: sent $n"

# ---------------------------------------------------------------------------
section "usage errors: exit 2, nothing stored"
expect_rejected 2 'invalid duration "5x"' run --duration 5x
expect_rejected 2 '--duration must be positive' run --duration 0
expect_rejected 2 'invalid duration "-1s"' run --duration -1s
expect_rejected 2 '--count must be at least 1' run --count 0
expect_rejected 2 '--count must be at least 1' run --once --count 0
expect_rejected 2 'invalid value "x" for --count' run --count x
expect_rejected 2 'unknown option "--bogus"' run --bogus
expect_rejected 2 'unexpected argument "extra"' run --once extra
expect_eq "no collector lease left held" "" "$(lease_pid)"

finish
