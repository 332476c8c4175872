# `pingkeeper traceroute` end to end through a chain of router namespaces,
# with traceroute(8) as ground truth in the same run.
#
#   bash tests/net/traceroute.bash PINGKEEPER PK_ICMP_RESPONDER
#
# Topology (lib.bash chain_new): src - r1 - r2 - r3 - far, IPv4 and IPv6,
# static routes both ways, no ICMP error rate limit; far is 4 hops from src.
# Later a fourth router r2b (links 5 and 6) takes r2's place. A TCP listener
# runs in far on port 8080. No namespace has a route out; every trace and
# every traceroute(8) runs in src. Cases: the hop addresses for ICMP, UDP and
# TCP equal traceroute(8)'s (IPv4 and IPv6); a router whose time exceeded is
# dropped by nft shows '*' and the trace goes on; a target's traces are
# stored and listed by --history; a route change is marked in the history;
# an unprivileged user traces with UDP, is told how to get TCP and ICMP, and
# traces with ICMP once net.ipv4.ping_group_range allows it.

source "$(dirname "$0")/lib.bash" "$@"
require_root_or_skip
require_tools traceroute nft sqlite3 setpriv timeout python3

PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[[ -x ${PY:-} ]] || PY=$(command -v python3)
TCP_OPEN=8080
TCP_CLOSED=8081
WAIT=1s

PK_CMD="pingkeeper traceroute --help"
_pk_capture "$PK_BIN" traceroute --help
if [[ $PK_CODE != 0 || $PK_OUT != *--probe* ]]; then
  _pk_fail "pingkeeper has a traceroute command" "exit 0 and the traceroute options (--probe) from --help" \
    "exit $PK_CODE: $(_pk_short "$PK_OUT $PK_ERR")"
  finish
fi

# pk_hops: the hops of the trace in the last stdout (core::to_json(Trace)),
# one line per hop, "TTL ADDR[,ADDR...]" with the addresses sorted, "*" when
# every probe was silent; or what is wrong with the output.
pk_hops() {
  "$PY" - "$PK_TMP/stdout" <<'EOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))
    for h in t["hops"]:
        print(h["hop"], ",".join(sorted(h["addresses"])) or "*")
except Exception as e:
    print("not a trace object: %r" % e)
EOF
}

# ref_hops: the same from traceroute(8) -n output in the last stdout.
ref_hops() {
  "$PY" - "$PK_TMP/stdout" <<'EOF'
import ipaddress, sys
for line in open(sys.argv[1]).read().splitlines()[1:]:
    words = line.split()
    if not words or not words[0].isdigit():
        continue
    addrs = set()
    for w in words[1:]:
        try:
            addrs.add(str(ipaddress.ip_address(w)))
        except ValueError:
            pass
    print(words[0], ",".join(sorted(addrs)) or "*")
EOF
}

# pk_field KEY: a top-level field of the trace in the last stdout (JSON text).
pk_field() {
  "$PY" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))' \
    "$PK_TMP/stdout" "$1" 2>/dev/null || echo "(no JSON object)"
}

# pk_probe_summary TTL: "N probes: REPLY,REPLY,..." for the hop TTL.
pk_probe_summary() {
  "$PY" - "$PK_TMP/stdout" "$1" <<'EOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))
    h = [h for h in t["hops"] if h["hop"] == int(sys.argv[2])][0]
    print("%d probes: %s" % (len(h["probes"]), ",".join(
        "%s@%s" % (p["reply"], p["address"] or "null") for p in h["probes"])))
except Exception as e:
    print("no hop %s: %r" % (sys.argv[2], e))
EOF
}

# history_summary: for the array in the last stdout (--history --json), one
# line per trace: "id probe reached path_changed hop2-addresses".
history_summary() {
  "$PY" - "$PK_TMP/stdout" <<'EOF'
import json, sys
try:
    a = json.load(open(sys.argv[1]))
    for t in a:
        h2 = [",".join(sorted(h["addresses"])) or "*" for h in t["hops"] if h["hop"] == 2]
        print(t["id"], t["probe"], str(t["reached"]).lower(), str(t["path_changed"]).lower(), h2[0] if h2 else "-")
except Exception as e:
    print("not an array of traces: %r" % e)
EOF
}

