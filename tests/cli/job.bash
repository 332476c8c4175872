#!/usr/bin/env bash
# End-to-end: pingkeeper job add|list|show|edit|rm|start|stop.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# Expected status and next change of a "mon-fri 09:00-17:00" Europe/Berlin
# job now, worked out independently with Python's zoneinfo: prints
# "STATUS NEXT_CHANGE_ISO". Bounded: looks at most 9 days ahead.
berlin_expectation() {
  "$PK_PYTHON" - <<'EOF'
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
z = ZoneInfo("Europe/Berlin")
now = datetime.now(timezone.utc)
local = now.astimezone(z)
inside = local.weekday() < 5 and 9 <= local.hour < 17
edges = []
for k in range(9):
    day = (local + timedelta(days=k)).date()
    if day.weekday() < 5:
        for h in (9, 17):
            t = datetime(day.year, day.month, day.day, h, tzinfo=z).astimezone(timezone.utc)
            if t > now:
                edges.append(t)
print("in_window" if inside else "outside_window", min(edges).strftime("%Y-%m-%dT%H:%M:%SZ"))
EOF
}

# An ISO time (UTC, with Z) OFFSET seconds from now.
iso_from_now() {
  "$PK_PYTHON" -c 'import sys, datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(seconds=int(sys.argv[1]))).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1"
}

run_pk init -q
expect_code 0

# ---------------------------------------------------------------------------
section "the issue's example"
run_pk target add 127.0.0.1 --name lo --interval 1s
expect_code 0
run_pk target add 127.0.0.2 --name lo2
expect_code 0
run_pk job add biz --targets lo,lo2 --interval 5s --window 'mon-fri 09:00-17:00' --tz Europe/Berlin
expect_code 0
expect_stdout_contains "added job biz, id 1"
expect_stderr_empty

read -r want_status want_next <<<"$(berlin_expectation)"
run_pk job show biz --json
expect_code 0
expect_json 'd["id"]' 1
expect_json 'd["name"]' biz
expect_json 'd["targets"]' "['lo', 'lo2']"
expect_json 'd["interval_ms"]' 5000
expect_json 'd["count"]' 1
expect_json 'd["windows"]' "mon-fri 09:00-17:00"
expect_json 'd["tz"]' Europe/Berlin
expect_json 'd["state"]' active
expect_json 'd["status"] in ("in_window", "outside_window")' True
expect_json 'isinstance(d["next_change"], str) and d["next_change"].endswith("Z")' True
expect_json 'd["status"]' "$want_status"
expect_json 'd["next_change"]' "$want_next"
expect_json 'd["start"]' None
expect_json 'd["end"]' None
expect_json 'd["metrics"]' "['rtt', 'loss', 'jitter', 'ttl']"
expect_json 'd["latest_run"]' None
expect_json 'd["created_at"].endswith("Z")' True

run_pk job show biz
expect_code 0
expect_stdout_matches '^name: +biz$'
expect_stdout_matches '^targets: +lo,lo2$'
expect_stdout_matches '^interval: +5s$'
expect_stdout_matches '^windows: +mon-fri 09:00-17:00$'
expect_stdout_matches '^tz: +Europe/Berlin$'
expect_stdout_matches '^state: +active$'
expect_stdout_matches "^status: +$want_status\$"
expect_stdout_matches "^next change: +${want_next:0:10} ${want_next:11:8} UTC\$"
expect_stdout_matches '^start: +at creation$'
expect_stdout_matches '^end: +never$'

run_pk job show 1 --json
expect_code 0
expect_json 'd["name"]' biz

# ---------------------------------------------------------------------------
section "job list: table, --json, --csv"
run_pk job add always --targets 2 --interval 1m --count 3 --metrics rtt,loss,path --description "all day"
expect_code 0
run_pk job list
expect_code 0
expect_stdout_lines 3
expect_stdout_matches '^ID +NAME +TARGETS +INTERVAL +WINDOWS +TZ +STATUS +NEXT CHANGE +LAST RUN$'
expect_stdout_matches "^1 +biz +lo,lo2 +5s +mon-fri 09:00-17:00 +Europe/Berlin +$want_status +${want_next:0:10} ${want_next:11:8} UTC +-\$"
expect_stdout_matches '^2 +always +lo2 +1m +always +UTC +in_window +- +-$'
# Display zone: the Berlin windows open and close at 09:00 / 17:00 Berlin time.
run_pk job list --tz Europe/Berlin
expect_code 0
expect_stdout_matches '^1 +biz .* [0-9-]{10} (09|17):00:00 CES?T +-$'

run_pk job list --json
expect_code 0
expect_json 'len(d)' 2
expect_json '[j["name"] for j in d]' "['always', 'biz']"  # ordered by name
a='[j for j in d if j["name"] == "always"][0]'
expect_json "${a}[\"targets\"]" "['lo2']"
expect_json "${a}[\"interval_ms\"]" 60000
expect_json "${a}[\"count\"]" 3
expect_json "${a}[\"metrics\"]" "['rtt', 'loss', 'path']"
expect_json "${a}[\"windows\"]" ""
expect_json "${a}[\"tz\"]" UTC
expect_json "${a}[\"status\"]" in_window
expect_json "${a}[\"next_change\"]" None
expect_json "${a}[\"description\"]" "all day"

