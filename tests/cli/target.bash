#!/usr/bin/env bash
# End-to-end: pingkeeper target add|list|show|edit|rm|pause|resume.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

run_pk init -q
expect_code 0

# ---------------------------------------------------------------------------
section "add with every option"
run_pk target add 127.0.0.1 --name lo --interval 2s --timeout 500ms --size 100 -4 \
  --tag env=prod --tag site=a --description "loop back" --paused
expect_code 0
expect_stdout_contains "added target lo (127.0.0.1), id 1"
expect_stderr_empty

run_pk target show lo --json
expect_code 0
expect_json 'd["id"]' 1
expect_json 'd["name"]' lo
expect_json 'd["host"]' 127.0.0.1
expect_json 'd["family"]' ipv4
expect_json 'd["probe"]' icmp
expect_json 'd["port"]' None
expect_json 'd["interval_ms"]' 2000
expect_json 'd["timeout_ms"]' 500
expect_json 'd["size"]' 100
expect_json 'd["paused"]' True
expect_json 'd["job_only"]' False
expect_json 'd["description"]' "loop back"
expect_json 'd["tags"]' "{'env': 'prod', 'site': 'a'}"
expect_json 'd["removed_at"]' None
expect_json 'd["created_at"] == d["updated_at"]' True
expect_json 'd["created_at"].endswith("Z") and d["created_at"][:2] == "20" and "T" in d["created_at"]' True
lo_created=$(json_value 'd["created_at"]')

section "defaults"
run_pk target add 10.0.0.1
expect_code 0
expect_stdout_contains "added target 10.0.0.1 (10.0.0.1), id 2"
run_pk target show 10.0.0.1 --json
expect_json 'd["name"]' 10.0.0.1
expect_json 'd["interval_ms"]' 1000
expect_json 'd["timeout_ms"]' 1000
expect_json 'd["size"]' 56
expect_json 'd["probe"]' icmp
expect_json 'd["port"]' None
expect_json 'd["family"]' any
expect_json 'd["paused"]' False
expect_json 'd["job_only"]' False
expect_json 'd["tags"]' "{}"
expect_json 'd["description"]' ""

section "several hosts at once"
run_pk target add 10.0.0.2 10.0.0.3 10.0.0.4 --interval 5s --tag grp=many
expect_code 0
expect_stdout_lines 3
expect_stdout_contains "added target 10.0.0.2 (10.0.0.2)"
expect_stdout_contains "added target 10.0.0.4 (10.0.0.4)"
run_pk target list --json
expect_json 'sorted(t["name"] for t in d if t.get("tags", {}).get("grp") == "many")' "['10.0.0.2', '10.0.0.3', '10.0.0.4']"
expect_json 'set(t["interval_ms"] for t in d if t["tags"].get("grp") == "many")' "{5000}"

run_pk target add 10.0.0.5 10.0.0.6 --json
expect_code 0
expect_json 'len(d)' 2
expect_json '[t["name"] for t in d]' "['10.0.0.5', '10.0.0.6']"

section "IPv6 literal, DNS name, tcp probe"
run_pk target add 2001:db8::1
expect_code 0
run_pk target show 2001:db8::1 --json
expect_code 0
expect_json 'd["host"]' 2001:db8::1
expect_json 'd["family"]' any
run_pk target add ::1 --name v6lo -6
expect_code 0
run_pk target show v6lo --json
expect_json 'd["host"]' ::1
expect_json 'd["family"]' ipv6

run_pk target add example.com
expect_code 0
expect_stdout_contains "added target example.com (example.com)"
run_pk target add www.example.org --name www --timeout 2s
expect_code 0
run_pk target show www --json
expect_json 'd["host"]' www.example.org
expect_json 'd["timeout_ms"]' 2000

run_pk target add example.net --name web --probe tcp
expect_code 0
run_pk target show web --json
expect_json 'd["probe"]' tcp
expect_json 'd["port"]' 443
run_pk target add example.net --name web8080 --probe tcp --port 8080
expect_code 0
run_pk target show web8080 --json
expect_json 'd["port"]' 8080

