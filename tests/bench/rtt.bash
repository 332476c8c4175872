# Benchmark 2: RTT accuracy. Two network namespaces this script creates,
# client <-> target over one veth pair (10.77.1.1 <-> 10.77.1.2, no route
# anywhere else); the target's kernel ignores echo requests
# (net.ipv4.icmp_echo_ignore_all=1) and tests/tools/pk_icmp_responder answers
# them after --delay 5ms, then 50ms. From the client, at the same time:
#   ping(8):    ping -n -c 50 -i 0.1 -W 2 10.77.1.2
#   fping:      fping -C 50 -p 100 -q 10.77.1.2
#   pingkeeper: pingkeeper --json ping -c 50 -i 100ms -W 2s 10.77.1.2
# Figures: each tool's median RTT and the differences pingkeeper - ping(8)
# and pingkeeper - fping (goal: within 50 us); also the means (ping(8)'s
# summary has them to the microsecond).
#
# Resolution: ping(8) and fping print 3 significant digits (0.01 ms at 5 ms,
# 0.1 ms at 50 ms); pingkeeper --json prints microseconds. At 50 ms a
# median of ping(8) or fping is thus only known to +-50 us; the mean from
# ping(8)'s summary line is exact to the microsecond and is the sharper check.
#
#   bash tests/bench/rtt.bash PINGKEEPER PK_ICMP_RESPONDER
#
# Needs root. Prints JSON lines (common.bash emit) on stdout.

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_SRC/../net/lib.bash" "$1" "$2"
source "$BENCH_SRC/common.bash"
COUNT=${BENCH_RTT_COUNT:-50}
DELAYS=${BENCH_RTT_DELAYS:-5ms 50ms}
T4=10.77.1.2

require_root_or_skip
require_tools ping fping timeout sysctl

ns_new client target
ns_link client target 1
ns_wait_reachable client "$T4" 5 || { echo "rtt.bash: $T4 unreachable from the client namespace" >&2; exit 1; }
ns_sysctl target net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
if ns_exec client ping -n -q -c 1 -W 1 "$T4" >/dev/null 2>&1; then
  echo "rtt.bash: the target's kernel still answers" >&2
  exit 1
fi

# Reads numbers (ms), one a line, on stdin: prints "median mean count".
stats() {
  sort -g | awk '{v[NR] = $1; s += $1}
    END {if (NR == 0) {print "null null 0"; exit}
         m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
         printf "%.6f %.6f %d\n", m, s / NR, NR}'
}

# run_bg NAME CMD...: CMD in the client namespace in the background, bounded
# in time; its stdout and stderr go to $PK_TMP/NAME.out and .err.
BG_PIDS=()
BG_NAMES=()
run_bg() {
  local name=$1
  shift
  timeout -k 5 $((COUNT / 10 + 30)) ip netns exec "$(ns client)" "$@" >"$PK_TMP/$name.out" 2>"$PK_TMP/$name.err" &
  BG_PIDS+=($!)
  BG_NAMES+=("$name: $*")
}

wait_all() {
  local i code
  for i in "${!BG_PIDS[@]}"; do
    wait "${BG_PIDS[$i]}"
    code=$?
    if ((code != 0)); then
      echo "rtt.bash: ${BG_NAMES[$i]} exited $code: $(head -c 300 "$PK_TMP/${BG_NAMES[$i]%%:*}.err")" >&2
      exit 1
    fi
  done
  BG_PIDS=()
  BG_NAMES=()
}

