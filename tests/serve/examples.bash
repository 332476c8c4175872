#!/usr/bin/env bash
# End-to-end: the API examples work as written against a running
# `pingkeeper serve` (collecting two loopback targets in the suite's own
# network namespace):
#  - examples/api_client.py (Debian's python3 with python3-websockets) and
#    examples/api_client.mjs (Node.js 20, --experimental-websocket): hosts,
#    latest results, statistics, then the ping_result messages of one host,
#    bounded by --count and by --seconds; every result they print is a
#    sample the database holds, with the same RTT;
#  - examples/prometheus.yml parses as YAML (python3-yaml), scrapes the
#    server's default --listen at the path the server serves, and the series
#    its example queries name are in the server's exposition, which
#    Prometheus's own Python parser (python3-prometheus-client) reads.
# The files run unchanged; only --url points them at the suite's server.
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

command -v node >/dev/null || { echo "examples.bash: node is required (scripts/install-deps.sh)" >&2; exit 2; }

# run_example CMD...: runs an example (60 s at most): sets PK_OUT, PK_ERR,
# PK_CODE, PK_CMD.
run_example() {
  PK_CMD=$(_pk_quote "$@")
  timeout -k 5 60 "$@" >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
  PK_CODE=$?
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
}

# Checks that every "ping_result HOST RTT ms at TIME" line of the last output
# is a stored sample of target HOST with that RTT (the writer commits within
# about a second, so a missing one is looked for again for up to 5 s).
cat >"$PK_TMP/stored.py" <<'EOF'
import datetime, re, sqlite3, sys, time
lines = [l for l in open(sys.argv[2]) if l.startswith("ping_result ")]
pattern = re.compile(r"^ping_result (\S+) ([0-9]+\.[0-9]{3}) ms at (\S+)Z$")
db = sqlite3.connect(sys.argv[1])
deadline = time.monotonic() + 5
for line in lines:
    m = pattern.match(line.strip())
    if not m:
        sys.exit("not a ping_result line: " + line.strip())
    host, rtt, when = m.groups()
    ts = datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.timezone.utc)
    us = int(ts.timestamp()) * 1_000_000 + ts.microsecond
    while True:
        row = db.execute("SELECT s.rtt_us FROM samples s JOIN targets t ON t.id = s.target_id "
                         "WHERE t.name = ? AND s.ts = ?", (host, us)).fetchone()
        if row or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if not row:
        sys.exit("no stored sample for " + line.strip())
    if "%.3f" % (row[0] / 1000) != rtt:
        sys.exit("stored RTT %d us, printed %s ms: %s" % (row[0], rtt, line.strip()))
print("%d stored" % len(lines))
EOF
expect_results_stored() {
  expect_eq "every printed result is a stored sample with its RTT ($1)" "$2 stored" \
    "$("$PK_SYS_PYTHON" "$PK_TMP/stored.py" "$PINGKEEPER_DB" "$PK_TMP/stdout" 2>&1)"
}

# expect_client_output NAME: what both clients print for host lo, 3 results.
expect_client_output() {
  expect_code 0
  expect_stdout_contains "hosts: lo, lo2"
  expect_stdout_contains "monitoring active: true"
  expect_stdout_matches '^latest lo: [0-9]+\.[0-9]{3} ms at 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
  expect_stdout_matches '^latest lo2: [0-9]+\.[0-9]{3} ms at '
  expect_stdout_matches '^statistics \(last 60 min, lo\): [1-9][0-9]* pings, avg [0-9.]+ ms, p95 [0-9.]+ ms, loss 0(\.0)? %$'
  expect_stdout_matches '^connected: conn_[0-9]+$'
  expect_stdout_contains "initial data: 2 hosts"
  expect_stdout_contains "following lo (at most 3 results, 20 s)"
  expect_eq "$1: ping_result lines, all for lo" "3" "$(grep -c '^ping_result lo ' "$PK_TMP/stdout")"
  expect_eq "$1: no result of another host" "0" "$(grep '^ping_result ' "$PK_TMP/stdout" | grep -vc '^ping_result lo ')"
  expect_stdout_contains "received 3 ping_result messages for lo"
  expect_results_stored "$1" 3
}

run_pk init -q
run_pk target add 127.0.0.1 --name lo --interval 200ms -q
expect_code 0
run_pk target add 127.0.0.2 --name lo2 --interval 200ms -q
expect_code 0
serve_start
# Both targets have a latest result (bounded: 10 s).
for ((i = 0; i < 100; i++)); do
  http GET /api/ping-metrics/latest
  [[ $PK_CODE == 200 && $PK_OUT == *'"lo2"'* && $PK_OUT == *'"lo"'* ]] && break
  sleep 0.1
