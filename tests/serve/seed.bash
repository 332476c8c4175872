#!/usr/bin/env bash
# End-to-end: the seed 000 surface of `pingkeeper serve` under /api (seed
# "API Documentation"), driven by curl (the seed's cURL examples),
# seed_checks.py (urllib: every endpoint and its error paths) and the seed's
# "Python Client Example" as written (seed_client_example.py, aiohttp and
# websockets), against a server collecting from 127.0.0.1 in the suite's own
# network namespace.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$HERE/lib.bash" "$1"
TOKEN=seedseedseedseed0123
AUTH=(-H "Authorization: Bearer $TOKEN")

run_pk init -q
run_pk target add 127.0.0.1 --interval 200ms -q
expect_code 0
printf '%s\n' "$TOKEN" >"$PK_TMP/tokens"
serve_start --token-file "$PK_TMP/tokens"
# The collector's first samples (bounded: 10 s).
for ((i = 0; i < 100; i++)); do
  http GET /api/ping-metrics/count
  [[ $(json_value "d['count']") =~ ^[1-9] ]] && break
  sleep 0.1
done
expect_json "d['count'] > 0" "True"

section "the seed's cURL examples"
http GET /api/ping-metrics/latest
expect_code 200
http GET "/api/ping-metrics/statistics?hours=12"
expect_code 200
expect_json "sorted(d)" "['avg_response_time', 'hours_analyzed', 'max_response_time', 'median_response_time', 'min_response_time', 'p95_response_time', 'packet_loss_rate', 'total_pings', 'uptime_percentage']"
expect_json "d['hours_analyzed']" "12"
http GET "/api/ping-metrics/hosts/8.8.8.8/summary?hours=24"
expect_code 404
expect_json "d['detail']" "host '8.8.8.8' is not monitored and has no data"
http GET "/api/ping-metrics/hosts/127.0.0.1/summary?hours=24"
expect_code 200
expect_json "d['host'], d['hours_analyzed'], d['minutes_analyzed']" "('127.0.0.1', 24, 1440)"
http POST /api/ping-metrics/hosts/127.0.0.3/add
expect_code 401
http POST /api/ping-metrics/hosts/127.0.0.3/add "${AUTH[@]}"
expect_code 200
expect_json "d" "{'message': 'Host 127.0.0.3 added to monitoring', 'current_hosts': ['127.0.0.1', '127.0.0.3']}"
http GET /api/ping-metrics/monitoring/status
expect_code 200
expect_json "d['target_hosts'], d['monitoring_active']" "(['127.0.0.1', '127.0.0.3'], True)"
http DELETE /api/ping-metrics/hosts/127.0.0.3 "${AUTH[@]}"
expect_code 200
expect_json "d['current_hosts']" "['127.0.0.1']"
http GET "/api/ping-metrics/?hours=12&host=127.0.0.1&limit=100"
expect_code 200
expect_json "len(d) > 0 and {m['target_host'] for m in d}" "{'127.0.0.1'}"
http GET "/api/ping-metrics/?limit=0"
expect_code 422
expect_json "d['detail']" "query parameter 'limit' must be between 1 and 10000, got 0"
http DELETE /api/ping-metrics/cleanup
expect_code 401

section "every endpoint and its errors (urllib)"
py "$HERE/seed_checks.py" "$SERVE_URL" "$TOKEN"
expect_code 0
expect_stdout_contains "seed checks passed"
((PK_CODE == 0)) || echo "$PK_OUT$PK_ERR" | tail -n 5

section "the seed's Python Client Example, as written"
sed "s#http://localhost:8000/api#$SERVE_URL/api#" "$HERE/seed_client_example.py" >"$PK_TMP/client_example.py"
# It listens for updates until stopped: 8 s, then the timeout ends it (124).
timeout -k 2 8 /usr/bin/python3 -u "$PK_TMP/client_example.py" >"$PK_TMP/client.out" 2>"$PK_TMP/client.err"
rc=$?
PK_CMD="seed_client_example.py"
expect_eq "the example ran until stopped" "124" "$rc"
client_out=$(<"$PK_TMP/client.out")
expect_eq "it printed the latest metrics" "1" "$(grep -c "^Latest metrics: {'127.0.0.1': {'id': " <<<"$client_out")"
expect_eq "it received connection_established" "1" "$(grep -c "^Received: {'type': 'connection_established'" <<<"$client_out")"
pings=$(grep -Ec '^Ping to 127\.0\.0\.1: [0-9]+\.[0-9]+ms$' <<<"$client_out")
expect_eq "it printed live pings" "yes" "$( ((pings > 0)) && echo yes)"
((pings > 0)) || head -c 600 <<<"$client_out$(<"$PK_TMP/client.err")"

section "the seed's JavaScript Client Example, as written (Node with its WebSocket)"
if command -v node >/dev/null; then
  sed "s#http://localhost:8000/api#$SERVE_URL/api#" "$HERE/seed_client_example.js" >"$PK_TMP/client_example.js"
  # Node 20 has WebSocket behind a flag (on by default from Node 22).
  timeout -k 2 6 node --experimental-websocket "$PK_TMP/client_example.js" >"$PK_TMP/js.out" 2>"$PK_TMP/js.err"
  rc=$?
  PK_CMD="node seed_client_example.js"
  expect_eq "the JavaScript example ran until stopped" "124" "$rc"
  js_out=$(<"$PK_TMP/js.out")
  expect_eq "it connected" "1" "$(grep -c "^Connected to WiFi Tracker WebSocket$" <<<"$js_out")"
  expect_eq "it printed the latest metrics" "1" "$(grep -A1 '^Latest metrics: {$' <<<"$js_out" | grep -c "^  '127.0.0.1': {$")"
  pings=$(grep -Ec '^Ping to 127\.0\.0\.1: [0-9]+\.[0-9]+ms$' <<<"$js_out")
  expect_eq "it printed live pings" "yes" "$( ((pings > 0)) && echo yes)"
  ((pings > 0)) || head -c 600 <<<"$js_out$(<"$PK_TMP/js.err")"
elif [[ ${CI:-} == true ]]; then
  _pk_fail "node is installed" "node (scripts/install-deps.sh)" "missing"
else
  echo "SKIP: the JavaScript example needs node"
fi

serve_stop TERM
expect_eq "serve exit code" "0" "$SERVE_EXIT"
PK_CMD="database after the suite"
expect_eq "removed hosts are paused, not deleted" "127.0.0.2|1 127.0.0.3|1" \
  "$(db_query "SELECT name, paused FROM targets WHERE name IN ('127.0.0.2', '127.0.0.3') ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the posted host is a paused target with its sample" "1|1" \
  "$(db_query "SELECT t.paused, count(*) FROM targets t JOIN samples s ON s.target_id = t.id WHERE t.name = 'example.com'")"
finish
