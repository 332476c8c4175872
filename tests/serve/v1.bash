#!/usr/bin/env bash
# End-to-end: the native API under /api/v1 of `pingkeeper serve`, driven by
# curl and Python urllib (v1_checks.py): targets and jobs (create, list,
# show, edit, pause/resume, start/stop, runs, delete) and their errors (400,
# 404, 409, 422), samples in pages and as CSV, latest, stats / downtime /
# series equal to `pingkeeper stats|downtime|series --json` for the same
# range, CSV export equal byte for byte to `pingkeeper export`, an xlsx
# download read back with openpyxl, a UDP traceroute of 127.0.0.1 stored and
# listed, an ICMP trace refused (403, no paths) to a server running as nobody,
# health, and /api/openapi.json naming every route.
# No probes are sent but the traceroute to 127.0.0.1 (--no-collect, targets
# paused); the suite runs in its own network namespace (lib.bash).
# shellcheck source-path=SCRIPTDIR source=lib.bash
CHECKS="$(cd "$(dirname "$0")" && pwd)/v1_checks.py"  # before lib.bash changes the working directory
source "$(dirname "$0")/lib.bash" "$1"
JSON=(-H 'Content-Type: application/json')

if ! /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  echo "v1: /usr/bin/python3 with openpyxl is required (apt-get install python3-openpyxl)" >&2
  exit 1
fi

run_pk init -q
run_pk target add 127.0.0.1 --name lo --interval 2s --paused -q
expect_code 0
# 2026-03-02 00:00:00 UTC in µs; six hours of samples every 2 s, lost from
# 03:00 to 03:05.
BASE=1772409600000000
db_query "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10799)
          INSERT INTO samples (target_id, ts, rtt_us, status)
          SELECT 1, $BASE + i * 2000000,
                 CASE WHEN i BETWEEN 5400 AND 5549 THEN NULL ELSE 10000 + (i * 7919) % 5000 END,
                 CASE WHEN i BETWEEN 5400 AND 5549 THEN 1 ELSE 0 END FROM n" >/dev/null
RANGE_Q="since=2026-03-02T00:00:00Z&until=2026-03-02T06:00:00Z"
RANGE_O=(--since 2026-03-02T00:00:00Z --until 2026-03-02T06:00:00Z)

serve_start --no-collect

section "targets"
http POST /api/v1/targets "${JSON[@]}" -d '{"host": "127.0.0.2", "name": "web", "interval": "500ms", "paused": true, "tags": {"site": "lab"}}'
expect_code 201
expect_json "(d['name'], d['interval_ms'], d['paused'], d['tags'])" "('web', 500, True, {'site': 'lab'})"
http GET /api/v1/targets
expect_code 200
expect_json "[t['name'] for t in d]" "['lo', 'web']"
run_pk --json target show web
CLI_WEB=$PK_OUT
http GET /api/v1/targets/web
expect_eq "GET /targets/web is target show --json" "$("$PK_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]))' "$CLI_WEB")" \
  "$("$PK_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]))' "$PK_OUT")"
http PATCH /api/v1/targets/web "${JSON[@]}" -d '{"timeout": 2000, "description": "the web box"}'
expect_code 200
expect_json "(d['timeout_ms'], d['description'])" "(2000, 'the web box')"
run_pk --json target show web
expect_json "d['timeout_ms']" "2000"
http POST /api/v1/targets/web/resume
expect_json "d['paused']" "False"
http POST /api/v1/targets/web/pause
expect_json "d['paused']" "True"
http POST /api/v1/targets "${JSON[@]}" -d '{"host": "127.0.0.3", "name": "web"}'
expect_code 409
expect_json "d['detail']" 'target "web" already exists'
http POST /api/v1/targets "${JSON[@]}" -d '{"host": "127.0.0.3",'
expect_code 400
http POST /api/v1/targets "${JSON[@]}" -d '{"host": "127.0.0.3", "interval": "50ms"}'
expect_code 422
expect_stdout_contains "interval"
http POST /api/v1/targets "${JSON[@]}" -d '{"host": "127.0.0.3", "colour": "red"}'
expect_code 422
expect_json "d['detail']" "field 'colour' is not a target setting"
http GET /api/v1/targets/ghost
expect_code 404
expect_stdout_contains 'target \"ghost\" not found'

