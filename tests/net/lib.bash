# Helpers for the network suites in tests/net/. Not a suite itself
# (tests/CMakeLists.txt skips lib.bash). Modelled on tests/cli/lib.bash. A
# suite starts with
#
#   source "$(dirname "$0")/lib.bash" "$1" "$2"
#
# where $1 is the built pingkeeper binary and $2 the built pk_icmp_responder
# (tests/tools), calls require_root_or_skip, builds its topology, and ends
# with `finish`.
#
# The safety rule (docs: TESTING.md "Network tests: the safety rule"): traffic
# goes only to loopback or to hosts in namespaces this suite created. Every
# namespace is called pk_ns_<pid>_<name>; veth pairs are created directly
# inside the namespaces (never in the default one, which gets no link, address
# or route); the namespaces have no route out. Everything is torn down by the
# EXIT trap, also on failure or on SIGINT/SIGTERM; finish() checks that the
# default namespace carries none of our addresses.
#
# Topology
#   ns_new NAME...              create namespaces (loopback up, IPv6 on, no routes out)
#   ns NAME                     prints the full namespace name pk_ns_<pid>_NAME
#   ns_link A B N               veth pair A<->B: in A "to_B" with 10.77.N.1/24 and
#                               fd00:77:N::1/64, in B "to_A" with 10.77.N.2/24 and
#                               fd00:77:N::2/64 (IPv6 with nodad)
#   addr4 NAME N / addr6 NAME N the address NAME got from ns_link ... N
#   ns_exec NAME CMD...         run CMD inside the namespace
#   ns_sysctl NAME KEY=VALUE... sysctl -w inside the namespace (fails the suite on error)
#   ns_wait_reachable NAME ADDR [TRIES]   bounded ping until ADDR answers; returns 1 if never
#   ns_spawn NAME LOG CMD...    start CMD in the background inside NAME (stdout to LOG,
#                               stderr to LOG.err); sets SPAWNED_PID; killed at teardown
#   ns_stop PID                 SIGTERM, bounded wait, then SIGKILL
#   start_responder NAME ARGS...  pk_icmp_responder in NAME, waits (bounded) for "ready";
#                               sets RESPONDER_PID and RESPONDER_LOG
#   ns_drop_icmp NAME MOD       nft: drop 1 in MOD IPv4 echo requests entering NAME
#
# Running
#   run_in NAME CMD...          any command in NAME: sets PK_OUT, PK_ERR, PK_CODE, PK_CMD
#   run_pk_in NAME ARGS...      pingkeeper in NAME (as root), same variables
#   run_pk_as NAME UID ARGS...  pingkeeper in NAME as UID (setpriv, no capabilities)
#   rtt_median                  median of the "time=X ms" values of the last stdout
#   loss_percent                X of "X% packet loss" in the last stdout
#
# Assertions (as in tests/cli/lib.bash)
#   expect_code N / expect_code_in N... / expect_stdout_contains TEXT /
#   expect_stdout_matches ERE / expect_stderr_contains TEXT / expect_eq WHAT EXPECTED GOT
#   expect_between WHAT LO HI GOT    LO <= GOT <= HI (decimal numbers)
#   expect_true WHAT CMD...          CMD exits 0
#   fail_check WHAT EXPECTED GOT     record a failure by hand
#   finish                           prints "N passed, M failed"; exits 1 on failure
#
# Skips: require_root_or_skip and require_tools print "SKIP: reason" and exit
# 77 (ctest SKIP_RETURN_CODE), except under CI=true where a skip is a failure.

# tests/, found before anything changes the working directory.
PK_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Shared assertions (expect_code, expect_eq, ...) and _pk_isolate.
source "$PK_TESTS_DIR/assert.bash"
set -u

