#!/usr/bin/env bash
# End-to-end: the server core of `pingkeeper serve`: start and usage errors,
# HTTP errors (404, 405, malformed requests, garbage bytes, oversized headers
# and bodies), tokens, --read-only, CORS, the WebSocket protocol (messages,
# invalid input, subscriptions, the connection cap, malformed frames), the
# --no-collect live feed from a separate `pingkeeper run`, and SIGTERM
# closing WebSockets with 1001. The endpoints themselves: seed.bash, v1.bash.
# shellcheck source-path=SCRIPTDIR source=lib.bash
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.bash" "$1"

run_pk init -q
run_pk target add 127.0.0.1 --name lo --interval 200ms -q
expect_code 0
run_pk target add 127.0.0.2 --name lo2 --interval 200ms -q
expect_code 0

section "usage errors: exit 2, nothing served"
run_pk serve --listen nonsense
expect_code 2
expect_stderr_contains "--listen 'nonsense': expected ADDRESS:PORT"
run_pk serve --listen 0.0.0.0:0
expect_code 2
expect_stderr_contains "reachable from other machines: give --token-file"
run_pk serve --listen example.com:80
expect_code 2
expect_stderr_contains "is not an IP address"
run_pk serve --token-reads
expect_code 2
expect_stderr_contains "--token-reads needs --token-file"
printf 'short\n' >"$PK_TMP/short.tokens"
run_pk serve --token-file "$PK_TMP/short.tokens"
expect_code 2
expect_stderr_contains "at least 16 characters"
run_pk serve --token-file "$PK_TMP/missing.tokens"
expect_code 1
expect_stderr_contains "cannot read the token file"
run_pk serve --help
expect_code 0
expect_stdout_contains "--no-collect"

section "HTTP errors"
serve_start
http GET /api/no/such/thing
expect_code 404
expect_json "d" "{'detail': 'Not Found'}"
http DELETE /api/ws/connections
expect_code 405
expect_json "d['detail']" "Method Not Allowed"
expect_header "Allow: GET"
http GET /api/ws/connections
expect_code 200
expect_json "sorted(d)[:3]" "['accepted_total', 'active_connections', 'max_connections']"
http HEAD /api/ws/connections -I
expect_code 200
expect_stdout_contains "Content-Length: 1"
expect_stdout_not_contains "active_connections"

