#!/usr/bin/env bash
# End-to-end: pingkeeper traceroute. Safety rule (TESTING.md): packets go to
# 127.0.0.1 / ::1 and to sockets this suite opens there only; on loopback the
# destination is one hop away. Names are looked up for 127.0.0.1 only (from
# /etc/hosts), or not at all (--no-dns). ICMP and TCP traces need raw sockets
# (root or CAP_NET_RAW; ICMP also works with net.ipv4.ping_group_range): as
# another user those checks are skipped with a note (under CI they must run).
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# --- helpers ------------------------------------------------------------------

# expect_one_hop_trace ADDRESS PROBE: the --json trace on stdout reached
# ADDRESS at hop 1 with every probe answered by it.
expect_one_hop_trace() {
  expect_json 'd["reached"]' True
  expect_json 'd["hop_count"]' 1
  expect_json 'd["address"]' "$1"
  expect_json 'd["probe"]' "$2"
  expect_json '[h["hop"] for h in d["hops"]]' '[1]'
  expect_json 'd["hops"][0]["addresses"]' "['$1']"
  expect_json '[p["reply"] for p in d["hops"][0]["probes"]]' "['reached', 'reached', 'reached']"
  expect_json 'all(p["rtt_ms"] is not None and p["rtt_ms"] >= 0 for p in d["hops"][0]["probes"])' True
}

has_ipv6_loopback() {
  "$PK_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null
}

# RAW_OK: can this process open what ICMP and TCP traces need?
RAW_OK=1
run_pk traceroute 127.0.0.1 --probe tcp --no-dns --max-hops 1 --queries 1
if [[ $PK_CODE == 4 ]]; then
  if [[ ${CI:-} == true || $(id -u) == 0 ]]; then
    _pk_fail "raw sockets allowed" "exit 0 (root or CI)" "exit 4: $PK_ERR"
  fi
  expect_stderr_contains "--probe udp"
  echo "note: raw sockets are not allowed for this user; ICMP and TCP traces are skipped"
  RAW_OK=0
fi

# --- UDP: no privilege --------------------------------------------------------

section "udp"
run_pk --json traceroute 127.0.0.1 --probe udp --no-dns
expect_code 0
expect_one_hop_trace 127.0.0.1 udp
expect_json 'd["port"]' 33434
expect_json 'd["hops"][0]["probes"][0]["icmp_type"]' 3  # port unreachable: the destination
expect_json 'd["hops"][0]["probes"][0]["icmp_code"]' 3
expect_json 'd["id"]' None  # a plain host is not stored

run_pk --json traceroute 127.0.0.1 --probe udp --port 40001 --queries 5 --no-dns
expect_code 0
expect_json 'd["port"]' 40001
expect_json 'len(d["hops"][0]["probes"])' 5
expect_json '[p["query"] for p in d["hops"][0]["probes"]]' '[1, 2, 3, 4, 5]'

run_pk --json traceroute 127.0.0.1 --probe udp --first-ttl 4 --queries 1 --no-dns
expect_code 0
expect_json 'd["first_ttl"]' 4
expect_json '[h["hop"] for h in d["hops"]]' '[4]'
expect_json 'd["hop_count"]' 4

# The table, like traceroute(8): header, one line per hop, three RTTs.
run_pk traceroute 127.0.0.1 --probe udp --no-dns
expect_code 0
expect_stdout_lines 2
expect_stdout_contains "traceroute to 127.0.0.1 (127.0.0.1), 30 hops max, udp port 33434"
expect_stdout_matches '^ 1  127\.0\.0\.1  [0-9]+\.[0-9]{3} ms  [0-9]+\.[0-9]{3} ms  [0-9]+\.[0-9]{3} ms$'

# Reverse DNS: 127.0.0.1 has a name in /etc/hosts.
if name=$(getent hosts 127.0.0.1 | awk '{print $2; exit}') && [[ -n $name ]]; then
  run_pk traceroute 127.0.0.1 --probe udp --queries 1
  expect_code 0
  expect_stdout_matches "^ 1  [^ ]+ \\(127\\.0\\.0\\.1\\)  [0-9.]+ ms$"
  run_pk --json traceroute 127.0.0.1 --probe udp --queries 1
  expect_json 'd["hops"][0]["probes"][0]["hostname"] is not None' True
