#!/usr/bin/env bash
# End-to-end: global options (--json/--csv, --tz/--utc, --config, -q, -v,
# --db) and their placement before or after the subcommand.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# "YYYY-MM-DD HH:MM:SS" of ISO time $1 in zone $2, worked out with zoneinfo.
local_time() {
  "$PK_PYTHON" -c '
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
t = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
print(t.astimezone(ZoneInfo(sys.argv[2])).strftime("%Y-%m-%d %H:%M:%S %Z"))' "$1" "$2"
}

run_pk init -q
expect_code 0
run_pk target add 127.0.0.1 --name lo
expect_code 0
run_pk job add j1 --targets lo --window 'mon-fri 09:00-17:00' --tz Europe/Berlin
expect_code 0

# ---------------------------------------------------------------------------
section "--json and --csv are exclusive"
expect_rejected 2 "--json excludes --csv" --json --csv target list
expect_rejected 2 "--json excludes --csv" target list --json --csv
expect_rejected 2 "--json excludes --csv" --csv target add 10.0.0.1 --json
expect_rejected 2 "--json excludes --csv" job list --csv --json
expect_rejected 2 "--utc excludes --tz" --utc --tz UTC job list
expect_rejected 2 "--tz" target list --tz

section "a command group without its command names the commands it has"
expect_rejected 2 "pingkeeper target needs a command: add, import, list" target
expect_rejected 2 "pingkeeper job needs a command: add, edit, list" job

section "--tz and --utc on commands that show times"
expect_rejected 2 'unknown time zone "Mars/Base"' --tz Mars/Base target show lo
expect_rejected 2 'unknown time zone "Mars/Base"' target show lo --tz Mars/Base
expect_rejected 2 'unknown time zone "Mars/Base"' --tz Mars/Base job list
expect_rejected 2 'unknown time zone "Mars/Base"' job show j1 --tz Mars/Base
expect_rejected 2 'unknown time zone "Not/AZone"' --tz Not/AZone job add j2 --targets lo

run_pk target show lo --json
expect_code 0
created=$(json_value 'd["created_at"]')
expect_eq "created_at is ISO UTC" "yes" "$([[ $created =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] && echo yes || echo "no: $created")"
run_pk target show lo --tz Asia/Tokyo
expect_code 0
expect_stdout_matches "^created: +$(local_time "$created" Asia/Tokyo)\$"
run_pk --tz America/New_York target show lo
expect_code 0
expect_stdout_matches "^created: +$(local_time "$created" America/New_York)\$"
run_pk --utc target show lo
expect_code 0
expect_stdout_matches "^created: +$(local_time "$created" UTC)\$"
# Default: the local zone (TZ).
TZ=Asia/Kolkata run_pk target show lo
expect_code 0
expect_stdout_matches "^created: +$(local_time "$created" Asia/Kolkata)\$"
# JSON times stay UTC whatever the display zone.
run_pk target show lo --json --tz Asia/Tokyo
expect_json 'd["created_at"]' "$created"

run_pk job show j1 --json
next=$(json_value 'd["next_change"]')
run_pk job list --tz Asia/Tokyo
expect_code 0
expect_stdout_contains "$(local_time "$next" Asia/Tokyo)"
run_pk job show j1 --utc
expect_stdout_matches "^next change: +$(local_time "$next" UTC)\$"

# The global --tz only changes how times are shown: a job's zone is its own
# --tz (default: the machine's zone, UTC here), and its times are read in it.
run_pk --tz Europe/Berlin job add j3 --targets lo --start 2030-06-01T09:00 --json
expect_code 0
expect_json 'd["tz"]' UTC
expect_json 'd["start"]' "2030-06-01T09:00:00Z"
run_pk --utc job add j4 --targets lo --tz Europe/Berlin --start 2030-06-01T09:00 --json
expect_json 'd["tz"]' Europe/Berlin
expect_json 'd["start"]' "2030-06-01T07:00:00Z"
# job edit reads times in the job's own zone too.
run_pk job edit j4 --start 2030-06-02T09:00 --json
expect_json 'd["start"]' "2030-06-02T07:00:00Z"

