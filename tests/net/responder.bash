# Proves the network test tools (tests/tools/pk_icmp_responder, the namespace
# helpers, nft loss) with iputils ping as ground truth, so the pingkeeper
# suites can rely on them. Functional bands, not benchmarks.
#
#   bash tests/net/responder.bash PINGKEEPER PK_ICMP_RESPONDER
#
# Topology: client <-> target over one veth pair (10.77.1.0/24,
# fd00:77:1::/64), nothing else; the target's kernel does not answer echo
# requests (icmp_echo_ignore_all) except in the nft section.

source "$(dirname "$0")/lib.bash" "$@"
require_root_or_skip
require_tools ping nft sysctl setpriv timeout

T4=10.77.1.2
T6=fd00:77:1::2

section "pk_icmp_responder options"
for bad in "--delay 50" "--delay -5ms" "--loss 1.5" "--loss x" "--seed -1" "--jitter" "-4 -6" "--bogus"; do
  PK_CMD="pk_icmp_responder $bad"
  # shellcheck disable=SC2086  # $bad is several words on purpose
  _pk_capture "$PK_RESPONDER" $bad --duration 1ms
  expect_code 2
  expect_stderr_contains "usage: pk_icmp_responder"
done
PK_CMD="pk_icmp_responder --help"
_pk_capture "$PK_RESPONDER" --help
expect_code 0
expect_stdout_contains "--delay D"

section "topology: client <-> target, no route out"
ns_new client target
ns_link client target 1
ns_wait_reachable client "$T4" 5 || _pk_fatal "client cannot reach $T4"
_pk_pass "client reaches $T4 (kernel echo)"
# IPv6: the first probes may wait for neighbour discovery.
ns_wait_reachable client "$T6" 10 || _pk_fatal "client cannot reach $T6"
_pk_pass "client reaches $T6 (kernel echo)"
expect_eq "target has no default route" "" "$(ns_exec target ip route show default; ns_exec target ip -6 route show default)"
expect_eq "client has no default route" "" "$(ns_exec client ip route show default; ns_exec client ip -6 route show default)"
run_in client ping -n -c 1 -W 1 10.78.0.1
expect_code 2  # "Network is unreachable": nothing leaves the namespace
run_in client ping -n -c 1 -W 1 "$(addr4 client 1)"
expect_code 0

section "kernel silenced: no reply without the responder"
ns_sysctl target net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
run_in client ping -n -c 2 -i 0.2 -W 1 "$T4"
expect_code 1
expect_stdout_contains "100% packet loss"
run_in client ping -n -c 2 -i 0.2 -W 1 "$T6"
expect_code 1
expect_stdout_contains "100% packet loss"

section "responder --delay 50ms: IPv4 and IPv6 RTT"
start_responder target --delay 50ms
run_in client ping -n -c 5 -i 0.2 -W 2 "$T4"
expect_code 0
expect_stdout_contains "5 packets transmitted, 5 received, 0% packet loss"
expect_stdout_not_contains "DUP!"
median4=$(rtt_median)
expect_between "IPv4 median RTT (ms) with --delay 50ms" 45 80 "$median4"
min4=$(grep -Eo 'time=[0-9.]+' "$PK_TMP/stdout" | cut -d= -f2 | sort -g | head -n 1)
expect_between "IPv4 fastest RTT (ms): no reply skips the delay" 45 80 "$min4"
note "ping IPv4 median ${median4} ms"

run_in client ping -n -c 5 -i 0.2 -W 2 "$T6"
expect_code 0
expect_stdout_contains "5 packets transmitted, 5 received, 0% packet loss"
expect_stdout_not_contains "DUP!"
median6=$(rtt_median)
expect_between "IPv6 median RTT (ms) with --delay 50ms" 45 80 "$median6"
note "ping IPv6 median ${median6} ms"

section "identifier, sequence and payload echoed unchanged"
# ping(8) checks the id and sequence of each reply and compares the payload
# with the pattern it sent ("wrong data byte" otherwise).
run_in client ping -n -c 2 -i 0.2 -W 2 -s 1200 -p a55a0ff0 "$T4"
expect_code 0
expect_stdout_contains "1208 bytes from $T4: icmp_seq=1"
expect_stdout_contains "icmp_seq=2"
expect_stdout_not_contains "wrong data"
run_in client ping -n -c 2 -i 0.2 -W 2 -s 1200 -p c33c "$T6"
expect_code 0
expect_stdout_contains "1208 bytes from $T6: icmp_seq=1"
expect_stdout_not_contains "wrong data"
# Odd payload length: the checksum's trailing byte.
run_in client ping -n -c 1 -W 2 -s 33 "$T4"
expect_code 0
expect_stdout_contains "41 bytes from $T4"