if [[ $# -lt 2 || -z ${1:-} || -z ${2:-} ]]; then
  echo "usage: bash $0 /path/to/pingkeeper /path/to/pk_icmp_responder" >&2
  exit 2
fi
PK_BIN=$(realpath -- "$1") || { echo "lib.bash: cannot resolve $1" >&2; exit 2; }
PK_RESPONDER=$(realpath -- "$2") || { echo "lib.bash: cannot resolve $2" >&2; exit 2; }
for _pk_file in "$PK_BIN" "$PK_RESPONDER"; do
  if [[ ! -x $_pk_file ]]; then
    echo "lib.bash: $_pk_file is not an executable" >&2
    exit 2
  fi
done

PK_SUITE=$(basename "$0" .bash)
PK_NS_PREFIX="pk_ns_$$_"
PK_NAMESPACES=()  # full names, in creation order
PK_SPAWNED=()     # background pids (processes this suite started)
PK_OUT=""
PK_ERR=""
PK_CODE=""
PK_CMD="(no command run yet)"
PK_TIMEOUT=${PK_TIMEOUT:-30}  # seconds per command run by run_in / run_pk_in

# --- skipping ------------------------------------------------------------------


# _pk_skip REASON: skip the suite, or fail it under CI=true.
_pk_skip() {
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: $PK_SUITE cannot run: $1 (under CI=true the network suites must run, not skip)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "SKIP: $PK_SUITE: $1"
  exit 77
}

require_root_or_skip() {
  if [[ $(id -u) != 0 ]]; then
    _pk_skip "needs root to create network namespaces (run as root, or with sudo)"
  fi
  command -v ip >/dev/null || _pk_skip "needs ip (Debian package iproute2)"
  local probe="${PK_NS_PREFIX}probe"
  if ! ip netns add "$probe" 2>/dev/null; then
    _pk_skip "cannot create a network namespace (ip netns add failed: not permitted in this container?)"
  fi
  ip netns del "$probe" 2>/dev/null
  return 0
}

# require_tools TOOL...: each must be on PATH (hint: scripts/install-deps.sh).
require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || _pk_skip "needs $t (install it: scripts/install-deps.sh)"
  done
}

# --- reporting -----------------------------------------------------------------


fail_check() { _pk_fail "$@"; }



note() { echo "   $*"; }

# --- temp directory and teardown ------------------------------------------------

PK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-net.XXXXXX") || exit 2
# 0711: an unprivileged uid may reach $PK_TMP/nobody (run_pk_as) but not list the rest.
chmod 0711 "$PK_TMP"
mkdir -p "$PK_TMP/nobody"
chmod 0777 "$PK_TMP/nobody"
_pk_isolate "$PK_TMP"

_pk_teardown() {
  local pid ns i
  # Our own background processes first (by pid), then anything still inside
  # our namespaces (only processes this suite started can be there), so the
  # namespaces and their veths really go away.
  for pid in "${PK_SPAWNED[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for ns in "${PK_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -TERM "$pid" 2>/dev/null
    done
  done
  for ((i = 0; i < 20; i++)); do
    local alive=0
    for pid in "${PK_SPAWNED[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    for ns in "${PK_NAMESPACES[@]}"; do
      [[ -n $(ip netns pids "$ns" 2>/dev/null) ]] && alive=1
    done
    ((alive == 0)) && break
    sleep 0.1
  done
  for pid in "${PK_SPAWNED[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${PK_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
  done
  wait 2>/dev/null
  # Deleting a namespace removes its veth ends (and so the pairs).
  for ns in "${PK_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  local left
  left=$(ip netns list 2>/dev/null | awk -v p="$PK_NS_PREFIX" 'index($1, p) == 1 {print $1}')
  if [[ -n $left ]]; then
    echo "lib.bash: warning: namespaces left behind: $left" >&2
  fi
  rm -rf -- "$PK_TMP"
}
trap _pk_teardown EXIT
trap 'echo "lib.bash: interrupted" >&2; exit 130' INT
trap 'echo "lib.bash: terminated" >&2; exit 143' TERM HUP

# --- topology ---------------------------------------------------------------------

ns() { printf '%s%s' "$PK_NS_PREFIX" "$1"; }

# ns_new NAME...: fresh namespaces with loopback up and nothing else.
ns_new() {
  local name full
  for name in "$@"; do
    full=$(ns "$name")
    if ! ip netns add "$full"; then
      _pk_fatal "ip netns add $full failed"
    fi
    PK_NAMESPACES+=("$full")
    ip -n "$full" link set lo up || _pk_fatal "cannot bring up lo in $full"
    ip netns exec "$full" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
      >/dev/null 2>&1
  done
}

# _pk_fatal MESSAGE: the topology could not be built: one failure, stop here.
_pk_fatal() {
  _pk_fail "topology: $1" "set up" "failed"
  finish
}

# Interface names are at most 15 characters.
_pk_ifname() { printf '%.15s' "to_$1"; }

addr4() { printf '10.77.%d.%d' "$2" "$(_pk_host_index "$1" "$2")"; }
addr6() { printf 'fd00:77:%x::%d' "$2" "$(_pk_host_index "$1" "$2")"; }

declare -A PK_LINK_HOST  # "NAME/N" -> 1 or 2
_pk_host_index() {
  local key="$1/$2"
  if [[ -z ${PK_LINK_HOST[$key]:-} ]]; then
    echo "lib.bash: $1 has no address on link $2" >&2
    echo 0
    return
  fi
  echo "${PK_LINK_HOST[$key]}"
}

# ns_link A B N: a veth pair between namespaces A and B on subnet N (1..254).
ns_link() {
  local a=$1 b=$2 n=$3
  local na nb ia ib
  na=$(ns "$a")
  nb=$(ns "$b")
  ia=$(_pk_ifname "$b")
  ib=$(_pk_ifname "$a")
  # Both ends are created directly inside the namespaces: the default
  # namespace never sees them.
  ip link add "$ia" netns "$na" type veth peer name "$ib" netns "$nb" ||
    _pk_fatal "veth $na/$ia <-> $nb/$ib"
  PK_LINK_HOST["$a/$n"]=1
  PK_LINK_HOST["$b/$n"]=2
  ip -n "$na" addr add "10.77.$n.1/24" dev "$ia" || _pk_fatal "IPv4 address in $na"
  ip -n "$nb" addr add "10.77.$n.2/24" dev "$ib" || _pk_fatal "IPv4 address in $nb"
  ip -n "$na" addr add "$(addr6 "$a" "$n")/64" dev "$ia" nodad || _pk_fatal "IPv6 address in $na"
  ip -n "$nb" addr add "$(addr6 "$b" "$n")/64" dev "$ib" nodad || _pk_fatal "IPv6 address in $nb"
  ip -n "$na" link set "$ia" up || _pk_fatal "link up in $na"
  ip -n "$nb" link set "$ib" up || _pk_fatal "link up in $nb"
}

ns_exec() {
  local name=$1
  shift
  ip netns exec "$(ns "$name")" "$@"
}

ns_sysctl() {
  local name=$1 kv
  shift
  for kv in "$@"; do
    ip netns exec "$(ns "$name")" sysctl -qw "$kv" >/dev/null || _pk_fatal "sysctl -w $kv in $(ns "$name")"
  done
}

# ns_wait_reachable NAME ADDR [TRIES]: ping (1 probe, 1 s timeout) up to
# TRIES times (default 5); 0 once ADDR answered. IPv6 may need a try or two
# for neighbour discovery.
ns_wait_reachable() {
  local name=$1 addr=$2 tries=${3:-5} i
  for ((i = 0; i < tries; i++)); do
    if ip netns exec "$(ns "$name")" ping -n -q -c 1 -W 1 "$addr" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# ns_spawn NAME LOG CMD...: a background process inside NAME.
ns_spawn() {
  local name=$1 log=$2
  shift 2
  ip netns exec "$(ns "$name")" "$@" >"$log" 2>"$log.err" &
  SPAWNED_PID=$!
  PK_SPAWNED+=("$SPAWNED_PID")
}

# ns_stop PID: SIGTERM, wait up to 3 s, then SIGKILL. Returns the exit status.
ns_stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 30; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

# start_responder NAME ARGS...: pk_icmp_responder inside NAME (bounded to 5
# minutes by --duration as a last resort), ready when it says so.
PK_RESPONDERS=0
start_responder() {
  local name=$1 i
  shift
  PK_RESPONDERS=$((PK_RESPONDERS + 1))
  RESPONDER_LOG="$PK_TMP/responder.$PK_RESPONDERS.log"
  ns_spawn "$name" "$RESPONDER_LOG" "$PK_RESPONDER" --duration 5m "$@"
  RESPONDER_PID=$SPAWNED_PID
  for ((i = 0; i < 50; i++)); do
    if grep -q '^ready' "$RESPONDER_LOG" 2>/dev/null; then
      return 0
    fi
    kill -0 "$RESPONDER_PID" 2>/dev/null || break
    sleep 0.1
  done
  _pk_fatal "pk_icmp_responder did not start: $(cat "$RESPONDER_LOG.err" 2>/dev/null)"
}

# stop_responder: stops the last responder; its counters line is in RESPONDER_STATS.
stop_responder() {
  ns_stop "$RESPONDER_PID"
  # shellcheck disable=SC2034  # read by the suites
  RESPONDER_STATS=$(grep 'requests' "$RESPONDER_LOG.err" 2>/dev/null | tail -n 1)
}

# ns_drop_icmp NAME MOD: drop one in MOD IPv4 and IPv6 echo requests entering
# NAME (nft numgen random: the kernel has no netem here).
ns_drop_icmp() {
  local name=$1 mod=$2
  ip netns exec "$(ns "$name")" nft -f - <<EOF || _pk_fatal "nft rules in $(ns "$name")"
table inet pk_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    icmp type echo-request numgen random mod $mod 0 drop
    icmpv6 type echo-request numgen random mod $mod 0 drop
  }
}
EOF
}

# ns_clear_nft NAME: removes the table of ns_drop_icmp.
ns_clear_nft() {
  ip netns exec "$(ns "$1")" nft delete table inet pk_loss 2>/dev/null
}

# --- router chain (traceroute) ------------------------------------------------------
#
#   chain_new                 src - r1 - r2 - r3 - far on links 1..4 (ns_link): the three
#                             routers forward IPv4 and IPv6, static routes both ways, no
#                             rp_filter, no ICMP error rate limit in any of the five;
#                             fails the suite unless far answers src on both families.
#                             far is 4 hops from src: 10.77.1.2, 10.77.2.2, 10.77.3.2,
#                             10.77.4.2 (and fd00:77:N::2).
#   chain_far4 / chain_far6   far's address as src reaches it
#   chain_add_alt             r2b, a fourth router between r1 (link 5) and r3 (link 6),
#                             routed but not yet on the path
#   chain_via_alt             r1 and r3 send traffic for each other's side through r2b
#                             instead of r2 (both families), checked with a bounded ping
#   ns_drop_time_exceeded NAME  nft: NAME sends no ICMP / ICMPv6 time exceeded
#   ns_clear_time_exceeded NAME removes that rule
#   ns_tcp_listener NAME PORT   python3 in NAME listens on PORT (IPv4 and IPv6), accepts
#                             and closes connections for at most 5 minutes; returns once
#                             it listens (bounded wait), fails the suite otherwise

# _pk_router_ns NAME...: namespaces that forward both families, with no
# reverse-path filter and no ICMP error rate limit (set before their links
# exist, so each new interface inherits the defaults).
_pk_router_ns() {
  local name
  ns_new "$@"
  for name in "$@"; do
    ns_sysctl "$name" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    _pk_no_icmp_ratelimit "$name"
  done
}

_pk_no_icmp_ratelimit() {
  ns_sysctl "$1" net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
}

# _pk_route NAME PREFIX4 VIA_LINK VIA_NAME: in NAME, PREFIX4 (10.77.X.0/24 or
# 10.77.0.0/16) and its IPv6 twin go to VIA_NAME's address on VIA_LINK.
_pk_route() {
  local name=$1 p4=$2 link=$3 via=$4 p6
  if [[ $p4 == 10.77.0.0/16 ]]; then
    p6=fd00:77::/32
  else
    p6=$(printf 'fd00:77:%x::/64' "$(cut -d. -f3 <<<"$p4")")
  fi
  ns_exec "$name" ip route replace "$p4" via "$(addr4 "$via" "$link")" ||
    _pk_fatal "route $p4 in $(ns "$name")"
  ns_exec "$name" ip -6 route replace "$p6" via "$(addr6 "$via" "$link")" ||
    _pk_fatal "route $p6 in $(ns "$name")"
}

chain_far4() { addr4 far 4; }
chain_far6() { addr6 far 4; }

chain_new() {
  ns_new src far
  _pk_no_icmp_ratelimit src
  _pk_no_icmp_ratelimit far
  _pk_router_ns r1 r2 r3
  ns_link src r1 1
  ns_link r1 r2 2
  ns_link r2 r3 3
  ns_link r3 far 4
  # The ends reach everything of the test through their one router; the
  # routers know every link on the other side. No default route anywhere.
  _pk_route src 10.77.0.0/16 1 r1
  _pk_route far 10.77.0.0/16 4 r3
  _pk_route r1 10.77.3.0/24 2 r2
  _pk_route r1 10.77.4.0/24 2 r2
  _pk_route r2 10.77.1.0/24 2 r1
  _pk_route r2 10.77.4.0/24 3 r3
  _pk_route r3 10.77.1.0/24 3 r2
  _pk_route r3 10.77.2.0/24 3 r2
  ns_wait_reachable src "$(chain_far4)" 5 || _pk_fatal "src cannot reach far at $(chain_far4)"
  ns_wait_reachable src "$(chain_far6)" 10 || _pk_fatal "src cannot reach far at $(chain_far6)"
}

chain_add_alt() {
  _pk_router_ns r2b
  ns_link r1 r2b 5
  ns_link r2b r3 6
  _pk_route r2b 10.77.1.0/24 5 r1
  _pk_route r2b 10.77.2.0/24 5 r1
  _pk_route r2b 10.77.3.0/24 6 r3
  _pk_route r2b 10.77.4.0/24 6 r3
}

chain_via_alt() {
  _pk_route r1 10.77.3.0/24 5 r2b
  _pk_route r1 10.77.4.0/24 5 r2b
  _pk_route r3 10.77.1.0/24 6 r2b
  _pk_route r3 10.77.2.0/24 6 r2b
  ns_wait_reachable src "$(chain_far4)" 5 || _pk_fatal "src cannot reach far through r2b"
  ns_wait_reachable src "$(chain_far6)" 10 || _pk_fatal "src cannot reach far through r2b over IPv6"
}

ns_drop_time_exceeded() {
  ip netns exec "$(ns "$1")" nft -f - <<EOF || _pk_fatal "nft rules in $(ns "$1")"
table inet pk_silent {
  chain output {
    type filter hook output priority 0; policy accept;
    icmp type time-exceeded drop
    icmpv6 type time-exceeded drop
  }
}
EOF
}

ns_clear_time_exceeded() {
  ip netns exec "$(ns "$1")" nft delete table inet pk_silent 2>/dev/null
}

ns_tcp_listener() {
  local name=$1 port=$2 log="$PK_TMP/listener.$1.$2.log" i
  ns_spawn "$name" "$log" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
s.listen(64)
s.settimeout(0.5)
print("ready", flush=True)
end = time.monotonic() + 300
while time.monotonic() < end:
    try:
        s.accept()[0].close()
    except OSError:
        pass
' "$port"
  for ((i = 0; i < 50; i++)); do
    grep -q '^ready' "$log" 2>/dev/null && return 0
    kill -0 "$SPAWNED_PID" 2>/dev/null || break
    sleep 0.1
  done
  _pk_fatal "TCP listener in $(ns "$name") on port $port: $(cat "$log.err" 2>/dev/null)"
}

# --- running ---------------------------------------------------------------------

_pk_capture() {
  # _pk_capture CMD...: run with the timeout, capture stdout/stderr/exit code.
  timeout -k 5 "$PK_TIMEOUT" "$@" >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
  PK_CODE=$?
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
  if ((PK_CODE == 124 || PK_CODE == 137)); then
    _pk_fail "command finished within ${PK_TIMEOUT}s" "exit before the timeout" "killed by timeout"
  fi
  return 0
}

run_in() {
  local name=$1
  shift
  PK_CMD="[$name] $(_pk_quote "$@")"
  _pk_capture ip netns exec "$(ns "$name")" "$@"
}

run_pk_in() {
  local name=$1
  shift
  PK_CMD="[$name] pingkeeper $(_pk_quote "$@")"
  _pk_capture ip netns exec "$(ns "$name")" "$PK_BIN" "$@"
}

# run_pk_as NAME UID ARGS...: pingkeeper as UID (gid the same, no groups, no
# capabilities) with its own writable HOME and database path.
run_pk_as() {
  local name=$1 uid=$2
  shift 2
  PK_CMD="[$name uid $uid] pingkeeper $(_pk_quote "$@")"
  _pk_capture ip netns exec "$(ns "$name")" \
    env HOME="$PK_TMP/nobody" XDG_DATA_HOME="$PK_TMP/nobody" PINGKEEPER_DB="$PK_TMP/nobody/pk.db" \
    setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all "$PK_BIN" "$@"
}

# rtt_median: median of every "time=X ms" (or "time=X.Y ms") on the last stdout.
rtt_median() {
  grep -Eo 'time[=<][0-9.]+ ?ms' "$PK_TMP/stdout" | grep -Eo '[0-9.]+' | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# rtt_count: how many "time=" values the last stdout has.
rtt_count() {
  grep -Eco 'time[=<][0-9.]+ ?ms' "$PK_TMP/stdout"
}

# loss_percent: X from "X% packet loss" on the last stdout.
loss_percent() {
  grep -Eo '[0-9.]+% packet loss' "$PK_TMP/stdout" | tail -n 1 | grep -Eo '^[0-9.]+'
}

# --- assertions ---------------------------------------------------------------------


# expect_code_in N...: the exit code is one of these.
expect_code_in() {
  local c
  for c in "$@"; do
    if [[ $PK_CODE == "$c" ]]; then
      _pk_pass "exit code $c: $PK_CMD"
      return
    fi
  done
  _pk_fail "exit code" "one of $*" "$PK_CODE (stdout: $(_pk_short "$PK_OUT") stderr: $(_pk_short "$PK_ERR"))"
}






# expect_between WHAT LO HI GOT: LO <= GOT <= HI as decimal numbers.
expect_between() {
  local what=$1 lo=$2 hi=$3 got=$4
  if [[ $got =~ ^-?[0-9]+([.][0-9]+)?$ ]] && awk -v g="$got" -v l="$lo" -v h="$hi" 'BEGIN {exit !(g >= l && g <= h)}'; then
    _pk_pass "$what: $got in [$lo, $hi]"
  else
    _pk_fail "$what" "a number in [$lo, $hi]" "'$got' (stdout: $(_pk_short "$PK_OUT"))"
  fi
}

# expect_true WHAT CMD...: CMD exits 0.
expect_true() {
  local what=$1
  shift
  if "$@"; then
    _pk_pass "$what"
  else
    _pk_fail "$what" "true" "false: $(_pk_quote "$@")"
  fi
}

# --- end ---------------------------------------------------------------------------

# _pk_default_ns_clean: no address or route of ours in the default namespace.
_pk_default_ns_clean() {
  local leaks
  leaks=$({ ip -o addr show; ip route show; ip -6 route show; } 2>/dev/null | grep -E '10\.77\.|fd00:77:' || true)
  if [[ -z $leaks ]]; then
    _pk_pass "default namespace has no test addresses or routes"
  else
    _pk_fail "default namespace untouched" "no 10.77.x / fd00:77: addresses or routes" "$leaks"
  fi
}

finish() {
  _pk_default_ns_clean
  if ((PK_PASSED + PK_FAILED == 0)); then
    echo "no checks ran" >&2
    PK_FAILED=1
  fi
  echo "$PK_PASSED passed, $PK_FAILED failed"
  if ((PK_FAILED > 0)); then exit 1; fi
  exit 0
}