for delay in $DELAYS; do
  start_responder target --delay "$delay"

  # The three run at the same time (each with its own ICMP identifier), so
  # they see the same machine: a noisy neighbour hits all of them alike.
  log "rtt: --delay $delay: ping(8), fping and pingkeeper ping side by side, $COUNT probes each"
  # Started 25 ms apart, so their 100 ms trains of probes interleave instead
  # of reaching the responder together (the last of a simultaneous pair
  # would wait for the other's reply to be sent).
  run_bg ping ping -n -c "$COUNT" -i 0.1 -W 2 "$T4"
  sleep 0.025
  run_bg fping fping -C "$COUNT" -p 100 -q "$T4"
  sleep 0.025
  run_bg pk "$PK_BIN" --json ping -c "$COUNT" -i 100ms -W 2s "$T4"
  sleep 0.025
  # ping(8) prints "time=50.1 ms" (0.1 ms steps above 10 ms) but its summary
  # line to the microsecond: one probe per ping gives each RTT exactly.
  run_bg ping1 bash -c "for ((i = 0; i < $COUNT; i++)); do ping -n -c 1 -W 2 $T4 | grep -F 'rtt min'; sleep 0.1; done"
  wait_all

  read -r ping_median _ ping_n < <(grep -Eo 'time=[0-9.]+' "$PK_TMP/ping.out" | cut -d= -f2 | stats)
  # "rtt min/avg/max/mdev = 5.088/5.113/5.129/0.015 ms": the exact mean.
  ping_mean=$(grep -Eo 'rtt min/avg/max/mdev = [0-9./]+' "$PK_TMP/ping.out" | cut -d= -f2 | cut -d/ -f2 | tr -d ' ')
  read -r fping_median fping_mean fping_n < <(grep -F " : " "$PK_TMP/fping.err" | cut -d: -f2 | tr ' ' '\n' |
    grep -E '^[0-9.]+$' | stats)
  read -r ping1_median ping1_mean ping1_n < <(grep -Eo 'rtt min/avg/max/mdev = [0-9./]+' "$PK_TMP/ping1.out" |
    cut -d= -f2 | cut -d/ -f2 | tr -d ' ' | stats)
  read -r pk_median pk_mean pk_n < <(grep '"type":"reply"' "$PK_TMP/pk.out" | grep -Eo '"rtt_ms":[0-9.]+' |
    cut -d: -f2 | stats)

  stop_responder
  log "rtt: --delay $delay: medians ms: pingkeeper $pk_median, ping $ping_median, ping -c 1 $ping1_median, fping $fping_median"

  d=${delay%ms}
  common=("delay=$delay" "probes=$COUNT" "interval_ms=100" "path=veth, pk_icmp_responder")
  emit "rtt_${d}ms_pingkeeper_median_ms" "$pk_median" ms "${common[@]}" "received=$pk_n" "mean_ms=$pk_mean" \
    "resolution_us=1" "command=pingkeeper --json ping -c $COUNT -i 100ms -W 2s $T4"
  emit "rtt_${d}ms_ping_median_ms" "$ping_median" ms "${common[@]}" "received=$ping_n" "mean_ms=$ping_mean" \
    "resolution_us=$([[ $d -ge 10 ]] && echo 100 || echo 10)" "command=ping -n -c $COUNT -i 0.1 -W 2 $T4"
  emit "rtt_${d}ms_fping_median_ms" "$fping_median" ms "${common[@]}" "received=$fping_n" "mean_ms=$fping_mean" \
    "resolution_us=$([[ $d -ge 10 ]] && echo 100 || echo 10)" "command=fping -C $COUNT -p 100 -q $T4"
  emit "rtt_${d}ms_ping_single_median_ms" "$ping1_median" ms "${common[@]}" "received=$ping1_n" \
    "mean_ms=$ping1_mean" "resolution_us=1" \
    "command=$COUNT x (ping -n -c 1 -W 2 $T4; sleep 0.1), the RTT from each summary line"
  for peer in ping ping_single fping; do
    m=${peer}_median
    [[ $peer == ping_single ]] && m=ping1_median
    diff=$(calc "(${pk_median} - ${!m}) * 1000")
    met=$(awk -v x="$diff" 'BEGIN {print (x <= 50 && x >= -50) ? "true" : "false"}')
    emit "rtt_${d}ms_median_pingkeeper_minus_${peer}_us" "$diff" us "${common[@]}" "goal_abs_max_us=50" "met=$met"
  done
  diff=$(calc "(${pk_mean} - ${ping_mean}) * 1000")
  emit "rtt_${d}ms_mean_pingkeeper_minus_ping_us" "$diff" us "${common[@]}" \
    "note=means at 1 us resolution (ping(8) summary line, pingkeeper --json); outlier-sensitive, the goal is on medians"
done
exit 0