# ---------------------------------------------------------------------------
section "--config"
cfg_db="$PK_TMP/from-config.db"
printf '# pingkeeper settings\ndb = "%s"\n' "$cfg_db" >"$PK_TMP/pk.toml"
_saved_db=$PINGKEEPER_DB
unset PINGKEEPER_DB
run_pk --config "$PK_TMP/pk.toml" init --json
expect_code 0
expect_json 'd["database"]' "$cfg_db"
expect_eq "config db created" "present" "$([[ -f $cfg_db ]] && echo present || echo absent)"
run_pk --config "$PK_TMP/pk.toml" target add 10.9.0.1 --name cfg
expect_code 0
expect_eq "target stored in the config db" "cfg" "$(sqlite3 "$cfg_db" 'SELECT name FROM targets')"
run_pk target list --config "$PK_TMP/pk.toml" --json
expect_code 0
expect_json '[t["name"] for t in d]' "['cfg']"
# The command line wins over the file.
run_pk --config "$PK_TMP/pk.toml" --db "$_saved_db" target list --json
expect_code 0
expect_json 'sorted(t["name"] for t in d)' "['lo']"

printf 'db = "%s"\njson = true\nquiet = true\n' "$cfg_db" >"$PK_TMP/json.toml"
run_pk --config "$PK_TMP/json.toml" target list
expect_code 0
expect_json '[t["name"] for t in d]' "['cfg']"
run_pk --config "$PK_TMP/json.toml" init
expect_code 0
expect_json 'd["database"]' "$cfg_db"

printf '; ini style\ndb=%s\n' "$cfg_db" >"$PK_TMP/pk.ini"
run_pk --config "$PK_TMP/pk.ini" target show cfg --json
expect_code 0
expect_json 'd["name"]' cfg
export PINGKEEPER_DB=$_saved_db

# The environment wins over the file (command line > environment > file).
run_pk --config "$PK_TMP/pk.toml" target list --json
expect_code 0
expect_json 'sorted(t["name"] for t in d)' "['lo']"

# A key the file should not hold is an error, not silently ignored.
printf 'dbb = "%s"\n' "$cfg_db" >"$PK_TMP/typo.toml"
run_pk --config "$PK_TMP/typo.toml" target list
expect_code 2
expect_stderr_contains "dbb"

run_pk --config "$PK_TMP/missing.toml" target list
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "$PK_TMP/missing.toml"
expect_eq "missing config file fails" "nonzero" "$([[ $PK_CODE != 0 ]] && echo nonzero || echo zero)"

# ---------------------------------------------------------------------------
section "-q and -v"
run_pk -q target add 10.0.0.2
expect_code 0
expect_stdout_empty
expect_stderr_empty
run_pk target add 10.0.0.3 -q
expect_code 0
expect_stdout_empty
run_pk target add 10.0.0.4 --quiet
expect_code 0
expect_stdout_empty
run_pk target list --json
expect_json 'sorted(t["name"] for t in d if t["name"].startswith("10.0.0."))' "['10.0.0.2', '10.0.0.3', '10.0.0.4']"
# Without -q the same command reports what it did.
run_pk target add 10.0.0.5
expect_stdout_contains "added target 10.0.0.5 (10.0.0.5)"
# -q keeps requested data.
run_pk -q target add 10.0.0.6 --json
expect_code 0
expect_json '[t["name"] for t in d]' "['10.0.0.6']"
run_pk -q target list
expect_code 0
expect_stdout_contains "10.0.0.6"
run_pk -q target pause 10.0.0.6
expect_code 0
expect_stdout_empty
run_pk -q job stop j1
expect_code 0
expect_stdout_empty
run_pk -q target rm 10.0.0.6
expect_code 0
expect_stdout_empty
# -q does not hide errors.
run_pk -q target show nosuch
expect_code 3
expect_stderr_contains 'target "nosuch" not found'

run_pk -v target list
expect_code 0
expect_stdout_contains "lo"
run_pk target list -vv
expect_code 0

# ---------------------------------------------------------------------------
section "options before or after the subcommand"
other="$PK_TMP/other.db"
run_pk target add 10.7.0.1 --db "$other"
expect_code 0
run_pk target list --db "$other" --json
expect_code 0
expect_json '[t["name"] for t in d]' "['10.7.0.1']"
run_pk --db "$other" target list --csv
expect_code 0
expect_stdout_lines 2
expect_stdout_matches '^1,10\.7\.0\.1,'
run_pk target --db "$other" --json list
expect_code 0
expect_json 'len(d)' 1
run_pk job list --json
expect_code 0
expect_json 'type(d).__name__' list
run_pk --json job list
expect_code 0
expect_json 'type(d).__name__' list
run_pk job list --csv
expect_code 0
expect_stdout_matches '^id,name,targets,'
expect_eq "the main db does not hold the other db's target" "0" "$(db_query "SELECT count(*) FROM targets WHERE name='10.7.0.1'")"
run_pk --db
expect_code 2
expect_stderr_contains "--db"

finish