section "jobs"
http POST /api/v1/jobs "${JSON[@]}" -d '{"name": "office", "targets": ["lo", "web"], "windows": "mon-fri 09:00-17:00", "tz": "UTC", "interval": "10s"}'
expect_code 201
expect_json "(d['name'], d['targets'], d['windows'], d['interval_ms'])" "('office', ['lo', 'web'], 'mon-fri 09:00-17:00', 10000)"
http GET /api/v1/jobs
expect_json "[j['name'] for j in d]" "['office']"
http PATCH /api/v1/jobs/office "${JSON[@]}" -d '{"count": 2, "remove_targets": ["web"]}'
expect_json "(d['count'], d['targets'])" "(2, ['lo'])"
run_pk --json job show office
expect_json "(d['count'], d['targets'])" "(2, ['lo'])"
http POST /api/v1/jobs/office/stop
expect_json "(d['state'], d['status'])" "('stopped', 'stopped')"
http POST /api/v1/jobs/office/start
expect_json "d['state']" "active"
http GET /api/v1/jobs/office/runs
expect_code 200
expect_json "(d['job'], d['runs'])" "('office', [])"
http POST /api/v1/jobs "${JSON[@]}" -d '{"name": "office", "targets": "lo"}'
expect_code 409
http POST /api/v1/jobs "${JSON[@]}" -d '{"name": "x", "targets": "ghost"}'
expect_code 404
http POST /api/v1/jobs "${JSON[@]}" -d '{"name": "x", "targets": "lo", "windows": "someday"}'
expect_code 422
http DELETE /api/v1/jobs/office
expect_code 200
http GET /api/v1/jobs/office
expect_code 404
http DELETE /api/v1/targets/web
expect_code 200
expect_json "(d['target']['name'], d['data_kept'])" "('web', False)"
run_pk target show web
expect_code 3

section "samples and latest"
py "$CHECKS" pages "/api/v1/targets/lo/samples?since=2026-03-02T01:00:00Z&until=2026-03-02T02:00:00Z" 700
expect_stdout_contains "3 pages 1800 samples 2026-03-02T01:00:00Z 2026-03-02T01:59:58Z ordered=True"
http GET "/api/v1/targets/lo/samples?$RANGE_Q&limit=3" -H 'Accept: text/csv'
expect_code 200
expect_header "Content-Type: text/csv"
expect_header "X-Next-Cursor:"
expect_eq "CSV samples" $'target,time,rtt_ms,status,ttl\r\nlo,2026-03-02T00:00:00Z,10.000,ok,\r\nlo,2026-03-02T00:00:02Z,12.919,ok,\r\nlo,2026-03-02T00:00:04Z,10.838,ok,\r' "$PK_OUT"
http GET "/api/v1/targets/lo/samples?cursor=bogus"
expect_code 422
http GET /api/v1/targets/lo/latest
expect_json "(d['sample']['time'], d['sample']['rtt_ms'])" "('2026-03-02T05:59:58Z', 12.281)"

section "stats, downtime and series are the CLI's"
run_pk --json --utc stats lo "${RANGE_O[@]}"
cp "$PK_TMP/stdout" "$PK_TMP/cli.json"
py "$CHECKS" same_json "$PK_TMP/cli.json" "/api/v1/stats?target=lo&$RANGE_Q"
expect_stdout_contains "same"
run_pk --json --utc stats "${RANGE_O[@]}" --by 1h --min-duration 1m
cp "$PK_TMP/stdout" "$PK_TMP/cli.json"
py "$CHECKS" same_json "$PK_TMP/cli.json" "/api/v1/stats?$RANGE_Q&by=1h&min_duration=1m"
expect_stdout_contains "same"
run_pk --json --tz Europe/Paris stats lo --since 2026-03-02T01:00 --until 2026-03-02T04:00 --by 1h
cp "$PK_TMP/stdout" "$PK_TMP/cli.json"
py "$CHECKS" same_json "$PK_TMP/cli.json" "/api/v1/stats?target=lo&since=2026-03-02T01:00&until=2026-03-02T04:00&by=1h&tz=Europe/Paris"
expect_stdout_contains "same"
run_pk --json downtime lo "${RANGE_O[@]}"
cp "$PK_TMP/stdout" "$PK_TMP/cli.json"
py "$CHECKS" same_json "$PK_TMP/cli.json" "/api/v1/targets/lo/downtime?$RANGE_Q"
expect_stdout_contains "same"
http GET "/api/v1/targets/lo/downtime?$RANGE_Q"
expect_json "[(p['start'], p['duration_ms']) for p in d['periods']]" "[('2026-03-02T03:00:00Z', 300000)]"
run_pk --json series lo "${RANGE_O[@]}" --points 120 --metric p95
cp "$PK_TMP/stdout" "$PK_TMP/cli.json"
py "$CHECKS" series_as_cli "$PK_TMP/cli.json" "/api/v1/targets/lo/series?$RANGE_Q&points=120&metric=p95"
expect_stdout_contains "same 120"
http GET "/api/v1/stats?by=2h"
expect_code 422
expect_stdout_contains "'by'"
http GET "/api/v1/stats?since=2026-03-03&until=2026-03-02"
expect_code 422
expect_json "d['detail']" "since must be before until"