section "--job-only and tags"
run_pk target add 10.0.0.7 --job-only --tag role=db --tag empty= --tag "note=two words"
expect_code 0
run_pk target show 10.0.0.7 --json
expect_json 'd["job_only"]' True
expect_json 'd["paused"]' False
expect_json 'd["tags"]' "{'empty': '', 'note': 'two words', 'role': 'db'}"
run_pk target add 10.0.0.8 --name 'db_1.prod-a:x'
expect_code 0
expect_stdout_contains "added target db_1.prod-a:x (10.0.0.8)"

# ---------------------------------------------------------------------------
section "list: table, --json, --csv"
run_pk target list
expect_code 0
expect_stdout_matches '^ID +NAME +HOST +PROBE +INTERVAL +TIMEOUT +STATE +TAGS$'
expect_stdout_matches '^1 +lo +127\.0\.0\.1 +icmp +2s +500ms +paused +env=prod,site=a$'
expect_stdout_matches '^2 +10\.0\.0\.1 +10\.0\.0\.1 +icmp +1s +1s +active$'
expect_stdout_matches ' web +example\.net +tcp/443 '
expect_stdout_matches ' 10\.0\.0\.7 +10\.0\.0\.7 +icmp .* job-only +'
n_targets=$(db_query 'SELECT count(*) FROM targets')
expect_stdout_lines $((n_targets + 1))

run_pk target list --json
expect_code 0
expect_json 'type(d).__name__' list
expect_json 'len(d)' "$n_targets"
expect_json 'sorted(d[0].keys())' "['created_at', 'description', 'family', 'host', 'id', 'interval_ms', 'job_only', 'name', 'paused', 'port', 'probe', 'removed_at', 'size', 'tags', 'timeout_ms', 'updated_at']"

run_pk target list --csv
expect_code 0
expect_eq "csv header" "id,name,host,family,probe,port,interval_ms,timeout_ms,size,paused,job_only,state,tags,description" \
  "$(head -n 1 <<<"$PK_OUT")"
csv_check() {
  "$PK_PYTHON" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(eval(sys.argv[1], {"rows": rows}))' "$1" <<<"$PK_OUT"
}
expect_eq "csv row count" "$n_targets" "$(csv_check 'len(rows)')"
expect_eq "csv tags field as target import reads it" "env=prod;site=a" "$(csv_check '[r["tags"] for r in rows if r["name"]=="lo"][0]')"
expect_eq "csv lo row" "1|127.0.0.1|ipv4|icmp||2000|500|100|true|false|paused|loop back" \
  "$(csv_check '"|".join([r[k] for r in rows if r["name"]=="lo" for k in ("id","host","family","probe","port","interval_ms","timeout_ms","size","paused","job_only","state","description")])')"
expect_eq "csv tcp port" "443" "$(csv_check '[r["port"] for r in rows if r["name"]=="web"][0]')"

section "show by name and by id"
run_pk target show lo
expect_code 0
expect_stdout_matches '^id: +1$'
expect_stdout_matches '^name: +lo$'
expect_stdout_matches '^host: +127\.0\.0\.1$'
expect_stdout_matches '^interval: +2s$'
expect_stdout_matches '^timeout: +500ms$'
expect_stdout_matches '^size: +100 bytes$'
expect_stdout_matches '^state: +paused$'
expect_stdout_matches '^tags: +env=prod,site=a$'
expect_stdout_matches '^created: +20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC$'
run_pk target show 1 --json
expect_code 0
expect_json 'd["name"]' lo
web_id=$(db_query "SELECT id FROM targets WHERE name='web'")
run_pk target show "$web_id"
expect_code 0
expect_stdout_matches '^name: +web$'
expect_stdout_matches '^probe: +tcp/443$'
run_pk target show lo --csv
expect_code 0
expect_stdout_lines 2
expect_stdout_matches '^1,lo,127\.0\.0\.1,'

# ---------------------------------------------------------------------------
section "edit each option"
run_pk target edit lo --interval 3s
expect_code 0
expect_stdout_contains "updated target lo (127.0.0.1), id 1"
run_pk target edit lo --timeout 750ms --size 0 --description "edited" --json
expect_code 0
expect_json 'd["interval_ms"]' 3000
expect_json 'd["timeout_ms"]' 750
expect_json 'd["size"]' 0
expect_json 'd["description"]' edited
expect_json 'd["created_at"]' "$lo_created"
expect_json 'd["updated_at"] >= d["created_at"]' True

run_pk target edit lo --untag env --tag site=b --tag new=1 --json
expect_code 0
expect_json 'd["tags"]' "{'new': '1', 'site': 'b'}"

