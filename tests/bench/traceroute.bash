# Benchmark: wall time of a full trace to a host 4 hops away. The router
# chain of tests/net/lib.bash (chain_new: src - r1 - r2 - r3 - far, network
# namespaces this script creates, no route out, no ICMP rate limit) and a
# TCP listener on far:8080. From src, in the same run:
#   pingkeeper traceroute FAR --probe udp|icmp|tcp --no-dns --no-save --queries 3
#   traceroute -n -q3 FAR (UDP), -I, -T -p 8080        (traceroute(8) 2.1.2)
#   mtr -r -c1 -n FAR (ICMP), -u, -T -P 8080           (mtr 0.95)
#   mtr -r -c1 -n -G 1 FAR: mtr waits its grace time (-G, default 5 s)
#       after the last probe whatever came back; this shows that part
# then each program's start alone (pingkeeper --version, traceroute
# --version), then one silent hop (nft in r2 drops its time exceeded), where
# the wait decides: pingkeeper --wait 1s vs traceroute -w 1, UDP and ICMP,
# and traceroute with its default wait (-w 5,3,10: at most 5 s, but no more
# than 10 times the RTT of a later hop that answered).
# Every command runs under pk_rusage (wall, user + sys CPU, peak RSS) inside
# src, once to warm up and then in rounds, the order reversed in even
# rounds: BENCH_TRACE_FAST_REPS (default 21) for pingkeeper and
# traceroute(8) when every hop answers (a few ms each), BENCH_TRACE_REPS
# (default 5) for mtr and for the silent hop (seconds each); figures are medians. After the rounds each
# trace's last output is checked: it must list the chain's hops (10.77.1.2,
# 10.77.2.2 or '*', 10.77.3.2, far), else the benchmark fails.
#
#   bash tests/bench/traceroute.bash PINGKEEPER PK_ICMP_RESPONDER TOOLS_DIR
#
# TOOLS_DIR holds pk_rusage (built by run.sh). Needs root. Prints JSON lines
# (common.bash emit) on stdout. Goal (issue 6): no slower than traceroute(8).

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
RUSAGE_BIN=$(realpath -- "${3:-.}")/pk_rusage
source "$BENCH_SRC/../net/lib.bash" "$1" "$2"
source "$BENCH_SRC/common.bash"
REPS=${BENCH_TRACE_REPS:-5}
FAST_REPS=${BENCH_TRACE_FAST_REPS:-21}
PORT=8080
TMP=$PK_TMP
MEASURE_TIMEOUT=60

require_root_or_skip
require_tools traceroute mtr nft timeout python3
[[ -x $RUSAGE_BIN ]] || { echo "traceroute.bash: $RUSAGE_BIN missing (run.sh builds it)" >&2; exit 2; }

chain_new
ns_tcp_listener far "$PORT"
FAR=$(chain_far4)

# measure runs $RUSAGE CMD: here pk_rusage inside src, so that what is
# measured is the tool alone, not `ip netns exec`.
RUSAGE=$TMP/rusage_in_src
printf '#!/bin/sh\nexec ip netns exec %q %q "$@"\n' "$(ns src)" "$RUSAGE_BIN" >"$RUSAGE"
chmod +x "$RUSAGE"

declare -A CMD
CMD[pk_udp]="$PK_BIN traceroute $FAR --probe udp --no-dns --no-save --queries 3"
CMD[pk_icmp]="$PK_BIN traceroute $FAR --probe icmp --no-dns --no-save --queries 3"
CMD[pk_tcp]="$PK_BIN traceroute $FAR --probe tcp --port $PORT --no-dns --no-save --queries 3"
CMD[tr_udp]="traceroute -n -q3 $FAR"
CMD[tr_icmp]="traceroute -n -q3 -I $FAR"
CMD[tr_tcp]="traceroute -n -q3 -T -p $PORT $FAR"
CMD[mtr_icmp]="mtr -r -c1 -n $FAR"
CMD[mtr_udp]="mtr -r -c1 -n -u $FAR"
CMD[mtr_tcp]="mtr -r -c1 -n -T -P $PORT $FAR"
CMD[mtr_icmp_g1]="mtr -r -c1 -n -G 1 $FAR"
CMD[pk_udp_silent]="$PK_BIN traceroute $FAR --probe udp --no-dns --no-save --queries 3 --wait 1s"
CMD[pk_icmp_silent]="$PK_BIN traceroute $FAR --probe icmp --no-dns --no-save --queries 3 --wait 1s"
CMD[tr_udp_silent]="traceroute -n -q3 -w 1 $FAR"
CMD[tr_icmp_silent]="traceroute -n -q3 -w 1 -I $FAR"
CMD[tr_udp_silent_default]="traceroute -n -q3 $FAR"
CMD[tr_icmp_silent_default]="traceroute -n -q3 -I $FAR"
CMD[pk_version]="$PK_BIN --version"
CMD[tr_version]="traceroute --version"
FAST=(pk_udp pk_icmp pk_tcp tr_udp tr_icmp tr_tcp)
MTR=(mtr_icmp mtr_udp mtr_tcp mtr_icmp_g1)
SILENT=(pk_udp_silent pk_icmp_silent tr_udp_silent tr_icmp_silent tr_udp_silent_default tr_icmp_silent_default)