# oneline TEXT: the lines of TEXT joined by spaces.
oneline() { paste -sd' ' - <<<"$1"; }

# traces_rows DB: rows in the traces table.
traces_rows() { sqlite3 "$1" 'SELECT count(*) FROM traces' 2>&1; }

# ground_truth ARGS...: traceroute(8) -n -q 3 -w 1 ARGS in src; sets REF (ref_hops).
ground_truth() {
  run_in src traceroute -n -q 3 -w 1 "$@"
  expect_code 0
  REF=$(ref_hops)
}

# compare LABEL PK_ARGS...: pingkeeper traceroute in src against $REF.
compare() {
  local label=$1
  shift
  run_pk_in src --json traceroute "$@" --no-dns --wait "$WAIT"
  expect_code 0
  expect_eq "$label: hop addresses as traceroute(8)" "$REF" "$(pk_hops)"
  expect_eq "$label: reached" true "$(pk_field reached)"
  expect_eq "$label: hop_count" 4 "$(pk_field hop_count)"
}

section "topology: src - r1 - r2 - r3 - far, IPv4 and IPv6"
chain_new
FAR4=$(chain_far4)
FAR6=$(chain_far6)
_pk_pass "src reaches far ($FAR4, $FAR6) through three routers"
expect_eq "no default route in any namespace" "" \
  "$(for n in src r1 r2 r3 far; do ns_exec "$n" ip route show default; ns_exec "$n" ip -6 route show default; done)"
ns_tcp_listener far "$TCP_OPEN"
_pk_pass "TCP listener in far on port $TCP_OPEN"

section "IPv4: icmp, udp and tcp against traceroute(8)"
ground_truth -I "$FAR4"
expect_eq "traceroute(8) -I sees the 4 hops of the chain" \
  "1 10.77.1.2 2 10.77.2.2 3 10.77.3.2 4 $FAR4" "$(oneline "$REF")"
compare "icmp" "$FAR4" --probe icmp
expect_eq "icmp: 3 queries at hop 4, all from far" "3 probes: reached@$FAR4,reached@$FAR4,reached@$FAR4" \
  "$(pk_probe_summary 4)"
expect_eq "icmp: hop 1 answers time exceeded" "3 probes: time_exceeded@10.77.1.2,time_exceeded@10.77.1.2,time_exceeded@10.77.1.2" \
  "$(pk_probe_summary 1)"
ground_truth "$FAR4"
compare "udp" "$FAR4" --probe udp
ground_truth -T -p "$TCP_OPEN" "$FAR4"
compare "tcp to an open port" "$FAR4" --probe tcp --port "$TCP_OPEN"
expect_eq "tcp: the open port answers at hop 4" "3 probes: reached@$FAR4,reached@$FAR4,reached@$FAR4" \
  "$(pk_probe_summary 4)"
ground_truth -T -p "$TCP_CLOSED" "$FAR4"
compare "tcp to a closed port (RST)" "$FAR4" --probe tcp --port "$TCP_CLOSED"

section "IPv6: icmp, udp and tcp against traceroute(8) -6"
ground_truth -6 -I "$FAR6"
expect_eq "traceroute(8) -6 -I sees the 4 hops of the chain" \
  "1 fd00:77:1::2 2 fd00:77:2::2 3 fd00:77:3::2 4 $FAR6" "$(oneline "$REF")"
compare "icmp IPv6" "$FAR6" --probe icmp
ground_truth -6 "$FAR6"
compare "udp IPv6" "$FAR6" --probe udp
ground_truth -6 -T -p "$TCP_OPEN" "$FAR6"
compare "tcp IPv6 to an open port" "$FAR6" --probe tcp --port "$TCP_OPEN"

