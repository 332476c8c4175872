#!/usr/bin/env bash
# End-to-end: pingkeeper target import (plain lists, CSV, stdin, errors, 10k lines).
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

run_pk init -q
expect_code 0
D="$PK_TMP/files"
mkdir -p "$D"

# ---------------------------------------------------------------------------
section "plain host-per-line with comments and blank lines"
cat >"$D/plain.txt" <<'EOF'
# office hosts

10.1.0.1
   10.1.0.2   
# a comment line
example.net   # trailing comment

2001:db8::10
EOF
run_pk target import "$D/plain.txt"
expect_code 0
expect_stdout_contains "imported 4 targets"
expect_stderr_empty
run_pk target list --json
expect_json 'len(d)' 4
expect_json 'sorted(t["host"] for t in d)' "['10.1.0.1', '10.1.0.2', '2001:db8::10', 'example.net']"
expect_json 'sorted(t["name"] for t in d)' "['10.1.0.1', '10.1.0.2', '2001:db8::10', 'example.net']"
expect_json 'set((t["interval_ms"], t["timeout_ms"], t["size"], t["probe"]) for t in d)' "{(1000, 1000, 56, 'icmp')}"
# File order is kept in the ids.
expect_json '[t["id"] for t in sorted(d, key=lambda t: t["id"])] == [1, 2, 3, 4]' True
expect_json '[t["host"] for t in sorted(d, key=lambda t: t["id"])]' "['10.1.0.1', '10.1.0.2', 'example.net', '2001:db8::10']"

section "options as defaults"
printf '10.2.0.1\n10.2.0.2\r\n' >"$D/defaults.txt"
run_pk target import "$D/defaults.txt" --interval 2s --timeout 1500ms --tag src=file --tag team=net --json
expect_code 0
expect_json 'len(d)' 2
expect_json '[t["host"] for t in d]' "['10.2.0.1', '10.2.0.2']"
expect_json 'set(t["interval_ms"] for t in d)' "{2000}"
expect_json 'set(t["timeout_ms"] for t in d)' "{1500}"
expect_json '[t["tags"] for t in d][0]' "{'src': 'file', 'team': 'net'}"
expect_json 'd[1]["tags"] == d[0]["tags"]' True

run_pk target import - --paused --job-only --probe tcp <<<$'10.2.0.3\n10.2.0.4'
expect_code 0
expect_stdout_contains "imported 2 targets"
run_pk target show 10.2.0.4 --json
expect_json 'd["paused"]' True
expect_json 'd["job_only"]' True
expect_json 'd["probe"]' tcp
expect_json 'd["port"]' 443

section "CSV with a header"
cat >"$D/targets.csv" <<'EOF'
host,name,interval,timeout,probe,port,tags
10.3.0.1,db1,5s,2s,tcp,8443,env=prod;role=db
10.3.0.2,db2,,,,,
"10.3.0.3","quoted",250ms,,icmp,,"env=dev"
EOF
run_pk target import "$D/targets.csv" --interval 10s --tag owner=ops
expect_code 0
expect_stdout_contains "imported 3 targets"
run_pk target show db1 --json
expect_json 'd["host"]' 10.3.0.1
expect_json 'd["interval_ms"]' 5000
expect_json 'd["timeout_ms"]' 2000
expect_json 'd["probe"]' tcp
expect_json 'd["port"]' 8443
expect_json 'd["tags"]' "{'env': 'prod', 'owner': 'ops', 'role': 'db'}"
run_pk target show db2 --json
# Empty cells take the command's defaults, then the built-in ones.
expect_json 'd["interval_ms"]' 10000
expect_json 'd["timeout_ms"]' 1000
expect_json 'd["probe"]' icmp
expect_json 'd["port"]' None
expect_json 'd["tags"]' "{'owner': 'ops'}"
run_pk target show quoted --json
expect_json 'd["host"]' 10.3.0.3
expect_json 'd["interval_ms"]' 250
expect_json 'd["tags"]' "{'env': 'dev', 'owner': 'ops'}"

# Other columns, a different order, upper-case header, a BOM.
printf '\xEF\xBB\xBFName,HOST,size,family,description\nsix,::2,1000,6,"v6, with comma"\n' >"$D/other.csv"
run_pk target import "$D/other.csv"
expect_code 0
run_pk target show six --json
expect_json 'd["host"]' ::2
expect_json 'd["size"]' 1000
expect_json 'd["family"]' ipv6
expect_json 'd["description"]' "v6, with comma"

# A CSV with only the host column.
run_pk target import - <<<$'host\n10.3.1.1\n10.3.1.2'
expect_code 0
expect_stdout_contains "imported 2 targets"