http GET "/api/ws/connections?x=%zz"
expect_code 400
expect_json "d['detail']" "malformed request target"
# 20 KiB of header: 431; 2 MiB of body: 413; both close the connection, the server stays up.
http GET /api/ws/connections -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
expect_code 431
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' a >"$PK_TMP/big.body"
http POST /api/anything --data-binary "@$PK_TMP/big.body" -H "Content-Type: application/json"
expect_code 413
expect_json "d['detail']" "the request body is too large (at most 1 MiB)"
export U=$SERVE_URL
for garbage in 'GARBAGE\r\n\r\n' '\x00\x01\x02\xff\xfe\r\n\r\n' 'GET / HTTP/9.9\r\n\r\n' 'GET nopath HTTP/1.1\r\nHost: x\r\n\r\n'; do
  reply=$(printf "$garbage" | timeout 5 "$PK_PYTHON" -c '
import socket, sys, os
host, port = os.environ["U"].split("//")[1].split(":")
s = socket.create_connection((host, int(port)), timeout=4)
s.sendall(sys.stdin.buffer.read())
print(s.recv(200).split(b"\r\n")[0].decode("latin-1"))' 2>&1)
  PK_CMD="raw bytes $garbage"
  expect_eq "garbage answered 400: $garbage" "HTTP/1.1 400 Bad Request" "$reply"
done
http GET /api/ws/connections
expect_code 200

section "web pages cannot use the server behind a browser's back"
# DNS rebinding: another name resolving to 127.0.0.1 (no tokens, loopback): refused.
http GET /api/ws/connections -H "Host: rebind.example:8080"
expect_code 403
expect_stdout_contains "answers only to localhost names"
for host in "localhost:8080" "127.0.0.1" "[::1]:8080" "app.localhost"; do
  http GET /api/ws/connections -H "Host: $host"
  expect_code 200
done
# A page of another origin may not change anything, nor open the WebSocket.
http POST /api/ping-metrics/monitoring/stop -H "Origin: https://evil.example"
expect_code 403
expect_stdout_contains "origin are not allowed"
http GET /api/ws/connections -H "Origin: https://evil.example"
expect_code 200
http GET /api/ws/ping-status -H "Origin: https://evil.example" -H "Connection: Upgrade" -H "Upgrade: websocket" \
  -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
expect_code 403
http GET /api/ws/connections
expect_json "d['monitoring_active']" "True"

section "WebSocket protocol"
# The subscription backfill reads stored samples: wait (bounded) until the collector's writer stored some.
for ((i = 0; i < 50; i++)); do
  [[ $(db_query "SELECT count(*) FROM samples WHERE target_id = 2") -gt 0 ]] && break
  sleep 0.1
done
py "$HERE/ws_checks.py" protocol
expect_code 0
expect_stdout_contains "got connection_established conn_"
expect_stdout_contains "WebSocket connection established"
expect_stdout_contains "got initial_data ['lo', 'lo2']"
expect_stdout_matches "got ping_result \['error_message', 'host', 'packet_loss', 'response_time_ms', 'timestamp'\] lo2? False float"
expect_stdout_contains "got error for not json -> Invalid message format"
expect_stdout_contains "got error for [1,2] -> Invalid message format"
expect_stdout_contains "got error for {\"type\":\"bogus\"} -> Unknown message type: bogus"
expect_stdout_contains "got error for {\"type\":\"subscribe_host\"} -> subscribe_host needs a \"host\" string"
expect_stdout_contains "\"hours\" must be an integer between 1 and 168"
expect_stdout_contains "got error for binary -> Invalid message format"
expect_stdout_contains "got pong"
expect_stdout_contains "got status_response True ['lo', 'lo2'] 1"
expect_stdout_contains "got error for unknown host ->"
expect_stdout_contains "got subscribed lo2 ['lo2'] False backfill>0 True"
expect_stdout_contains "got backfill True hosts after subscribe ['lo2']"
expect_stdout_contains "got unsubscribed True"
expect_stdout_contains "hosts after unsubscribe ['lo', 'lo2']"
expect_stdout_contains "got latest_metrics dict"
expect_stdout_contains "got status_update ['latest_results_count', 'monitoring_active', 'target_hosts', 'timestamp', 'type', 'websocket_clients']"
if ((PK_CODE != 0)); then echo "$PK_OUT $PK_ERR" >&2; fi
py "$HERE/ws_checks.py" malformed_frames
expect_code 0
expect_stdout_contains "unmasked client frame: closed with 1002"
expect_stdout_contains "reserved opcode: closed with 1002"
expect_stdout_contains "oversized length: closed with 1009"
expect_stdout_contains "invalid utf-8 text: closed with 1007"
py "$HERE/ws_checks.py" framing
expect_code 0
expect_stdout_contains "first message connection_established"
expect_stdout_contains "pong frame b'hi'"
expect_stdout_contains "reply to the fragmented message pong"
expect_stdout_contains "close answered with 4000"
expect_stdout_contains "then the connection ended True"
expect_stdout_contains "the server closed first: active connections 0"
http GET /api/ws/connections
expect_code 200
expect_json "d['active_connections']" "0"

section "SIGTERM: WebSockets closed with 1001, exit 0, every sample stored"
SERVE_URL=$SERVE_URL "$PK_SYS_PYTHON" "$HERE/ws_checks.py" going_away >"$PK_TMP/away.out" 2>&1 &
away=$!
for ((i = 0; i < 50; i++)); do grep -q connected "$PK_TMP/away.out" && break; sleep 0.1; done
serve_stop TERM
expect_eq "serve exit code on SIGTERM" "0" "$SERVE_EXIT"
wait "$away"
PK_CMD="ws_checks.py going_away"
expect_eq "close code seen by the client" "closed 1001" "$(grep closed "$PK_TMP/away.out" || cat "$PK_TMP/away.out")"
expect_eq "samples were stored" "1" "$(db_query "SELECT count(*) > 10 FROM samples")"

section "tokens and --read-only"
printf '# ops\nabcdefghijklmnop0123\n\nqrstuvwxyzABCDEF4567\n' >"$PK_TMP/tokens"
serve_start --token-file "$PK_TMP/tokens" --no-collect
http POST /api/nowhere
expect_code 401
expect_header "WWW-Authenticate: Bearer"
expect_json "d['detail']" "this request needs a bearer token (Authorization: Bearer ...)"
http POST /api/nowhere -H "Authorization: Bearer wrongwrongwrongwrong"
expect_code 401
expect_json "d['detail']" "the bearer token is not valid"
http POST /api/nowhere -H "Authorization: Bearer qrstuvwxyzABCDEF4567"
expect_code 404
http GET /api/ws/connections
expect_code 200
serve_stop
serve_start --token-file "$PK_TMP/tokens" --token-reads --read-only --no-collect
http GET /api/ws/connections
expect_code 401
http GET /api/ws/connections -H "Authorization: bearer abcdefghijklmnop0123"
expect_code 200
http DELETE /api/ws/connections -H "Authorization: Bearer abcdefghijklmnop0123"
expect_code 403
expect_stdout_contains "read-only"
serve_stop

section "CORS"
serve_start --cors-origin https://dash.example --no-collect
http OPTIONS /api/ws/connections -H "Origin: https://dash.example" -H "Access-Control-Request-Method: GET"
expect_code 204
expect_header "Access-Control-Allow-Origin: https://dash.example"
expect_header "Access-Control-Allow-Methods: GET, POST, PATCH, DELETE, OPTIONS"
expect_header "Access-Control-Allow-Headers: Authorization, Content-Type, Accept"
http OPTIONS /api/ws/connections -H "Origin: https://evil.example" -H "Access-Control-Request-Method: GET"
expect_code 403
http GET /api/ws/connections -H "Origin: https://dash.example"
expect_code 200
expect_header "Access-Control-Allow-Origin: https://dash.example"
http GET /api/ws/connections -H "Origin: https://evil.example"
expect_code 200
PK_CMD="GET with a foreign Origin"
expect_eq "no CORS header for a foreign origin" "" "$(grep -i access-control <<<"$PK_HEADERS")"
serve_stop

section "a client that reads nothing is closed (1008) and counted"
# Small socket buffers in this namespace, so the pongs pile up in the server's queue fast.
sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" net.ipv4.tcp_rmem="4096 16384 65536"
serve_start --ws-queue 16 --no-collect
py "$HERE/ws_checks.py" slow
expect_code 0
expect_stdout_contains "ended, read fewer than all pongs: True"
http GET /api/ws/connections
expect_json "d['slow_closed_total']" "1"
expect_json "d['active_connections']" "0"
serve_stop
run_pk serve --ws-queue 0
expect_code 2
expect_stderr_contains "--ws-queue must be at least 1"

section "the connection cap"
serve_start --max-clients 2 --no-collect
py "$HERE/ws_checks.py" cap
expect_code 0
expect_stdout_contains "third refused 503"
expect_stdout_contains "after they left: connection_established"
http GET /api/ws/connections
expect_json "d['rejected_total']" "1"
serve_stop

section "--no-collect: the live feed follows a separate pingkeeper run"
serve_start --no-collect
http GET /api/ws/connections
expect_json "d['monitoring_active']" "False"
"$PK_BIN" run --duration 20s >"$PK_TMP/run.out" 2>&1 &
run_pid=$!
PK_HELPERS+=("$run_pid")
py "$HERE/ws_checks.py" live 10
expect_code 0
expect_stdout_contains "live results 10 ['lo', 'lo2']"
http GET /api/ws/connections
expect_json "d['monitoring_active']" "True"
kill -INT "$run_pid"
wait "$run_pid"
serve_stop INT
expect_eq "serve exit code on SIGINT" "0" "$SERVE_EXIT"

section "repeated reads are cached, and every change shows at once"
serve_start --no-collect
db_count() { "$PK_SYS_PYTHON" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM samples").fetchone()[0])' "$PINGKEEPER_DB"; }
stored=$(db_count)
cache_hits() { curl -s "$SERVE_URL/metrics" | awk '$1 == "pingkeeper_http_cache_hits_total" {print $2}'; }
hits=$(cache_hits)
http GET "/api/ping-metrics/count"
expect_json "d['count']" "$stored"
http GET "/api/ping-metrics/count"
expect_json "d['count']" "$stored"
expect_eq "the repeated read came from the cache" "$((hits + 1))" "$(cache_hits)"
# A change through the server: the very next read shows it.
http POST /api/ping-metrics -H "Content-Type: application/json" -d '{"target_host": "127.0.0.1", "response_time_ms": 1.5}'
expect_code 200
http GET "/api/ping-metrics/count"
expect_json "d['count']" "$((stored + 1))"
# A change by another process: shown within a second (the server looks at
# the database's data_version every 100 ms).
before=$(db_count)
run_pk run --duration 1s -q
expect_code 0
stored=$(db_count)
expect_eq "the other process stored samples" "yes" "$( ((stored > before)) && echo yes || echo no)"
t0=$(date +%s%N)
for ((i = 0; i < 40; i++)); do
  http GET "/api/ping-metrics/count"
  [[ $PK_OUT == "{\"count\":$stored}" ]] && break
  sleep 0.05
done
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
expect_json "d['count']" "$stored"
expect_eq "seen within a second of the other process's exit (took ${elapsed_ms} ms)" "yes" "$( ((elapsed_ms < 1000)) && echo yes || echo no)"
serve_stop

finish