section "exports"
run_pk --utc export lo "${RANGE_O[@]}" --format csv --resolution 1m -o "$PK_TMP/cli.csv"
expect_code 0
http GET "/api/v1/export?format=csv&target=lo&$RANGE_Q&resolution=1m"
expect_code 200
cp "$PK_TMP/stdout" "$PK_TMP/api.csv"
expect_header 'Content-Disposition: attachment; filename="pingkeeper-20260302T000000Z-20260302T060000Z.csv"'
if cmp -s "$PK_TMP/cli.csv" "$PK_TMP/api.csv"; then
  _pk_pass "CSV export equals pingkeeper export"
else
  _pk_fail "CSV export equals pingkeeper export" "$(head -c 300 "$PK_TMP/cli.csv")" "$(head -c 300 "$PK_TMP/api.csv")"
fi
run_pk --json stats lo "${RANGE_O[@]}"
SENT=$(json_value "d[0]['sent']")
py "$CHECKS" xlsx_summary "/api/v1/export?format=xlsx&$RANGE_Q" "$PK_TMP/api.xlsx"
expect_eq "xlsx download" \
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet | Summary,Charts,Samples,Downtime,Hourly,Daily | lo=$SENT" "$PK_OUT"
http GET "/api/v1/export?format=pdf"
expect_code 422
leftovers=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'pingkeeper-??????' -newer "$PK_TMP/cli.csv" 2>/dev/null | wc -l)
expect_eq "no export files left behind" "0" "$leftovers"

section "traceroute (UDP to 127.0.0.1 only)"
http POST /api/v1/traceroute "${JSON[@]}" -d '{"target": "lo", "probe": "udp", "max_hops": 4, "queries": 1, "wait": "500ms", "dns": false}'
expect_code 200
expect_json "(d['target'], d['address'], d['reached'], d['hop_count'], type(d['id']).__name__)" "('lo', '127.0.0.1', True, 1, 'int')"
TRACE_ID=$(json_value "d['id']")
http GET /api/v1/targets/lo/traces
expect_json "[t['id'] for t in d['traces']]" "[$TRACE_ID]"
run_pk --json traceroute lo --history
expect_json "[t['id'] for t in d]" "[$TRACE_ID]"
http POST /api/v1/traceroute "${JSON[@]}" -d '{"host": "127.0.0.1", "max_hops": 300}'
expect_code 422
expect_stdout_contains "max_hops"

section "traceroute without the privilege it needs: 403, no paths"
# A second server as nobody on a database of its own: in this namespace
# net.ipv4.ping_group_range allows no group, so an ICMP trace cannot open a socket.
serve_stop TERM
chmod 755 "$PK_TMP"
mkdir -m 777 "$PK_TMP/nobody"
printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %q "$@"\n' "$PK_BIN" >"$PK_TMP/as-nobody"
chmod 755 "$PK_TMP/as-nobody"
REAL_BIN=$PK_BIN
PK_BIN="$PK_TMP/as-nobody"
PINGKEEPER_DB="$PK_TMP/nobody/pk.db" serve_start --no-collect
PK_BIN=$REAL_BIN
http POST /api/v1/traceroute "${JSON[@]}" -d '{"host": "127.0.0.1", "probe": "icmp", "max_hops": 2, "dns": false}'
expect_code 403
expect_stdout_contains '\"probe\": \"udp\" needs no privilege'
expect_stdout_not_contains "/"
serve_stop TERM
serve_start --no-collect

section "health and openapi"
http GET /api/v1/health
expect_code 200
expect_json "(d['status'], d['database'], d['collector'], d['targets']['total'], d['websocket_clients'])" "('ok', 'ok', 'stopped', 1, 0)"
run_pk --version
expect_stdout_contains "$(curl -s "$SERVE_URL/api/v1/health" | "$PK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["version"])')"
http GET /api/openapi.json
expect_code 200
expect_json "d['openapi']" "3.0.3"
py "$CHECKS" openapi_routes
expect_stdout_contains "24 routes, all routed"

serve_stop TERM
finish