section "stdin via -"
run_pk target import - --csv <<<$'# from a pipe\n10.4.0.1\n10.4.0.2\n'
expect_code 0
expect_eq "csv header from import" "id,name,host,family,probe,port,interval_ms,timeout_ms,size,paused,job_only,state,tags,description" \
  "$(head -n 1 <<<"$PK_OUT")"
expect_stdout_lines 3
expect_stdout_matches '^[0-9]+,10\.4\.0\.1,10\.4\.0\.1,'
run_pk -q target import - <<<'10.4.0.3'
expect_code 0
expect_stdout_empty
run_pk target show 10.4.0.3
expect_code 0

# ---------------------------------------------------------------------------
section "a bad line fails the whole import"
n_before=$(db_query 'SELECT count(*) FROM targets')
cat >"$D/bad-host.txt" <<'EOF'
# line 1 is a comment
10.5.0.1

10.5.0.2
bad_host!
10.5.0.3
EOF
expect_rejected 2 'line 5: invalid host "bad_host!"' target import "$D/bad-host.txt"
expect_eq "nothing imported after a bad line" "$n_before" "$(db_query 'SELECT count(*) FROM targets')"
expect_rejected 2 'line 5: invalid host "bad_host!"' target import - <"$D/bad-host.txt"

printf 'host,interval\n10.5.1.1,5s\n10.5.1.2,5x\n' >"$D/bad-interval.csv"
expect_rejected 2 'line 3: invalid duration "5x"' target import "$D/bad-interval.csv"
printf 'host,interval\n10.5.1.1,50ms\n' >"$D/range.csv"
expect_rejected 2 'line 2: interval 50ms is out of range' target import "$D/range.csv"
printf 'host,port\n10.5.2.1,80\n' >"$D/port-icmp.csv"
expect_rejected 2 'line 2: a port applies to TCP probes only' target import "$D/port-icmp.csv"
printf 'host,port,probe\n10.5.2.1,http,tcp\n' >"$D/port-text.csv"
expect_rejected 2 'line 2: invalid port "http"' target import "$D/port-text.csv"
printf 'host,tags\n10.5.2.2,novalue\n' >"$D/bad-tag.csv"
expect_rejected 2 'line 2: invalid tag "novalue"' target import "$D/bad-tag.csv"
printf 'host,name\n10.5.2.3,a,b\n' >"$D/fields.csv"
expect_rejected 2 'line 2: 3 fields, but the header has 2' target import "$D/fields.csv"
printf 'host,name\n10.5.2.4,"unclosed\n' >"$D/quote.csv"
expect_rejected 2 'line 2: unclosed quote' target import "$D/quote.csv"
printf '10.5.3.1\n10.5.3.2\n' >"$D/ok.txt"
expect_rejected 2 'interval 50ms is out of range' target import "$D/ok.txt" --interval 50ms
expect_rejected 2 'invalid tag' target import "$D/ok.txt" --tag nokv
expect_rejected 2 "--name" target import "$D/ok.txt" --name x

section "duplicate names"
printf 'host,name\n10.6.0.1,dup\n10.6.0.2,other\n10.6.0.3,dup\n' >"$D/dup.csv"
expect_rejected 2 'line 4: target name "dup" is given twice' target import "$D/dup.csv"
printf '10.6.1.1\n# same host twice\n10.6.1.1\n' >"$D/dup.txt"
expect_rejected 2 'line 3: target name "10.6.1.1" is given twice' target import "$D/dup.txt"
printf 'host,name\n10.6.2.1,fresh\n10.3.0.9,db1\n' >"$D/exists.csv"
expect_rejected 2 'line 3: target "db1" already exists' target import "$D/exists.csv"
printf '10.6.3.1\n10.1.0.2\n' >"$D/exists.txt"
expect_rejected 2 'line 2: target "10.1.0.2" already exists' target import "$D/exists.txt"

section "files that cannot be imported"
expect_rejected 1 "$D/missing.txt" target import "$D/missing.txt"
expect_rejected 1 "cannot read" target import "$D/missing.txt"
printf 'host,colour\n1.2.3.4,red\n' >"$D/unknown-col.csv"
expect_rejected 2 'line 1: unknown column "colour"' target import "$D/unknown-col.csv"
printf '# comment\nname,interval\nx,5s\n' >"$D/no-host.csv"
expect_rejected 2 'line 2: the CSV header needs a "host" column' target import "$D/no-host.csv"
printf 'host,host\n1.2.3.4,1.2.3.5\n' >"$D/twice.csv"
expect_rejected 2 'column "host" appears twice' target import "$D/twice.csv"
printf '# nothing here\n\n   \n' >"$D/empty.txt"
expect_rejected 2 'no hosts' target import "$D/empty.txt"
: >"$D/zero.txt"
expect_rejected 2 'no hosts' target import "$D/zero.txt"
expect_rejected 2 'no hosts' target import - </dev/null
expect_rejected 2 "required" target import

