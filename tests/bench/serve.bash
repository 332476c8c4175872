# Benchmark: `pingkeeper serve` under load, in a network namespace this
# script creates (lo up, nothing else: no packet can leave it), with the
# collector running: 100 loopback targets 127.0.0.1 .. 127.0.0.100 at 1 Hz.
#   HTTP:      wrk (inside the namespace) against GET /api/ping-metrics/latest,
#              GET /api/v1/stats (or /api/ping-metrics/statistics when
#              the native API has no /stats: the figure's name says which)
#              and GET /metrics (an endpoint that does not answer 200 is
#              reported as serve_http_NAME_MODE_missing), each
#              paced near BENCH_SERVE_RATE req/s (default 5000: 50
#              connections, each waiting 0.9 x 50000/RATE ms after an
#              answer before the next request, with wrk's delay() hook; wrk
#              has no rate mode, and a closed loop falls short of its
#              ceiling by the time requests take: the ceiling is RATE/0.9,
#              so the rate reaches RATE while a request takes under a tenth
#              of the wait; the achieved rate is reported) and flat out (50
#              connections, no delay); then the first two flat out
#              "uncached": every request with its own Accept field, which
#              those routes ignore but the server's answer cache keys on, so
#              each answer is computed afresh; req/s, latency p50/p90/p99,
#              errors.
#   WebSocket: for each of BENCH_SERVE_CLIENTS (default "1000 10000"), a fresh
#              server and pk_bench_ws_load with that many clients, each
#              receiving every ping_result of the 100 targets for
#              BENCH_SERVE_WS_SECONDS (default 20): delivery latency
#              p50/p99/max (see ws_load.cpp for the method), results lost
#              (the samples the database holds for the window times the
#              connected clients, minus the results the clients counted),
#              clients the server closed as too slow, server peak RSS
#              (VmHWM), and the CPU of the server and of the load client
#              (both in % of one core; the machine's cores are shared).
# BENCH_SERVE_PARTS="http ws" (a subset), BENCH_SERVE_WS_THREADS (1: the
# load client's I/O threads), BENCH_SERVE_WS_MODES ("wait poll": the load
# client's threads sleep until a socket is readable, or poll without sleeping;
# see ws_load.cpp: on loopback a sleeping client's wake-up is paid by the
# server's send; each mode gets its own fresh server and figures, the poll
# ones named serve_ws_N_poll_*).
#
#   bash tests/bench/serve.bash PINGKEEPER PK_ICMP_RESPONDER PK_BENCH_WS_LOAD
#
# Needs root (namespaces, raw ICMP). Raises the open-file limit of the server
# and the clients to 65536 (or the hard limit, which must leave room for the
# largest client count plus 1000). Prints JSON lines (common.bash emit) on stdout.

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
WS_LOAD=$(realpath -- "${3:-}")
source "$BENCH_SRC/../net/lib.bash" "$1" "$2"
source "$BENCH_SRC/common.bash"
CLIENT_COUNTS=${BENCH_SERVE_CLIENTS:-1000 10000}
WS_SECONDS=${BENCH_SERVE_WS_SECONDS:-20}
HTTP_SECONDS=${BENCH_SERVE_HTTP_SECONDS:-10}
RATE=${BENCH_SERVE_RATE:-5000}
WS_THREADS=${BENCH_SERVE_WS_THREADS:-1}
WS_MODES=${BENCH_SERVE_WS_MODES:-wait poll}
PARTS=${BENCH_SERVE_PARTS:-http ws}
CONNECTIONS=50
PORT=8080
TARGETS=100

require_root_or_skip
require_tools wrk curl sqlite3 timeout
[[ -x $WS_LOAD ]] || { echo "serve.bash: pk_bench_ws_load missing (build with -DPK_BUILD_BENCH=ON)" >&2; exit 2; }
# Each client is one descriptor in pk_bench_ws_load and one in the server.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for n in $CLIENT_COUNTS; do
  if (($(ulimit -n) < n + 1000)); then
    echo "serve.bash: the open-file limit is $(ulimit -n) (hard $(ulimit -Hn)): too low for $n clients" >&2
    exit 1
  fi
done

ns_new serve
if [[ -n $(ns_exec serve ip route show default) ]]; then
  echo "serve.bash: the namespace has a default route" >&2
  exit 1
fi
ns_exec serve ping -n -q -c 1 -W 1 127.0.0.100 >/dev/null || { echo "serve.bash: 127.0.0.100 does not answer in $(ns serve)" >&2; exit 1; }