done

section "examples/api_client.py"
run_example "$PK_SYS_PYTHON" "$EXAMPLES/api_client.py" --url "$SERVE_URL" --host lo --count 3 --seconds 20
expect_client_output python
run_example "$PK_SYS_PYTHON" "$EXAMPLES/api_client.py" --url "$SERVE_URL" --count 3 --seconds 20
expect_code 0
expect_stdout_contains "following lo (at most 3 results, 20 s)"
expect_stdout_contains "statistics (last 60 min): "
# Bounded by time: 5 results a second cannot reach 1000 in 1 s.
run_example "$PK_SYS_PYTHON" "$EXAMPLES/api_client.py" --url "$SERVE_URL" --host lo2 --count 1000 --seconds 1
expect_code 0
expect_stdout_matches '^received [0-9]+ ping_result messages for lo2$'
expect_stdout_not_contains "received 1000 "
expect_results_stored "python, --seconds 1" "$(grep -c '^ping_result lo2 ' "$PK_TMP/stdout")"

section "examples/api_client.mjs"
run_example node --experimental-websocket "$EXAMPLES/api_client.mjs" --url "$SERVE_URL" --host lo --count 3 --seconds 20
expect_client_output javascript
run_example node --experimental-websocket "$EXAMPLES/api_client.mjs" --url "$SERVE_URL" --host lo2 --count 1000 --seconds 1
expect_code 0
expect_stdout_matches '^received [0-9]+ ping_result messages for lo2$'
expect_stdout_not_contains "received 1000 "
expect_results_stored "javascript, --seconds 1" "$(grep -c '^ping_result lo2 ' "$PK_TMP/stdout")"

section "examples/prometheus.yml"
run_example "$PK_SYS_PYTHON" -c '
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
job = config["scrape_configs"][0]
print(job["job_name"], job.get("scheme", "http"), job["metrics_path"], job["static_configs"][0]["targets"][0])
' "$EXAMPLES/prometheus.yml"
expect_code 0
expect_eq "the scrape job" "pingkeeper http /metrics 127.0.0.1:8080" "$PK_OUT"
metrics_path=$(awk '{print $3}' <<<"$PK_OUT")
scraped=$(awk '{print $2 "://" $4}' <<<"$PK_OUT")
# The address the file scrapes is where a server started without --listen
# listens (a second server, --no-collect: the first one collects).
"$PK_BIN" --json serve --no-collect >"$PK_TMP/default.out" 2>"$PK_TMP/default.err" &
default_pid=$!
PK_HELPERS+=("$default_pid")
for ((i = 0; i < 100; i++)); do
  [[ -s $PK_TMP/default.out ]] && break
  sleep 0.1
done
kill -TERM "$default_pid" 2>/dev/null
wait "$default_pid" 2>/dev/null
expect_eq "the scraped address is serve's default --listen" "$scraped" \
  "$("$PK_SYS_PYTHON" -c 'import json, sys; print(json.loads(sys.stdin.readline())["url"])' <"$PK_TMP/default.out" 2>&1)"
http GET "$metrics_path"
expect_code 200
expect_header "Content-Type: text/plain; version=0.0.4; charset=utf-8"
cp "$PK_TMP/stdout" "$PK_TMP/metrics.txt"
# The exposition through Prometheus's own parser; every series the file's
# example queries name is there.
run_example "$PK_SYS_PYTHON" -c '
import re, sys
from prometheus_client.parser import text_string_to_metric_families
names = set()
values = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    names.add(family.name)
    for s in family.samples:
        names.add(s.name)
        values[(s.name, s.labels.get("target"))] = s.value
queried = sorted(n for n in set(re.findall(r"pingkeeper_[a-z_]+", open(sys.argv[2]).read())) if not n.endswith("_"))
missing = [q for q in queried if q not in names]
print("missing:", missing)
print("sent lo > 0:", values[("pingkeeper_probes_sent_total", "lo")] > 0)
print("up lo:", values[("pingkeeper_target_up", "lo")])
' "$PK_TMP/metrics.txt" "$EXAMPLES/prometheus.yml"
expect_code 0
expect_stdout_contains "missing: []"
expect_stdout_contains "sent lo > 0: True"
expect_stdout_contains "up lo: 1.0"

serve_stop
finish