fi

# -q leaves the header out.
run_pk -q traceroute 127.0.0.1 --probe udp --no-dns --queries 1
expect_code 0
expect_stdout_lines 1

# CSV: one row per probe.
run_pk --csv traceroute 127.0.0.1 --probe udp --no-dns --queries 2
expect_code 0
expect_stdout_lines 3
expect_stdout_contains "hop,query,address,hostname,rtt_ms,reply,icmp_type,icmp_code"
expect_stdout_matches '^1,1,127\.0\.0\.1,,[0-9]+\.[0-9]{3},reached,3,3$'
expect_stdout_matches '^1,2,127\.0\.0\.1,,[0-9]+\.[0-9]{3},reached,3,3$'

if has_ipv6_loopback; then
  run_pk --json traceroute ::1 --probe udp --no-dns
  expect_code 0
  expect_one_hop_trace ::1 udp
  expect_json 'd["hops"][0]["probes"][0]["icmp_type"]' 1  # ICMPv6 port unreachable
  expect_json 'd["hops"][0]["probes"][0]["icmp_code"]' 4
else
  echo "note: no IPv6 loopback; ::1 traces skipped"
fi

# --- ICMP and TCP: raw sockets --------------------------------------------------

if ((RAW_OK)); then
  section "icmp"
  run_pk --json traceroute 127.0.0.1 --no-dns
  expect_code 0
  expect_one_hop_trace 127.0.0.1 icmp
  expect_json 'd["port"]' None
  expect_json 'd["hops"][0]["probes"][0]["icmp_type"]' 0  # echo reply

  section "tcp"
  start_ports
  run_pk --json traceroute 127.0.0.1 --probe tcp --port "$OPEN" --no-dns
  expect_code 0
  expect_one_hop_trace 127.0.0.1 tcp  # SYN-ACK
  expect_json 'd["port"]' "$OPEN"
  expect_json 'd["hops"][0]["probes"][0]["icmp_type"]' None
  run_pk --json traceroute 127.0.0.1 --probe tcp --port "$CLOSED" --no-dns
  expect_code 0
  expect_one_hop_trace 127.0.0.1 tcp  # RST: reached too
  run_pk traceroute 127.0.0.1 --probe tcp --port "$OPEN" --no-dns
  expect_stdout_contains "traceroute to 127.0.0.1 (127.0.0.1), 30 hops max, tcp port $OPEN"

  if has_ipv6_loopback; then
    run_pk --json traceroute ::1 --no-dns
    expect_code 0
    expect_one_hop_trace ::1 icmp
    expect_json 'd["hops"][0]["probes"][0]["icmp_type"]' 129  # ICMPv6 echo reply
    run_pk --json traceroute ::1 --probe tcp --port "$CLOSED" --no-dns
    expect_code 0
    expect_one_hop_trace ::1 tcp
  fi
fi

# --- known targets: stored traces ------------------------------------------------

section "targets"
run_pk target add 127.0.0.1 --name lo
expect_code 0
run_pk --json traceroute lo --probe udp --no-dns
expect_code 0
expect_json 'd["target"]' lo
expect_json 'd["target_id"] is not None' True
expect_json 'd["id"] is not None' True
expect_json 'd["path_changed"]' False
expect_eq "traces stored" 1 "$(db_query 'SELECT count(*) FROM traces')"
expect_eq "probes stored" 3 "$(db_query 'SELECT count(*) FROM trace_hops')"

run_pk --json traceroute lo --probe udp --no-dns --no-save
expect_code 0
expect_json 'd["id"]' None
expect_eq "--no-save stores nothing" 1 "$(db_query 'SELECT count(*) FROM traces')"
expect_eq "--no-save stores no probes" 3 "$(db_query 'SELECT count(*) FROM trace_hops')"

# A plain host (not a target) is never stored.
run_pk traceroute 127.0.0.2 --probe udp --no-dns --queries 1
expect_code 0
expect_eq "plain hosts are not stored" 1 "$(db_query 'SELECT count(*) FROM traces')"