DB=$PK_TMP/serve.db
for ((i = 1; i <= TARGETS; i++)); do echo "127.0.0.$i"; done >"$PK_TMP/hosts"
"$PK_BIN" --db "$DB" -q target import "$PK_TMP/hosts" --interval 1s --timeout 1s ||
  { echo "serve.bash: target import failed" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT

# start_server: a fresh `pingkeeper serve` (collecting) in the namespace; sets
# SERVER_PID once it answers GET /metrics (within 10 s).
start_server() {
  local i
  ns_spawn serve "$PK_TMP/serve.log" "$PK_BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" --max-clients 20000
  SERVER_PID=$SPAWNED_PID
  for ((i = 0; i < 100; i++)); do
    ns_exec serve curl -fsS -o /dev/null "$BASE/metrics" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve.bash: the server did not start: $(head -c 500 "$PK_TMP/serve.log.err")" >&2
  exit 1
}

# metric NAME: a value from the server's GET /metrics.
metric() { ns_exec serve curl -fsS "$BASE/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
# cpu_ticks: the server's user + system CPU so far, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13}'; }
hwm_mb() { awk '/^VmHWM:/ {printf "%.1f\n", $2 / 1024}' "/proc/$SERVER_PID/status"; }

# wrk_ms TEXT: wrk's "123.45us" / "1.23ms" / "1.02s" in ms.
wrk_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.4g\n", substr(v, 1, length(v) - 2) / 1000
    else if (v ~ /ms$/) printf "%.4g\n", substr(v, 1, length(v) - 2)
    else if (v ~ /m$/) printf "%.4g\n", substr(v, 1, length(v) - 1) * 60000
    else if (v ~ /s$/) printf "%.4g\n", substr(v, 1, length(v) - 1) * 1000
    else print "null" }'
}