section "r2 sends no time exceeded (nft): hop 2 is '*', the trace goes on"
ns_drop_time_exceeded r2
for method in udp icmp; do
  if [[ $method == icmp ]]; then ground_truth -I "$FAR4"; else ground_truth "$FAR4"; fi
  expect_eq "traceroute(8) $method: hop 2 silent" "1 10.77.1.2 2 * 3 10.77.3.2 4 $FAR4" "$(oneline "$REF")"
  compare "$method, r2 silent" "$FAR4" --probe "$method"
  expect_eq "$method, r2 silent: hop 2's probes" "3 probes: none@null,none@null,none@null" "$(pk_probe_summary 2)"
done
ground_truth -6 "$FAR6"
compare "udp IPv6, r2 silent" "$FAR6" --probe udp
ns_clear_time_exceeded r2
run_pk_in src --json traceroute "$FAR4" --probe udp --no-dns --wait "$WAIT"
expect_eq "rule removed: hop 2 answers again" "3 probes: time_exceeded@10.77.2.2,time_exceeded@10.77.2.2,time_exceeded@10.77.2.2" \
  "$(pk_probe_summary 2)"

section "a known target: each trace stored, --history lists them"
run_pk_in src target add "$FAR4" --name far
expect_code 0
expect_eq "no trace stored yet" 0 "$(traces_rows "$PINGKEEPER_DB")"
n=0
for method in udp icmp udp; do
  run_pk_in src --json traceroute far --probe "$method" --no-dns --wait "$WAIT"
  expect_code 0
  n=$((n + 1))
  expect_eq "traces rows after trace $n ($method)" "$n" "$(traces_rows "$PINGKEEPER_DB")"
  expect_eq "trace $n has an id" true "$([[ $(pk_field id) =~ ^[0-9]+$ ]] && echo true || echo "false: $(pk_field id)")"
done
expect_eq "trace_hops rows: 3 traces x 4 hops x 3 queries" 36 "$(sqlite3 "$PINGKEEPER_DB" 'SELECT count(*) FROM trace_hops' 2>&1)"
run_pk_in src --json traceroute far --probe udp --no-dns --no-save --wait "$WAIT"
expect_code 0
expect_eq "--no-save stores nothing" 3 "$(traces_rows "$PINGKEEPER_DB")"
run_pk_in src --json traceroute far --history
expect_code 0
expect_eq "stored methods, oldest first" "udp icmp udp" \
  "$(sqlite3 "$PINGKEEPER_DB" 'SELECT method FROM traces ORDER BY started_at, id' | paste -sd' ' -)"
expect_eq "--history --json: the 3 stored traces, oldest first, none changed" \
  "$(sqlite3 "$PINGKEEPER_DB" "SELECT id || ' ' || method || ' true false 10.77.2.2' FROM traces ORDER BY started_at, id")" \
  "$(history_summary)"
run_pk_in src traceroute far --history
expect_code 0
expect_stdout_contains "10.77.1.2 > 10.77.2.2 > 10.77.3.2 > $FAR4"

section "an unprivileged user: UDP with ping_group_range at its default, ICMP once it is open"
expect_eq "net.ipv4.ping_group_range in src" $'1\t0' "$(ns_exec src sysctl -n net.ipv4.ping_group_range)"
ground_truth "$FAR4"
run_pk_as src 65534 --json traceroute "$FAR4" --probe udp --no-dns --no-save --wait "$WAIT"
expect_code 0
expect_eq "uid 65534, udp: hop addresses as traceroute(8)" "$REF" "$(pk_hops)"
expect_eq "uid 65534, udp: reached" true "$(pk_field reached)"
ground_truth -6 "$FAR6"
run_pk_as src 65534 --json traceroute "$FAR6" --probe udp --no-dns --no-save --wait "$WAIT"
expect_code 0
expect_eq "uid 65534, udp IPv6: hop addresses as traceroute(8)" "$REF" "$(pk_hops)"
run_pk_as src 65534 traceroute "$FAR4" --probe tcp --port "$TCP_OPEN" --no-dns --no-save --wait "$WAIT"
expect_code 4
expect_stderr_contains "setcap cap_net_raw+ep"
run_pk_as src 65534 traceroute "$FAR4" --probe icmp --no-dns --no-save --wait "$WAIT"
expect_code 4
expect_stderr_contains "ping_group_range"
# Once the namespace lets every group open ICMP datagram sockets, the same
# user traces with ICMP too.
ns_sysctl src "net.ipv4.ping_group_range=0 2147483647"
ground_truth -I "$FAR4"
run_pk_as src 65534 --json traceroute "$FAR4" --probe icmp --no-dns --no-save --wait "$WAIT"
expect_code 0
expect_eq "uid 65534, icmp with ping_group_range open: hop addresses as traceroute(8)" "$REF" "$(pk_hops)"
expect_eq "uid 65534, icmp: reached" true "$(pk_field reached)"