section "replies are scheduled, not serialized: 20 probes 10 ms apart, 50 ms each"
run_in client ping -n -c 20 -i 0.01 -W 2 "$T4"
expect_code 0
expect_stdout_contains "20 packets transmitted, 20 received"
max=$(grep -Eo 'time=[0-9.]+' "$PK_TMP/stdout" | cut -d= -f2 | sort -g | tail -n 1)
expect_between "slowest of 20 overlapping probes (ms)" 45 80 "$max"
stop_responder
# 5 + 5 + 2 + 2 + 1 + 20 echo requests above, each answered once.
expect_eq "responder counters" "35 requests, 0 dropped, 35 replied" \
  "$(grep -Eo '[0-9]+ requests, [0-9]+ dropped, [0-9]+ replied' <<<"$RESPONDER_STATS")"

section "--jitter: delays spread around --delay"
start_responder target --delay 20ms --jitter 10ms --seed 7
run_in client ping -n -c 20 -i 0.02 -W 2 "$T4"
expect_code 0
expect_stdout_contains "20 packets transmitted, 20 received"
jmin=$(grep -Eo 'time=[0-9.]+' "$PK_TMP/stdout" | cut -d= -f2 | sort -g | head -n 1)
jmax=$(grep -Eo 'time=[0-9.]+' "$PK_TMP/stdout" | cut -d= -f2 | sort -g | tail -n 1)
expect_between "fastest RTT with 20ms +/- 10ms (ms)" 9 45 "$jmin"
expect_between "slowest RTT with 20ms +/- 10ms (ms)" 9 45 "$jmax"
expect_between "spread of 20 jittered RTTs (ms)" 3 25 "$(awk -v a="$jmin" -v b="$jmax" 'BEGIN {printf "%.3f", b - a}')"
note "jitter: RTT ${jmin}..${jmax} ms"
stop_responder

section "--loss 0.5 over 100 probes: binomial band 30-70 %"
seed=$((RANDOM))
start_responder target --loss 0.5 --seed "$seed"
run_in client ping -n -q -c 100 -i 0.01 -W 1 "$T4"
expect_code 0
expect_stdout_contains "100 packets transmitted"
loss=$(loss_percent)
expect_between "loss % with --loss 0.5 (seed $seed)" 30 70 "$loss"
note "responder --loss 0.5: ${loss}% loss (seed $seed)"
stop_responder
dropped=$(grep -Eo '[0-9]+ dropped' <<<"$RESPONDER_STATS" | grep -Eo '^[0-9]+')
expect_eq "responder saw 100 requests" "100" "$(grep -Eo '[0-9]+ requests' <<<"$RESPONDER_STATS" | grep -Eo '^[0-9]+')"
expect_eq "ping's loss is the responder's drops" "${dropped:-?}" "${loss%%.*}"

section "--loss 1: nothing answered"
start_responder target --loss 1
run_in client ping -n -c 3 -i 0.05 -W 1 "$T6"
expect_code 1
expect_stdout_contains "100% packet loss"
stop_responder

section "nft numgen random mod 5: ~20 % loss with the kernel responder"
ns_sysctl target net.ipv4.icmp_echo_ignore_all=0 net.ipv6.icmp.echo_ignore_all=0
ns_drop_icmp target 5
run_in target nft list table inet pk_loss
expect_stdout_contains "numgen random mod 5"
run_in client ping -n -q -c 100 -i 0.01 -W 1 "$T4"
expect_code 0
expect_stdout_contains "100 packets transmitted"
nloss=$(loss_percent)
expect_between "IPv4 loss % behind a 1-in-5 nft drop" 8 35 "$nloss"
note "nft 1-in-5 drop, IPv4: ${nloss}% loss"
run_in client ping -n -q -c 100 -i 0.01 -W 1 "$T6"
expect_code 0
nloss6=$(loss_percent)
expect_between "IPv6 loss % behind a 1-in-5 nft drop" 8 35 "$nloss6"
note "nft 1-in-5 drop, IPv6: ${nloss6}% loss"
ns_clear_nft target
run_in client ping -n -q -c 20 -i 0.01 -W 1 "$T4"
expect_stdout_contains " 0% packet loss"

finish