# ---------------------------------------------------------------------------
section "10,000 lines"
big_db="$PK_TMP/big.db"
awk 'BEGIN { print "# generated"; for (i = 0; i < 10000; i++) printf "10.%d.%d.%d\n", 100 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$D/big.txt"
expect_eq "generated file has 10001 lines" "10001" "$(wc -l <"$D/big.txt" | tr -d ' ')"
t0=$(date +%s%N)
PK_TIMEOUT=240 run_pk --db "$big_db" target import "$D/big.txt" --interval 10s
t1=$(date +%s%N)
expect_code 0
expect_stdout_contains "imported 10000 targets"
echo "info: importing 10,000 lines took $(((t1 - t0) / 1000000)) ms (not asserted)"
PK_TIMEOUT=240 run_pk --db "$big_db" target list --json
expect_code 0
expect_json 'len(d)' 10000
expect_json 'len(set(t["name"] for t in d))' 10000
expect_json 'set(t["interval_ms"] for t in d)' "{10000}"
expect_json 'sorted(t["id"] for t in d) == list(range(1, 10001))' True
expect_json '[t["host"] for t in d if t["id"] in (1, 10000)]' "['10.100.0.0', '10.100.39.15']"
# The whole batch is one transaction: one more bad line at the end adds nothing.
cp "$D/big.txt" "$D/big-bad.txt"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "10.%d.%d.%d\n", 110 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$D/big-bad.txt"
echo 'bad_host!' >>"$D/big-bad.txt"
PINGKEEPER_DB="$big_db" PK_TIMEOUT=240 expect_rejected 2 'line 10001: invalid host "bad_host!"' target import "$D/big-bad.txt"
expect_eq "big db still has 10000 targets" "10000" "$(sqlite3 "$big_db" 'SELECT count(*) FROM targets')"

# ---------------------------------------------------------------------------
section "target list --csv imports back"
rt_src="$PK_TMP/rt-src.db"
rt_dst="$PK_TMP/rt-dst.db"
PINGKEEPER_DB=$rt_src run_pk target add 10.7.0.1 --name r1 --interval 5s --timeout 2s --tag site=fra --tag role=core \
  --tag 'path=a;b\c' --description 'core, "north"'
PINGKEEPER_DB=$rt_src run_pk target add web.example --name w1 --probe tcp --port 8443 -6 --paused --job-only --size 0
PINGKEEPER_DB=$rt_src run_pk target list --csv
expect_code 0
printf '%s\n' "$PK_OUT" >"$PK_TMP/rt.csv"
PINGKEEPER_DB=$rt_dst run_pk target import "$PK_TMP/rt.csv"
expect_code 0
expect_stdout_contains "imported 2 targets"
fields='t.name, t.host, t.family, t.probe, ifnull(t.port, ""), t.interval_ms, t.timeout_ms, t.payload_size, t.paused, t.job_only, t.tags, t.description'
expect_eq "every field survives the round trip" \
  "$(sqlite3 "$rt_src" "SELECT $fields FROM targets t ORDER BY name")" \
  "$(sqlite3 "$rt_dst" "SELECT $fields FROM targets t ORDER BY name")"

# ---------------------------------------------------------------------------
section "bounded input: a huge file or line is refused, its content not echoed"
expect_rejected 2 "the input is larger than 32 MiB" target import - < <(head -c $((33 << 20)) /dev/zero)
python3 -c 'print("h" * 1000000)' >"$PK_TMP/long-line.txt"
expect_rejected 2 "line 1: 1000000 bytes, longer than the 8192" target import "$PK_TMP/long-line.txt"
expect_eq "the error stays short" yes "$( ((${#PK_ERR} < 300)) && echo yes || echo "no: ${#PK_ERR} bytes")"
printf '192.0.2.1\n%s\n' "$(python3 -c 'print("x" * 5000 + "!")')" >"$PK_TMP/long-host.txt"
expect_rejected 2 'line 2: invalid host' target import "$PK_TMP/long-host.txt"
expect_eq "an echoed value is cut short" yes "$( ((${#PK_ERR} < 2100)) && echo yes || echo "no: ${#PK_ERR} bytes")"

finish