# http_round NAME PATH MODE: wrk against PATH (MODE paced, max or uncached); emits the figures.
http_round() {
  local name=$1 path=$2 mode=$3 out="$PK_TMP/wrk.$1.$3" script=() status
  status=$(ns_exec serve curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
  if [[ $status != 200 ]]; then
    echo "serve.bash: GET $path answered $status: not measured" >&2
    emit "serve_http_${name}_${mode}_missing" 1 flag "path=$path" "status=$status"
    return 0
  fi
  if [[ $mode == paced ]]; then
    printf 'function delay()\n  return %s\nend\n' "$(calc "0.9 * $CONNECTIONS * 1000 / $RATE")" >"$PK_TMP/pace.lua"
    script=(-s "$PK_TMP/pace.lua")
  elif [[ $mode == uncached ]]; then
    # Every request another Accept field (which these routes ignore) and so
    # another cache key: the cost of an answer computed afresh.
    cat >"$PK_TMP/uncached.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, {["Accept"] = "application/json; pk-bench=" .. counter})
end
LUA
    script=(-s "$PK_TMP/uncached.lua")
  fi
  timeout -k 5 $((HTTP_SECONDS + 30)) ip netns exec "$(ns serve)" \
    wrk -t2 -c"$CONNECTIONS" -d"${HTTP_SECONDS}s" --latency "${script[@]}" "$BASE$path" >"$out" 2>&1 ||
    { echo "serve.bash: wrk failed: $(head -c 500 "$out")" >&2; exit 1; }
  local rps p50 p90 p99 errors ctx
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(wrk_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p90=$(wrk_ms "$(awk '$1 == "90%" {print $2}' "$out")")
  p99=$(wrk_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
  ctx=("path=$path" "mode=$mode" "connections=$CONNECTIONS" "threads=2" "seconds=$HTTP_SECONDS" "targets=$TARGETS")
  [[ $mode == paced ]] && ctx+=("target_rate=$RATE")
  emit "serve_http_${name}_${mode}_rps" "$rps" req/s "${ctx[@]}"
  emit "serve_http_${name}_${mode}_p50_ms" "$p50" ms "${ctx[@]}"
  emit "serve_http_${name}_${mode}_p90_ms" "$p90" ms "${ctx[@]}"
  emit "serve_http_${name}_${mode}_p99_ms" "$p99" ms "${ctx[@]}"
  emit "serve_http_${name}_${mode}_errors" "$errors" count "${ctx[@]}"
}

# http_part: wrk rounds on the two endpoints against one server.
http_part() {
  local stats_path=/api/v1/stats stats_name=v1_stats mode
  log "serve: HTTP, $TARGETS targets at 1 Hz"
  start_server
  sleep 5 # every target has results
  if [[ $(ns_exec serve curl -s -o /dev/null -w '%{http_code}' "$BASE$stats_path") == 404 ]]; then
    stats_path=/api/ping-metrics/statistics
    stats_name=statistics
  fi
  for mode in paced max; do
    http_round latest /api/ping-metrics/latest "$mode"
    http_round "$stats_name" "$stats_path" "$mode"
    http_round metrics /metrics "$mode"
  done
  http_round latest /api/ping-metrics/latest uncached
  http_round "$stats_name" "$stats_path" uncached
  emit serve_http_server_rss_mb "$(hwm_mb)" MB "what=VmHWM after the HTTP rounds"
  ns_stop "$SERVER_PID"
}

# ws_part N MODE: N WebSocket clients (pk_bench_ws_load MODE wait or poll)
# against a fresh server; figures named serve_ws_N_ (wait) or serve_ws_N_poll_.
ws_part() {
  local n=$1 mode=$2 name=serve_ws_$1 idle_mb cpu0 t0 out cpu_pct peak_mb slow rejected connected from to received stored expected lost ctx
  [[ $mode == poll ]] && name+=_poll
  log "serve: $n WebSocket clients ($mode), $TARGETS targets at 1 Hz, ${WS_SECONDS}s"
  start_server
  sleep 2
  idle_mb=$(hwm_mb)
  cpu0=$(cpu_ticks)
  t0=$(date +%s.%N)
  out="$PK_TMP/ws.$n.$mode.json"
  timeout -k 5 $((WS_SECONDS + 200)) ip netns exec "$(ns serve)" \
    "$WS_LOAD" 127.0.0.1 "$PORT" "$n" "$WS_SECONDS" "$WS_THREADS" 3 "$mode" >"$out" 2>"$out.err" ||
    { echo "serve.bash: pk_bench_ws_load failed: $(head -c 500 "$out.err")" >&2; exit 1; }
  cpu_pct=$(calc "($(cpu_ticks) - $cpu0) / $(getconf CLK_TCK) / ($(date +%s.%N) - $t0) * 100")
  peak_mb=$(hwm_mb)
  slow=$(metric pingkeeper_websocket_slow_closed_total)
  rejected=$(metric pingkeeper_websocket_rejected_total)
  ns_stop "$SERVER_PID"
  connected=$(json_get "$out" connected)
  from=$(json_get "$out" window_start_us)
  to=$(json_get "$out" window_end_us)
  received=$(json_get "$out" results_in_window)
  stored=$(sqlite3 "$DB" "SELECT count(*) FROM samples WHERE ts >= $from AND ts < $to")
  expected=$((stored * connected))
  lost=$((expected - received))
  ctx=("clients=$n" "client_mode=$mode" "connected=$connected" "targets=$TARGETS" "seconds=$WS_SECONDS" "client_threads=$WS_THREADS"
    "connect_s=$(json_get "$out" connect_s)" "closed_early=$(json_get "$out" closed_early)")
  emit "${name}_delivery_p50_ms" "$(json_get "$out" latency_p50_ms)" ms "${ctx[@]}"
  emit "${name}_delivery_p95_ms" "$(json_get "$out" latency_p95_ms)" ms "${ctx[@]}"
  emit "${name}_delivery_p99_ms" "$(json_get "$out" latency_p99_ms)" ms "${ctx[@]}"
  emit "${name}_delivery_max_ms" "$(json_get "$out" latency_max_ms)" ms "${ctx[@]}"
  emit "${name}_results_expected" "$expected" count "${ctx[@]}" "samples_stored=$stored"
  emit "${name}_results_lost" "$lost" count "${ctx[@]}" "lost_pct=$( ((expected > 0)) && calc "100 * $lost / $expected" || echo 0)"
  emit "${name}_slow_closed" "${slow:-null}" count "${ctx[@]}" "rejected=${rejected:-null}"
  emit "${name}_server_rss_mb" "$peak_mb" MB "${ctx[@]}" "idle_mb=$idle_mb"
  emit "${name}_server_cpu_pct" "$cpu_pct" "%" "${ctx[@]}"
  emit "${name}_client_cpu_pct" "$(calc "100 * $(json_get "$out" cpu_s) / $(json_get "$out" wall_s)")" "%" "${ctx[@]}"
}

# ---------------------------------------------------------------------------
[[ " $PARTS " == *" http "* ]] && http_part
if [[ " $PARTS " == *" ws "* ]]; then
  for n in $CLIENT_COUNTS; do
    for mode in $WS_MODES; do ws_part "$n" "$mode"; done
  done
fi
exit 0