section "the path metric: a job traces far while run collects"
JOB_DB=$PK_TMP/job.db
run_pk_in src --db "$JOB_DB" target add "$FAR4" --name far
expect_code 0
run_pk_in src --db "$JOB_DB" job add paths --targets far --metrics rtt,path --path-every 10s --interval 1s
expect_code 0
run_pk_in src --db "$JOB_DB" --json run --duration 2s
expect_code 0
expect_eq "run: one trace stored by the job" 1 "$(pk_field traces)"
run_pk_in src --db "$JOB_DB" --json traceroute far --history
expect_eq "the job's trace: icmp, reached, not changed, hop 2 is r2" "icmp true false 10.77.2.2" \
  "$(history_summary | awk '{print $2, $3, $4, $5}')"

section "route change: r1 and r3 switch from r2 to r2b between two traces"
ROUTE_DB=$PK_TMP/route.db
run_pk_in src --db "$ROUTE_DB" target add "$FAR4" --name far
expect_code 0
run_pk_in src --db "$ROUTE_DB" --json traceroute far --probe udp --no-dns --wait "$WAIT"
expect_code 0
chain_add_alt
chain_via_alt
ground_truth "$FAR4"
expect_eq "traceroute(8) now goes through r2b" "1 10.77.1.2 2 10.77.5.2 3 10.77.6.2 4 $FAR4" "$(oneline "$REF")"
for i in 2 3; do
  run_pk_in src --db "$ROUTE_DB" --json traceroute far --probe udp --no-dns --wait "$WAIT"
  expect_code 0
  expect_eq "trace $i: hop addresses as traceroute(8)" "$REF" "$(pk_hops)"
done
run_pk_in src --db "$ROUTE_DB" --json traceroute far --history
expect_code 0
expect_eq "--history: path_changed false, true, false; hop 2 r2 then r2b" \
  "false 10.77.2.2 true 10.77.5.2 false 10.77.5.2" "$(history_summary | awk '{print $4, $5}' | paste -sd' ' -)"
run_pk_in src --db "$ROUTE_DB" traceroute far --history
expect_code 0
expect_eq "--history table: one row marked changed, with the path through r2b" \
  "10.77.1.2 > 10.77.5.2 > 10.77.6.2 > $FAR4" "$(grep -w changed <<<"$PK_OUT" | grep -Eo '10\.77\.1\.2 > .*$')"

section "the path metric after the route change: the job's next trace is marked"
# The job's first trace is made older than --path-every, so the next run traces again.
sqlite3 "$JOB_DB" "UPDATE traces SET started_at = started_at - 60000000" >/dev/null
run_pk_in src --db "$JOB_DB" --json run --duration 2s
expect_code 0
expect_eq "run: one more trace, one path change" "1 1" "$(pk_field traces) $(pk_field path_changes)"
run_pk_in src --db "$JOB_DB" --json traceroute far --history
expect_eq "the job's traces: unchanged through r2, then changed through r2b" \
  "false 10.77.2.2 true 10.77.5.2" "$(history_summary | awk '{print $4, $5}' | paste -sd' ' -)"
expect_eq "both taken by the job" "2" "$(sqlite3 "$JOB_DB" 'SELECT count(*) FROM traces WHERE job_id IS NOT NULL')"

finish