run_pk --json traceroute lo --probe udp --no-dns --queries 2
expect_code 0
run_pk --json traceroute lo --history
expect_code 0
expect_json 'len(d)' 2
expect_json '[t["target"] for t in d]' "['lo', 'lo']"
expect_json '[len(t["hops"][0]["probes"]) for t in d]' '[3, 2]'
run_pk --json traceroute lo --history --since -1h
expect_code 0
expect_json 'len(d)' 2
run_pk traceroute lo --history
expect_code 0
expect_stdout_contains "127.0.0.1"

if ((RAW_OK)); then
  # A TCP target: its probe and port are the defaults.
  run_pk target add 127.0.0.1 --name web --probe tcp --port "$OPEN"
  expect_code 0
  run_pk --json traceroute web --no-dns
  expect_code 0
  expect_json 'd["probe"]' tcp
  expect_json 'd["port"]' "$OPEN"
  expect_one_hop_trace 127.0.0.1 tcp
  run_pk --json traceroute web --no-dns --probe udp
  expect_json 'd["probe"]' udp
  expect_json 'd["port"]' 33434  # the target's port is for its own probe
fi

# --- usage errors -----------------------------------------------------------------

section "errors"
expect_rejected 2 "--max-hops must be 1 to 255" traceroute 127.0.0.1 --max-hops 0
expect_rejected 2 "--max-hops must be 1 to 255" traceroute 127.0.0.1 --max-hops 256
expect_rejected 2 "--queries must be 1 to 10" traceroute 127.0.0.1 --queries 0
expect_rejected 2 "--queries must be 1 to 10" traceroute 127.0.0.1 --queries 11
expect_rejected 2 "--wait 0s is out of range: use 1ms to 1m" traceroute 127.0.0.1 --wait 0s
expect_rejected 2 "--wait 1m1s is out of range" traceroute 127.0.0.1 --wait 61s
expect_rejected 2 "invalid duration" traceroute 127.0.0.1 --wait soon
expect_rejected 2 "--first-ttl must be 1 to --max-hops (30)" traceroute 127.0.0.1 --first-ttl 0
expect_rejected 2 "--first-ttl must be 1 to --max-hops (5)" traceroute 127.0.0.1 --max-hops 5 --first-ttl 6
expect_rejected 2 "--port must be 1 to 65535" traceroute 127.0.0.1 --probe udp --port 0
expect_rejected 2 "--port must be 1 to 65535" traceroute 127.0.0.1 --probe tcp --port 65536
expect_rejected 2 "--port applies to --probe udp or tcp, not icmp" traceroute 127.0.0.1 --port 80
expect_rejected 2 "--port applies to --probe udp or tcp, not icmp" traceroute 127.0.0.1 --probe icmp --port 80
expect_rejected 2 '--probe must be icmp, udp or tcp, not "sctp"' traceroute 127.0.0.1 --probe sctp
expect_rejected 2 "--since applies to --history only" traceroute lo --since -1h
expect_rejected 2 "-4 excludes -6" traceroute 127.0.0.1 -4 -6
expect_rejected 2 "--probe applies to a trace, not to --history" traceroute lo --history --probe udp
expect_rejected 2 "--max-hops applies to a trace, not to --history" traceroute lo --history --max-hops 5
expect_rejected 2 "--no-dns applies to a trace, not to --history" traceroute lo --no-dns --history
expect_rejected 2 "expected a whole number" traceroute 127.0.0.1 --queries many
expect_rejected 2 "is neither a known target nor a valid host" traceroute "no such host!"
expect_rejected 2 "IPv6 address, not IPv4" traceroute ::1 -4
expect_rejected 3 'unknown target "nope"' traceroute nope --history
expect_rejected 3 'unknown target "127.0.0.2"' traceroute 127.0.0.2 --history

# --- help ---------------------------------------------------------------------------

run_pk traceroute --help
expect_code 0
expect_stdout_contains "--probe"
expect_stdout_contains "rate-limit"
expect_stdout_contains "Examples:"

finish