run_pk target edit lo --no-paused --json
expect_code 0
expect_json 'd["paused"]' False
run_pk target edit lo --paused --job-only --json
expect_json 'd["paused"]' True
expect_json 'd["job_only"]' True
run_pk target edit lo --continuous --no-paused --json
expect_json 'd["job_only"]' False
expect_json 'd["paused"]' False

run_pk target edit lo --any-family --json
expect_json 'd["family"]' any
run_pk target edit lo -4 --json
expect_json 'd["family"]' ipv4

run_pk target edit lo --probe tcp --port 22 --json
expect_code 0
expect_json 'd["probe"]' tcp
expect_json 'd["port"]' 22
run_pk target edit lo --port 2222 --json
expect_code 0
expect_json 'd["port"]' 2222
run_pk target edit lo --probe icmp --json
expect_code 0
expect_json 'd["probe"]' icmp
expect_json 'd["port"]' None

run_pk target edit lo --host 127.0.0.9 --json
expect_code 0
expect_json 'd["host"]' 127.0.0.9
expect_json 'd["name"]' lo

run_pk target edit lo --name loopback
expect_code 0
expect_stdout_contains "updated target loopback (127.0.0.9), id 1"
run_pk target show lo
expect_code 3
run_pk target show loopback --json
expect_code 0
expect_json 'd["id"]' 1
expect_json 'd["created_at"]' "$lo_created"
# Edit by id.
run_pk target edit 1 --interval 1s --json
expect_code 0
expect_json 'd["name"]' loopback
expect_json 'd["interval_ms"]' 1000
run_pk target edit loopback --interval 100ms --timeout 60s --json
expect_code 0
expect_json 'd["interval_ms"]' 100
expect_json 'd["timeout_ms"]' 60000
run_pk target edit loopback --interval 1d --json
expect_code 0
expect_json 'd["interval_ms"]' 86400000

# ---------------------------------------------------------------------------
section "pause and resume several"
run_pk target pause 10.0.0.1 3 www
expect_code 0
expect_stdout_lines 3
expect_stdout_contains "paused target 10.0.0.1 (10.0.0.1), id 2"
expect_stdout_contains "paused target 10.0.0.2 (10.0.0.2), id 3"
run_pk target list --json
expect_json 'sorted(t["name"] for t in d if t["paused"])' "['10.0.0.1', '10.0.0.2', 'www']"
run_pk target list
expect_stdout_matches '^2 +10\.0\.0\.1 .* paused'

# Pausing an already paused target succeeds and changes nothing.
db_snapshot
run_pk target pause www
expect_code 0
expect_db_unchanged

run_pk target resume 10.0.0.1 www --json
expect_code 0
expect_json '[(t["name"], t["paused"]) for t in d]' "[('10.0.0.1', False), ('www', False)]"
run_pk target show 3 --json
expect_json 'd["paused"]' True
run_pk target resume 3
expect_code 0
run_pk target list --json
expect_json '[t["name"] for t in d if t["paused"]]' "[]"

# ---------------------------------------------------------------------------
section "rm and rm --keep-data"
rm_id=$(db_query "SELECT id FROM targets WHERE name='10.0.0.5'")
run_pk target rm 10.0.0.5
expect_code 0
expect_stdout_contains "removed target 10.0.0.5 (10.0.0.5), id $rm_id"
run_pk target list --all --json
expect_json '[t for t in d if t["name"] == "10.0.0.5"]' "[]"
expect_eq "removed target row deleted" "0" "$(db_query "SELECT count(*) FROM targets WHERE id=$rm_id")"
run_pk target show "$rm_id"
expect_code 3

keep_id=$(db_query "SELECT id FROM targets WHERE name='10.0.0.6'")
run_pk target rm "$keep_id" --keep-data
expect_code 0
expect_stdout_contains "10.0.0.6"
expect_stdout_contains "id $keep_id"
run_pk target list --json
expect_json '[t for t in d if t["name"] == "10.0.0.6"]' "[]"
run_pk target list --all --json
expect_json '[t["id"] for t in d if t["name"] == "10.0.0.6"]' "[$keep_id]"
expect_json '[t["removed_at"] is not None for t in d if t["name"] == "10.0.0.6"]' "[True]"
run_pk target list --all
expect_stdout_matches "^$keep_id +10\.0\.0\.6 +10\.0\.0\.6 .* removed"
run_pk target list
expect_stdout_not_contains "10.0.0.6"
run_pk target show 10.0.0.6
expect_code 3
run_pk target pause "$keep_id"
expect_code 3