run_pk job list --csv
expect_code 0
expect_stdout_lines 3
expect_eq "job csv header" "id,name,targets,interval_ms,count,start,end,windows,tz,metrics,state,status,next_change" \
  "$(head -n 1 <<<"$PK_OUT")"
expect_stdout_contains "1,biz,\"lo,lo2\",5000,1,,,mon-fri 09:00-17:00,Europe/Berlin,\"rtt,loss,jitter,ttl\",active,$want_status,$want_next"
expect_stdout_contains '2,always,lo2,60000,3,,,,UTC,"rtt,loss,path",active,in_window,'

run_pk job show always --csv
expect_code 0
expect_stdout_lines 2

# ---------------------------------------------------------------------------
section "job edit"
run_pk target add 127.0.0.3 --name lo3
expect_code 0
run_pk job edit biz --add-targets lo3
expect_code 0
expect_stdout_contains "updated job biz, id 1"
run_pk job show biz --json
expect_json 'd["targets"]' "['lo', 'lo2', 'lo3']"
run_pk job edit biz --remove-targets lo --json
expect_code 0
expect_json 'd["targets"]' "['lo2', 'lo3']"
run_pk job edit biz --targets lo,3 --json
expect_code 0
expect_json 'd["targets"]' "['lo', 'lo3']"
run_pk job edit biz --interval 10s --json
expect_json 'd["interval_ms"]' 10000
expect_json 'd["windows"]' "mon-fri 09:00-17:00"
expect_json 'd["tz"]' Europe/Berlin

run_pk job edit biz --name biz2
expect_code 0
expect_stdout_contains "updated job biz2, id 1"
run_pk job show biz
expect_code 3
run_pk job show biz2 --json
expect_code 0
expect_json 'd["id"]' 1

run_pk job edit biz2 --window always --json
expect_code 0
expect_json 'd["windows"]' ""
expect_json 'd["status"]' in_window
expect_json 'd["next_change"]' None
run_pk job edit biz2 --window 'sat,sun 10:00-14:00' --window 'mon 08:00-09:00' --json
expect_code 0
expect_json 'd["windows"]' "sat,sun 10:00-14:00; mon 08:00-09:00"
run_pk job edit biz2 --window 'weekdays 09:00-17:00' --tz UTC --json
expect_json 'd["windows"]' "mon-fri 09:00-17:00"
expect_json 'd["tz"]' UTC

future_end=$(iso_from_now 864000)
run_pk job edit biz2 --end "$future_end" --json
expect_code 0
expect_json 'd["end"]' "$future_end"
run_pk job edit biz2 --end none --json
expect_code 0
expect_json 'd["end"]' None
run_pk job edit biz2 --count 5 --metrics rtt --description "edited" --json
expect_json '(d["count"], d["metrics"], d["description"])' "(5, ['rtt'], 'edited')"
# A time without an offset is read in the job's zone (DST-aware).
run_pk job edit biz2 --tz Europe/Berlin --start 2030-06-01T09:00 --json
expect_json 'd["start"]' "2030-06-01T07:00:00Z"
run_pk job edit biz2 --tz America/New_York --start 2030-01-15T09:00 --json
expect_json 'd["start"]' "2030-01-15T14:00:00Z"
expect_json 'd["status"]' scheduled
run_pk job edit biz2 --start none --tz UTC --window always --json
expect_json 'd["start"]' None
expect_json 'd["status"]' in_window

# ---------------------------------------------------------------------------
section "stop and start"
run_pk job stop biz2
expect_code 0
expect_stdout_contains "stopped job biz2, id 1"
run_pk job show biz2 --json
expect_json 'd["state"]' stopped
expect_json 'd["status"]' stopped
expect_json 'd["next_change"]' None
run_pk job list
expect_stdout_matches '^1 +biz2 .* stopped '
run_pk job start biz2 --json
expect_code 0
expect_json 'd["state"]' active
expect_json 'd["status"]' in_window
run_pk job stop 1 --json
expect_json 'd["status"]' stopped
run_pk job start 1
expect_code 0
expect_stdout_contains "started job biz2, id 1"

