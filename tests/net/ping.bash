# `pingkeeper ping` end to end, in network namespaces only, with iputils
# ping(8) as ground truth in the same run. Functional bands, not benchmarks
# (the strict RTT comparison lives in tests/bench).
#
#   bash tests/net/ping.bash PINGKEEPER PK_ICMP_RESPONDER
#
# Topology: client <-> target over one veth pair (10.77.1.0/24,
# fd00:77:1::/64); the client also has an "unreachable" route for
# 10.88.0.0/16 and nothing else. No namespace has a route out.

source "$(dirname "$0")/lib.bash" "$@"
require_root_or_skip
require_tools ping nft sysctl setpriv timeout python3

PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[[ -x ${PY:-} ]] || PY=$(command -v python3)

T4=10.77.1.2
T6=fd00:77:1::2
NOHOST4=10.77.1.99  # on the link, nobody there (ARP fails)
NOWHERE4=10.88.0.1  # behind an "unreachable" route

# The command must exist: a missing `ping` is a failure, not a skip.
PK_CMD="pingkeeper ping --help"
_pk_capture "$PK_BIN" ping --help
if [[ $PK_CODE != 0 || $PK_OUT != *--tcp* ]]; then
  _pk_fail "pingkeeper has a ping command" "exit 0 and the ping options (--tcp) from 'pingkeeper ping --help'" \
    "exit $PK_CODE: $(_pk_short "$PK_OUT $PK_ERR")"
  finish
fi

# ping_json_summary: the last stdout is NDJSON: one {"type":"reply"} object
# per probe, then one {"type":"summary"}; prints
# "replies=R ok=K sent=S received=M" (K: status ok with a numeric rtt_ms) or
# what is wrong.
ping_json_summary() {
  "$PY" - "$PK_TMP/stdout" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip()]
try:
    objs = [json.loads(l) for l in lines]
except Exception as e:
    print("not NDJSON: %s" % e); sys.exit(0)
if not objs or not all(isinstance(o, dict) for o in objs):
    print("not one object per line"); sys.exit(0)
summary, replies = objs[-1], objs[:-1]
if summary.get("type") != "summary":
    print("last line is not a summary: %r" % summary); sys.exit(0)
if any(r.get("type") != "reply" for r in replies):
    print("a line before the summary is not a reply"); sys.exit(0)
ok = sum(1 for r in replies if r.get("status") == "ok" and isinstance(r.get("rtt_ms"), (int, float)))
print("replies=%d ok=%d sent=%s received=%s" % (len(replies), ok, summary.get("transmitted"), summary.get("received")))
EOF
}

# json_statuses: the distinct "status" values of the reply lines, sorted, comma-separated.
json_statuses() {
  "$PY" - "$PK_TMP/stdout" <<'EOF'
import json, sys
statuses = set()
for line in open(sys.argv[1]).read().splitlines():
    try:
        o = json.loads(line)
    except Exception:
        continue
    if isinstance(o, dict) and o.get("type") == "reply":
        statuses.add(str(o.get("status")))
print(",".join(sorted(statuses)))
EOF
}

section "topology: client <-> target, no route out"
ns_new client target
ns_link client target 1
ns_exec client ip route add unreachable 10.88.0.0/16 || _pk_fatal "unreachable route"
ns_wait_reachable client "$T4" 5 || _pk_fatal "client cannot reach $T4"
ns_wait_reachable client "$T6" 10 || _pk_fatal "client cannot reach $T6"
_pk_pass "client reaches the target over IPv4 and IPv6"
expect_eq "no default route in either namespace" "" \
  "$(for n in client target; do ns_exec "$n" ip route show default; ns_exec "$n" ip -6 route show default; done)"