# The name of a retired target can be used again.
run_pk target add 10.0.0.6
expect_code 0
run_pk target list --all --json
expect_json 'len([t for t in d if t["name"] == "10.0.0.6"])' 2
run_pk target show 10.0.0.6 --json
expect_code 0
expect_json 'd["id"] != '"$keep_id" True
expect_json 'd["removed_at"]' None

run_pk target rm web --json
expect_code 0
expect_json 'd["name"]' web

# ---------------------------------------------------------------------------
section "bad hosts"
expect_rejected 2 'invalid host "999.1.1.1"' target add 999.1.1.1
expect_rejected 2 'not an address to probe' target add 0.0.0.0
expect_rejected 2 'unspecified' target add ::
expect_rejected 2 'broadcast' target add 255.255.255.255
expect_rejected 2 'multicast' target add 224.0.0.251
expect_rejected 2 'multicast' target add ff02::1
expect_rejected 2 'tag "site" is given twice' target add 192.0.2.77 --tag site=a --tag site=b
expect_rejected 2 'description contains control characters' target add 192.0.2.77 --description $'evil\e[31mred'
expect_rejected 2 'description contains control characters' target add 192.0.2.77 --description $'two\nlines'
run_pk target add $'bad\e[2Jname'
expect_code 2
expect_stderr_contains 'bad\x1b[2Jname'  # the escape is shown, not sent to the terminal
expect_rejected 2 'invalid host "bad_host!"' target add 'bad_host!'
expect_rejected 2 'invalid host "-x"' target add -- -x
# Without "--", "-x" looks like an option; the message must still name it.
expect_rejected 2 '-x' target add -x
label64=$(printf 'a%.0s' {1..64})
expect_rejected 2 "longer than 63" target add "$label64.com"
expect_rejected 2 'invalid host "1.2.3"' target add 1.2.3
expect_rejected 2 'invalid host "01.2.3.4"' target add 01.2.3.4
expect_rejected 2 'invalid host ""' target add ''
expect_rejected 2 'invalid host "a b"' target add 'a b'
expect_rejected 2 'invalid host "c.com,d.com"' target add 'c.com,d.com'
# host rules: an IPv6 literal is written without brackets.
expect_rejected 2 'invalid host "[::1]"' target add '[::1]'
# A bad host among good ones adds none of them.
expect_rejected 2 'invalid host "bad_host!"' target add 10.0.1.1 'bad_host!' 10.0.1.2

section "valid hosts that are not valid names"
# A DNS name of 85 characters (labels <= 63, total <= 253) and an IPv6
# literal with a zone are valid hosts. Without --name the name defaults to the
# host; that must either work or tell the user to give --name.
label40=$(printf 'b%.0s' {1..40})
long_host="$label40.$label40.com"
for h in "$long_host" "fe80::1%eth0"; do
  db_snapshot
  run_pk target add "$h"
  if [[ $PK_CODE == 0 ]]; then
    _pk_pass "valid host $h added without --name"
  elif [[ $PK_CODE == 2 && $PK_ERR == *"--name"* ]]; then
    _pk_pass "valid host $h refused with a hint to use --name"
    expect_db_unchanged
  else
    _pk_fail "valid host without --name is added, or refused with a hint to use --name" \
      "exit 0, or exit 2 mentioning --name" "exit $PK_CODE: $PK_ERR"
  fi
done
run_pk target add "$long_host" --name longhost
expect_code 0
run_pk target show longhost --json
expect_json 'd["host"]' "$long_host"
run_pk target add "fe80::1%eth0" --name linklocal
expect_code 0
run_pk target show linklocal --json
expect_json 'd["host"]' "fe80::1%eth0"

