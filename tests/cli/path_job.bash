#!/usr/bin/env bash
# End-to-end: a job with the path metric traces its targets while `run`
# collects (loopback only), stores each trace with the job, does not trace
# again within --path-every after a restart, and `traceroute T --history`
# lists the traces (table, --json, --csv, --since) with their change marks.
# The path-change computation itself is unit-tested (analyze.path,
# store.traces) and exercised over a real route change in tests/net/traceroute.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

start_ports
check_icmp "only the TCP target is traced"

section "a path job traces each target once per --path-every"
run_pk target add 127.0.0.1 --name web --probe tcp --port "$OPEN"
expect_code 0
targets=web
if ((ICMP_OK)); then
  run_pk target add 127.0.0.1 --name lo
  expect_code 0
  targets=web,lo
fi
run_pk target add 127.0.0.2 --name plain --probe tcp --port "$CLOSED"
expect_code 0
run_pk job add paths --targets "$targets" --metrics rtt,path --path-every 1m --interval 1s
expect_code 0
run_pk job add rtt-only --targets plain --metrics rtt --interval 1s
expect_code 0
run_pk --json run --duration 2s
expect_code 0
n_targets=$(tr ',' '\n' <<<"$targets" | wc -l)
expect_json 'd["traces"]' "$n_targets"
expect_json 'd["trace_failures"]' 0
expect_eq "traces stored" "$n_targets" "$(db_query 'SELECT count(*) FROM traces')"
expect_eq "traces of the job" "$n_targets" "$(db_query "SELECT count(*) FROM traces WHERE job_id = (SELECT id FROM jobs WHERE name = 'paths')")"
expect_eq "no trace of a target outside path jobs" 0 "$(db_query "SELECT count(*) FROM traces t JOIN targets g ON g.id = t.target_id WHERE g.name = 'plain'")"

# As root the TCP target is traced with TCP SYN to its port; without the
# privilege for raw sockets, with UDP.
want_method=udp
if [[ $(id -u) == 0 ]]; then want_method=tcp; fi
run_pk --json traceroute web --history
expect_code 0
expect_json 'len(d)' 1
expect_json 'd[0]["probe"]' "$want_method"
expect_json 'd[0]["reached"]' True
expect_json 'd[0]["hop_count"]' 1
expect_json 'd[0]["hops"][0]["addresses"]' "['127.0.0.1']"
expect_json 'd[0]["path_changed"]' False
expect_json 'd[0]["job_id"] is not None' True
expect_json 'len(d[0]["hops"][0]["probes"])' 3
expect_json 'all(p["rtt_ms"] is not None for p in d[0]["hops"][0]["probes"])' True
if [[ $want_method == tcp ]]; then expect_json 'd[0]["port"]' "$OPEN"; fi
if ((ICMP_OK)); then
  run_pk --json traceroute lo --history
  expect_json 'd[0]["probe"]' icmp
  expect_json 'd[0]["hops"][0]["probes"][0]["reply"]' reached
fi

section "a restart within --path-every does not trace again"
run_pk --json run --duration 1s
expect_code 0
expect_json 'd["traces"]' 0
expect_eq "still one trace per target" "$n_targets" "$(db_query 'SELECT count(*) FROM traces')"

section "history: table, --csv, --since and change marks"
# A second trace of web by another route, as the collector would have stored
# it (the real route change is in tests/net/traceroute.bash).
db_query "INSERT INTO traces (target_id, job_id, host, address, method, port, started_at, duration_us, first_ttl,
            max_hops, queries, hop_count, reached, path_hash, path_changed)
          SELECT target_id, job_id, host, address, method, port, started_at + 1000000, 2500, 1, 30, 3, 2, 1,
                 'feedfacefeedface', 1 FROM traces WHERE target_id = (SELECT id FROM targets WHERE name = 'web')" >/dev/null
new_id=$(db_query "SELECT max(id) FROM traces")
db_query "INSERT INTO trace_hops VALUES ($new_id, 1, 1, '10.9.9.9', NULL, 100, 'time_exceeded', 11, 0),
                                        ($new_id, 2, 1, '127.0.0.1', NULL, 200, 'reached', NULL, NULL)" >/dev/null
run_pk traceroute web --history
expect_code 0
expect_stdout_contains "ID  TIME"
expect_stdout_contains "CHANGED"
expect_stdout_matches "changed +10\.9\.9\.9 > 127\.0\.0\.1"
expect_stdout_contains "web: 2 traces, 1 path change"
run_pk --csv traceroute web --history
expect_code 0
expect_stdout_lines 3
expect_stdout_contains "id,started_at,probe,port,hops,reached,duration_ms,path_changed,path_hash,path,job_id"
expect_stdout_contains ",true,feedfacefeedface,10.9.9.9 > 127.0.0.1,"
run_pk --json traceroute web --history --since -1h
expect_json 'len(d)' 2
expect_json '[t["path_changed"] for t in d]' "[False, True]"
expect_json 'd[1]["hops"][0]["probes"][0]["reply"]' time_exceeded
run_pk --json traceroute web --history --since +1h
expect_code 0
expect_json 'd' "[]"
run_pk traceroute web --history --since +1h
expect_stdout_contains "web: 0 traces, 0 path changes since"

section "a removed target takes its traces along"
run_pk job rm paths
expect_code 0
run_pk target rm web
expect_code 0
expect_eq "only lo's trace is left" "$ICMP_OK" "$(db_query 'SELECT count(*) FROM traces')"
expect_eq "no orphaned hops" 0 "$(db_query 'SELECT count(*) FROM trace_hops WHERE trace_id NOT IN (SELECT id FROM traces)')"

finish