section "loopback: 127.0.0.1 and ::1"
run_pk_in client ping 127.0.0.1 -c 3 -i 200ms
expect_code 0
expect_stdout_contains "3 packets transmitted, 3 received, 0% packet loss"
expect_eq "three replies with a time" 3 "$(rtt_count)"
expect_stdout_matches 'icmp_seq=1'
run_pk_in client ping ::1 -c 3 -i 200ms
expect_code 0
expect_stdout_contains "3 packets transmitted, 3 received, 0% packet loss"
expect_eq "three replies with a time" 3 "$(rtt_count)"

section "--json: NDJSON per reply and a summary"
run_pk_in client ping 127.0.0.1 -c 3 -i 200ms --json
expect_code 0
expect_eq "NDJSON replies and summary" "replies=3 ok=3 sent=3 received=3" "$(ping_json_summary)"

section "delaying responder (50 ms): pingkeeper vs ping(8), same run"
ns_sysctl target net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
start_responder target --delay 50ms
run_in client ping -n -c 10 -i 0.2 -W 2 "$T4"
expect_code 0
ref4=$(rtt_median)
run_pk_in client ping "$T4" -c 10 -i 200ms -W 2s
expect_code 0
expect_stdout_contains "10 packets transmitted, 10 received, 0% packet loss"
pk4=$(rtt_median)
expect_between "pingkeeper IPv4 median RTT (ms)" 45 80 "$pk4"
expect_between "pingkeeper - ping(8) IPv4 median (ms)" -5 5 "$(awk -v a="$pk4" -v b="$ref4" 'BEGIN {printf "%.3f", a - b}')"
note "IPv4 median: pingkeeper ${pk4:-?} ms, ping(8) ${ref4:-?} ms"

section "IPv6 over the veth pair (fresh neighbour discovery), 50 ms responder"
ns_exec client ip -6 neigh flush all
run_pk_in client ping "$T6" -c 5 -i 200ms -W 2s
expect_code 0
expect_stdout_contains "5 packets transmitted, 5 received, 0% packet loss"
pk6=$(rtt_median)
run_in client ping -n -c 5 -i 0.2 -W 2 "$T6"
ref6=$(rtt_median)
expect_between "pingkeeper IPv6 median RTT (ms)" 45 80 "$pk6"
expect_between "pingkeeper - ping(8) IPv6 median (ms)" -5 5 "$(awk -v a="$pk6" -v b="$ref6" 'BEGIN {printf "%.3f", a - b}')"
note "IPv6 median: pingkeeper ${pk6:-?} ms, ping(8) ${ref6:-?} ms"
run_pk_in client ping "$T6" -c 2 -i 200ms -s 1000 -W 2s
expect_code 0
expect_stdout_contains "2 packets transmitted, 2 received"
stop_responder

section "20 % random drop (nft numgen) over 100 probes"
ns_sysctl target net.ipv4.icmp_echo_ignore_all=0 net.ipv6.icmp.echo_ignore_all=0
ns_drop_icmp target 5
run_pk_in client ping "$T4" -c 100 -i 20ms -W 1s
expect_code 0
expect_stdout_contains "100 packets transmitted"
loss=$(loss_percent)
expect_between "pingkeeper loss % behind a 1-in-5 drop" 8 35 "$loss"
note "nft 1-in-5 drop: pingkeeper ${loss:-?}% loss"
ns_clear_nft target

section "unreachable: no host on the link, and a route that goes nowhere"
# Nobody has $NOHOST4: ARP fails, so each probe times out or is reported
# unreachable; nothing answered: exit 1 like ping(8).
run_pk_in client ping "$NOHOST4" -c 2 -i 200ms -W 1s --json
expect_code 1
expect_eq "NDJSON summary with nothing received" "replies=2 ok=0 sent=2 received=0" "$(ping_json_summary)"
statuses=$(json_statuses)
expect_eq "statuses for a host that is not there are timeout/unreachable" yes \
  "$([[ $statuses =~ ^(timeout|unreachable|timeout,unreachable)$ ]] && echo yes || echo "no: '$statuses'")"