section "bad durations and ranges"
expect_rejected 2 'invalid duration "5x"' target add 10.0.2.1 --interval 5x
expect_rejected 2 'invalid duration "1m1h"' target add 10.0.2.1 --interval 1m1h
expect_rejected 2 'invalid duration ""' target add 10.0.2.1 --interval ''
expect_rejected 2 'invalid duration "5x"' target add 10.0.2.1 --timeout 5x
expect_rejected 2 "interval 50ms is out of range" target add 10.0.2.1 --interval 50ms
expect_rejected 2 "interval 2d is out of range" target add 10.0.2.1 --interval 2d
expect_rejected 2 "timeout 50ms is out of range" target add 10.0.2.1 --timeout 50ms
expect_rejected 2 "timeout" target add 10.0.2.1 --timeout 61s
expect_rejected 2 "out of range" target add 10.0.2.1 --timeout 61s
expect_rejected 2 "payload size 70000 is out of range" target add 10.0.2.1 --size 70000
expect_rejected 2 "payload size -1 is out of range" target add 10.0.2.1 --size -1
expect_rejected 2 "port applies to TCP probes only" target add 10.0.2.1 --port 80
expect_rejected 2 "port applies to TCP probes only" target add 10.0.2.1 --probe icmp --port 80
expect_rejected 2 "port 0 is out of range" target add 10.0.2.1 --probe tcp --port 0
expect_rejected 2 "port 70000 is out of range" target add 10.0.2.1 --probe tcp --port 70000
expect_rejected 2 'invalid probe "udp"' target add 10.0.2.1 --probe udp
expect_rejected 2 "port applies to TCP probes only" target edit 10.0.0.1 --port 80
expect_rejected 2 "interval 50ms is out of range" target edit 10.0.0.1 --interval 50ms
expect_rejected 2 "payload size 70000" target edit 10.0.0.1 --size 70000

section "names"
expect_rejected 2 'target "loopback" already exists' target add 127.0.0.2 --name loopback
expect_rejected 2 'target "10.0.0.1" already exists' target add 10.0.0.1
# One duplicate in a batch adds none of the batch.
expect_rejected 2 'target "10.0.0.1" already exists' target add 10.0.3.1 10.0.0.1
expect_rejected 2 'given twice' target add 10.0.3.2 10.0.3.2
expect_rejected 2 "--name applies to a single host" target add 10.0.3.3 10.0.3.4 --name x
expect_rejected 2 "all digits" target add 10.0.3.5 --name 12345
expect_rejected 2 "all digits" target edit loopback --name 42
expect_rejected 2 "too long" target add 10.0.3.6 --name "$(printf 'n%.0s' {1..256})"
expect_rejected 2 'invalid name "a b"' target add 10.0.3.7 --name 'a b'
expect_rejected 2 'target "www" already exists' target edit loopback --name www

section "address family"
expect_rejected 2 "IPv6 address but IPv4 (-4) was requested" target add ::1 --name six4 -4
expect_rejected 2 "IPv4 address but IPv6 (-6) was requested" target add 127.0.0.1 --name four6 -6
expect_rejected 2 "excludes" target add example.com --name both -4 -6
expect_rejected 2 "IPv4 address but IPv6 (-6) was requested" target edit loopback -6

section "tags"
expect_rejected 2 'invalid tag "novalue"' target add 10.0.4.1 --tag novalue
expect_rejected 2 'invalid tag key "bad key"' target add 10.0.4.1 --tag 'bad key=1'
expect_rejected 2 'invalid tag' target add 10.0.4.1 --tag '=v'
expect_rejected 2 'invalid tag' target edit loopback --tag novalue

section "unknown targets"
expect_rejected 3 'target "nosuch" not found' target show nosuch
expect_rejected 3 'target "nosuch" not found' target edit nosuch --interval 2s
expect_rejected 3 'target "nosuch" not found' target rm nosuch
expect_rejected 3 'target "nosuch" not found' target rm nosuch --keep-data
expect_rejected 3 'target "nosuch" not found' target pause nosuch
expect_rejected 3 'target "nosuch" not found' target resume nosuch
expect_rejected 3 'target "999" not found' target show 999
# "lo nosuch": the known target is not paused either.
run_pk target show loopback --json
expect_json 'd["paused"]' False
expect_rejected 3 'target "nosuch" not found' target pause loopback nosuch
run_pk target show loopback --json
expect_json 'd["paused"]' False
expect_rejected 3 'target "nosuch" not found' target resume 10.0.0.1 nosuch

section "missing arguments"
expect_rejected 2 "HOST is required" target add
expect_rejected 2 "required" target show
expect_rejected 2 "required" target pause

finish