# ---------------------------------------------------------------------------
section "start and end times"
future_start=$(iso_from_now 7200)
run_pk job add later --targets lo --start "$future_start" --json
expect_code 0
expect_json 'd["start"]' "$future_start"
expect_json 'd["status"]' scheduled
expect_json 'd["state"]' active
expect_json 'd["next_change"]' "$future_start"
run_pk job add ahead --targets lo --start +2h --json
expect_code 0
expect_json 'd["status"]' scheduled
expect_json 'd["next_change"] == d["start"]' True
# An end already past is refused when adding (24h means ago)...
expect_rejected 2 "already past" job add past --targets lo --start -2h --end -1h
# ...but editing a job to end in the past finishes it.
run_pk job add past --targets lo --end +1h
expect_code 0
run_pk job edit past --start -2h --end -1h --json
expect_code 0
expect_json 'd["status"]' finished
expect_json 'd["next_change"]' None
expect_json 'd["start"] < d["end"]' True
run_pk job add running --targets lo --start -2h --end +2h --json
expect_code 0
expect_json 'd["status"]' in_window
expect_json 'd["next_change"] == d["end"]' True
run_pk job list --json
expect_json 'sorted((j["name"], j["status"]) for j in d if j["name"] in ("later", "ahead", "past", "running"))' \
  "[('ahead', 'scheduled'), ('later', 'scheduled'), ('past', 'finished'), ('running', 'in_window')]"

# ---------------------------------------------------------------------------
section "job rm; targets and jobs"
run_pk job rm past
expect_code 0
expect_stdout_contains "removed job past"
run_pk job show past
expect_code 3
run_pk job list --json
expect_json '[j["name"] for j in d if j["name"] == "past"]' "[]"
run_pk target show lo
expect_code 0
expect_eq "job rm deletes its membership rows" "0" \
  "$(db_query "SELECT count(*) FROM job_targets WHERE job_id NOT IN (SELECT id FROM jobs)")"

# Removing a member target takes it out of its jobs.
run_pk job show biz2 --json
expect_json 'd["targets"]' "['lo', 'lo3']"
run_pk target rm lo3
expect_code 0
run_pk job show biz2 --json
expect_json 'd["targets"]' "['lo']"

# ---------------------------------------------------------------------------
section "invalid windows, zones and times"
expect_rejected 2 'invalid window "mon-fri 9-17"' job add e1 --targets lo --window 'mon-fri 9-17'
expect_rejected 2 'invalid window "xyz 09:00-10:00"' job add e1 --targets lo --window 'xyz 09:00-10:00'
expect_rejected 2 'invalid window "mon 25:00-26:00"' job add e1 --targets lo --window 'mon 25:00-26:00'
expect_rejected 2 'invalid window "mon 09:00-09:00"' job add e1 --targets lo --window 'mon 09:00-09:00'
expect_rejected 2 'mon-fri 09:00-17:00' job add e1 --targets lo --window 'mon 09:60-10:00'
expect_rejected 2 'invalid window' job edit biz2 --window 'mon-fri 9-17'
expect_rejected 2 'unknown time zone "Mars/Base"' job add e1 --targets lo --tz Mars/Base
expect_rejected 2 'unknown time zone "Mars/Base"' job edit biz2 --tz Mars/Base
expect_rejected 2 'invalid time "garbage"' job add e1 --targets lo --start garbage
expect_rejected 2 'is not after its start' job add e1 --targets lo --start -1h --end -2h
expect_rejected 2 'is not after its start' job add e1 --targets lo --start 2030-01-02T00:00Z --end 2030-01-01T00:00Z
expect_rejected 2 'is not after its start' job edit later --end -1h
expect_rejected 2 'invalid duration "5x"' job add e1 --targets lo --interval 5x
expect_rejected 2 'job interval 50ms is out of range' job add e1 --targets lo --interval 50ms
expect_rejected 2 'count 0 is out of range' job add e1 --targets lo --count 0
expect_rejected 2 'count 101 is out of range' job add e1 --targets lo --count 101
expect_rejected 2 'invalid metric "foo"' job add e1 --targets lo --metrics foo
expect_rejected 2 'all digits' job add 123 --targets lo
expect_rejected 2 'invalid name "a b"' job add 'a b' --targets lo

section "targets of a job"
expect_rejected 3 'target "nosuch" not found' job add e1 --targets lo,nosuch
expect_rejected 3 'target "nosuch" not found' job edit biz2 --add-targets nosuch
expect_rejected 3 'target "nosuch" not found' job edit biz2 --targets nosuch
expect_rejected 2 '--targets is required' job add e1
expect_rejected 2 'at least one target' job add e1 --targets ''
expect_rejected 2 'at least one target' job edit biz2 --remove-targets lo
expect_rejected 2 'required' job add --targets lo

section "names and unknown jobs"
expect_rejected 2 'job "biz2" already exists' job add biz2 --targets lo
expect_rejected 2 'job "later" already exists' job edit biz2 --name later
for verb in show rm start stop; do
  expect_rejected 3 'job "nosuch" not found' job "$verb" nosuch
done
expect_rejected 3 'job "nosuch" not found' job edit nosuch --interval 5s
expect_rejected 3 'job "999" not found' job show 999

# ---------------------------------------------------------------------------
section "window always mixed with rules is refused"
expect_rejected 2 'window "always" cannot be combined' job add mixed --targets 2 --window always --window 'mon-fri 09:00-17:00'

finish