note "no host on the link: status $statuses"
run_pk_in client ping "$NOHOST4" -c 2 -i 200ms -W 1s
expect_code 1
expect_stdout_matches '^2 packets transmitted, 0 received, .*100% packet loss'
# An "unreachable" route: the kernel refuses each send (EHOSTUNREACH).
run_pk_in client ping "$NOWHERE4" -c 2 -i 200ms -W 1s
expect_code 1
expect_stdout_matches '^2 packets transmitted, 0 received, .*100% packet loss'
expect_eq "the failure is reported per probe" yes \
  "$(grep -Eqi 'unreachable|no route to host' <<<"$PK_OUT" && echo yes || echo "no: $(_pk_short "$PK_OUT")")"
run_pk_in client ping "$NOWHERE4" -c 2 -i 200ms -W 1s --json
expect_code 1
expect_eq "NDJSON summary with nothing received" "replies=2 ok=0 sent=2 received=0" "$(ping_json_summary)"
expect_eq "NDJSON status behind an unreachable route" unreachable "$(json_statuses)"

section "TCP: an open port and a closed port"
LISTENER_LOG="$PK_TMP/listener.log"
ns_spawn target "$LISTENER_LOG" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8080)); s.listen(64); s.settimeout(1.0)
print("ready", flush=True)
end = time.monotonic() + 120
while time.monotonic() < end:
    try:
        c, _ = s.accept(); c.close()
    except socket.timeout:
        pass
'
for ((i = 0; i < 50; i++)); do grep -qs ready "$LISTENER_LOG" && break; sleep 0.1; done
grep -qs ready "$LISTENER_LOG" || _pk_fatal "TCP listener: $(cat "$LISTENER_LOG.err")"
run_pk_in client ping "$T4" --tcp 8080 -c 3 -i 200ms -W 1s
expect_code 0
expect_stdout_contains "3 packets transmitted, 3 received, 0% packet loss"
expect_eq "three TCP replies with a time" 3 "$(rtt_count)"
expect_stdout_not_contains "refused"
run_pk_in client ping "$T6" --tcp 8080 -c 2 -i 200ms -W 1s
expect_code 0
expect_stdout_contains "2 packets transmitted, 2 received"
# A refusal is an answer from the host (recorded as refused, with an RTT).
run_pk_in client ping "$T4" --tcp 8081 -c 2 -i 200ms -W 1s
expect_code 0
expect_eq "the refusal is reported" yes \
  "$(grep -qi 'refused' <<<"$PK_OUT$PK_ERR" && echo yes || echo "no: $(_pk_short "$PK_OUT $PK_ERR")")"
expect_stdout_contains "2 packets transmitted, 2 received"
run_pk_in client ping "$T6" --tcp 8081 -c 2 -i 200ms -W 1s --json
expect_code 0
expect_eq "NDJSON status for a closed port" refused "$(json_statuses)"
run_pk_in client ping "$T6" --tcp 8080 -c 2 -i 200ms -W 1s --json
expect_eq "NDJSON for an open port" "replies=2 ok=2 sent=2 received=2" "$(ping_json_summary)"

section "unprivileged (uid 65534): datagram ICMP sockets via ping_group_range"
ns_sysctl client 'net.ipv4.ping_group_range=0 2147483647'
run_pk_as client 65534 ping 127.0.0.1 -c 2 -i 200ms
expect_code 0
expect_stdout_contains "2 packets transmitted, 2 received, 0% packet loss"
run_pk_as client 65534 ping "$T4" -c 2 -i 200ms -W 1s
expect_code 0
expect_stdout_contains "2 packets transmitted, 2 received, 0% packet loss"
run_pk_as client 65534 ping "$T6" -c 2 -i 200ms -W 1s
expect_code 0
expect_stdout_contains "2 packets transmitted, 2 received, 0% packet loss"
ns_sysctl client 'net.ipv4.ping_group_range=1 0'
run_pk_as client 65534 ping 127.0.0.1 -c 1
expect_code 4
expect_stderr_contains "ping_group_range"
expect_stderr_contains "setcap"
expect_stdout_not_contains "packets transmitted"

finish