# run NAME: one measured run of CMD[NAME] (the commands hold no spaces but
# those between words).
run() {
  # shellcheck disable=SC2086
  measure "$1" ${CMD[$1]}
}

# check NAME EXPECTED: the hops NAME printed (its last run's stdout), one
# "TTL ADDRESS..." per hop whatever the tool's layout, must be EXPECTED.
check() {
  local got
  got=$(awk '$1 ~ /^[0-9]+\.?(\|--)?$/ {
      line = $1; sub(/[.|-]+$/, "", line)
      for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ || $i == "*" || $i == "???") line = line " " $i
      print line}' "$TMP/$1.out" | awk '{out = $1; n = 0; for (i = 2; i <= NF; i++) if (!seen[NR, $i]++) out = out " " $i; print out}' |
    paste -sd' ' -)
  if [[ $got != "$2" ]]; then
    echo "traceroute.bash: $1 (${CMD[$1]}) printed hops '$got', expected '$2'; its output:" >&2
    cat "$TMP/$1.out" >&2
    exit 1
  fi
}

# rounds N NAME...: a warm-up and N measured rounds, order reversed in even rounds.
rounds() {
  local n=$1 name rep order
  shift
  for name in "$@"; do
    run "$name"
    unset "W_$name" "C_$name" "M_$name"
  done
  for ((rep = 1; rep <= n; rep++)); do
    log "traceroute: round $rep/$n: $*"
    order=("$@")
    if ((rep % 2 == 0)); then
      mapfile -t order < <(printf '%s\n' "$@" | tac)
    fi
    for name in "${order[@]}"; do
      run "$name"
    done
  done
}

# report NAME CASE N: the figures of NAME, N rounds.
report() {
  local name=$1 tool=${1%%_*} method=${1#*_}
  case $tool in pk) tool=pingkeeper ;; tr) tool=traceroute ;; esac
  emit "traceroute_${tool}_${method}_wall_s" "$(med W "$name")" s "tool=$tool" "hops=4" "queries=3" "case=$2" \
    "reps=$3" "stat=median" "per_rep=$(list W "$name")" "cpu_s=$(med C "$name")" \
    "peak_rss_kb=$(med M "$name")" "command=${CMD[$name]//$PK_BIN/pingkeeper}"
}

# ratio A B CASE: median wall of A / B, with the goal of the issue.
ratio() {
  local r
  r=$(calc "$(med W "$1") / $(med W "$2")")
  emit "traceroute_ratio_${1}_per_${2}" "$r" ratio "stat=ratio of median walls" "case=$3" \
    "cpu_ratio=$(calc "$(med C "$1") / $(med C "$2")")" "goal_max=1" \
    "met=$(awk -v r="$r" 'BEGIN {print (r <= 1) ? "true" : "false"}')"
}

log "traceroute: all hops answer"
rounds "$FAST_REPS" "${FAST[@]}"
rounds "$REPS" "${MTR[@]}"
for name in "${FAST[@]}" "${MTR[@]}"; do
  check "$name" "1 10.77.1.2 2 10.77.2.2 3 10.77.3.2 4 $FAR"
done
for name in "${FAST[@]}"; do
  report "$name" all_answer "$FAST_REPS"
done
for name in "${MTR[@]}"; do
  report "$name" all_answer "$REPS"
done
for m in udp icmp tcp; do
  ratio "pk_$m" "tr_$m" all_answer
done

log "traceroute: program start alone"
rounds "$FAST_REPS" pk_version tr_version
report pk_version startup "$FAST_REPS"
report tr_version startup "$FAST_REPS"

log "traceroute: r2 silent (nft drops its time exceeded)"
ns_drop_time_exceeded r2
rounds "$REPS" "${SILENT[@]}"
for name in "${SILENT[@]}"; do
  check "$name" "1 10.77.1.2 2 * 3 10.77.3.2 4 $FAR"
done
for name in "${SILENT[@]}"; do
  report "$name" hop2_silent "$REPS"
done
for m in udp icmp; do
  ratio "pk_${m}_silent" "tr_${m}_silent" hop2_silent
  ratio "pk_${m}_silent" "tr_${m}_silent_default" hop2_silent
done
ns_clear_time_exceeded r2

emit traceroute_versions 1 info "traceroute=$(traceroute --version 2>&1 | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)" \
  "mtr=$(mtr --version 2>&1 | grep -Eo '[0-9]+\.[0-9]+' | head -n 1)"
exit 0
