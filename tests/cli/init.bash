#!/usr/bin/env bash
# End-to-end: `pingkeeper init`, --version, --help, the database location
# rules and refusal of unusable databases.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

section "--version and --help"
run_pk --version
expect_code 0
expect_stdout_matches '^[0-9]+\.[0-9]+\.[0-9]+'
expect_stderr_empty

run_pk --help
expect_code 0
expect_stdout_contains "Usage: pingkeeper"
expect_stdout_contains "init"
expect_stdout_contains "target"
expect_stdout_contains "job"
expect_stdout_contains "--db"
expect_stdout_contains "Exit codes"
expect_stderr_empty

for group in init target job; do
  run_pk "$group" --help
  expect_code 0
  expect_stdout_contains "Usage: pingkeeper $group"
done
run_pk target add --help
expect_code 0
expect_stdout_contains "--interval"
expect_stdout_contains "--probe"
run_pk job add --help
expect_code 0
expect_stdout_contains "--window"
# --help changes nothing: no database is created by it.
expect_eq "no database after --help runs" "absent" "$([[ -e $PINGKEEPER_DB ]] && echo present || echo absent)"

section "usage errors"
run_pk
expect_code 2
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "--help"
expect_stdout_empty

run_pk bogus
expect_code 2
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "bogus"  # the message names the unknown command
expect_stdout_empty

run_pk --no-such-option init
expect_code 2
expect_stderr_contains "--no-such-option"

run_pk target
expect_code 2
expect_stderr_contains "pingkeeper: error: "
run_pk job
expect_code 2
expect_stderr_contains "pingkeeper: error: "
expect_eq "no database after usage errors" "absent" "$([[ -e $PINGKEEPER_DB ]] && echo present || echo absent)"

section "init creates the database and is idempotent"
run_pk init
expect_code 0
expect_stdout_contains "$PINGKEEPER_DB"
expect_stdout_contains "schema version"
expect_stderr_empty
expect_eq "database file exists after init" "present" "$([[ -f $PINGKEEPER_DB ]] && echo present || echo absent)"
expect_eq "schema user_version > 0" "yes" "$(v=$(db_query 'PRAGMA user_version'); [[ $v =~ ^[0-9]+$ && $v -gt 0 ]] && echo yes || echo "no ($v)")"
expect_stdout_contains "schema version $(db_query 'PRAGMA user_version')"
expect_eq "targets table exists" "targets" "$(db_query "SELECT name FROM sqlite_master WHERE type='table' AND name='targets'")"
expect_eq "jobs table exists" "jobs" "$(db_query "SELECT name FROM sqlite_master WHERE type='table' AND name='jobs'")"

db_snapshot
run_pk init
expect_code 0
expect_stdout_contains "$PINGKEEPER_DB"
expect_db_unchanged

run_pk init --json
expect_code 0
expect_json 'd["database"]' "$PINGKEEPER_DB"
expect_json 'd["schema_version"]' "$(db_query 'PRAGMA user_version')"
expect_json 'sorted(d.keys())' "['database', 'schema_version']"
expect_db_unchanged

run_pk --json init
expect_code 0
expect_json 'd["database"]' "$PINGKEEPER_DB"

run_pk -q init
expect_code 0
expect_stdout_empty
expect_stderr_empty

section "--db and PINGKEEPER_DB"
run_pk --db "$PK_TMP/other.db" init
expect_code 0
expect_stdout_contains "$PK_TMP/other.db"
expect_eq "--db file created" "present" "$([[ -f $PK_TMP/other.db ]] && echo present || echo absent)"

run_pk init --db "$PK_TMP/after.db"
expect_code 0
expect_stdout_contains "$PK_TMP/after.db"

PINGKEEPER_DB="$PK_TMP/env.db" run_pk init --json
expect_code 0
expect_json 'd["database"]' "$PK_TMP/env.db"
expect_eq "PINGKEEPER_DB file created" "present" "$([[ -f $PK_TMP/env.db ]] && echo present || echo absent)"

# --db wins over the environment.
PINGKEEPER_DB="$PK_TMP/env2.db" run_pk --db "$PK_TMP/flag.db" init --json
expect_code 0
expect_json 'd["database"]' "$PK_TMP/flag.db"
expect_eq "env db not created when --db given" "absent" "$([[ -e $PK_TMP/env2.db ]] && echo present || echo absent)"

run_pk --db "$PK_TMP/missing-folder/x.db" init
expect_code 1
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "$PK_TMP/missing-folder"
expect_stderr_contains "does not exist"
expect_stdout_empty
expect_eq "missing folder not created for --db" "absent" "$([[ -e $PK_TMP/missing-folder ]] && echo present || echo absent)"

section "default path"
_saved_db=$PINGKEEPER_DB
unset PINGKEEPER_DB
run_pk init --json
expect_code 0
expect_json 'd["database"]' "$XDG_DATA_HOME/pingkeeper/pingkeeper.db"
expect_eq "default db under XDG_DATA_HOME" "present" \
  "$([[ -f $XDG_DATA_HOME/pingkeeper/pingkeeper.db ]] && echo present || echo absent)"

# Without XDG_DATA_HOME: ~/.local/share/pingkeeper.
XDG_DATA_HOME="" run_pk init --json
expect_code 0
expect_json 'd["database"]' "$HOME/.local/share/pingkeeper/pingkeeper.db"
expect_eq "default db under HOME" "present" \
  "$([[ -f $HOME/.local/share/pingkeeper/pingkeeper.db ]] && echo present || echo absent)"

# A default-path database is used by later commands.
run_pk target add 127.0.0.1 --name lo
expect_code 0
expect_eq "target stored in the XDG default db" "lo" \
  "$(sqlite3 "$XDG_DATA_HOME/pingkeeper/pingkeeper.db" 'SELECT name FROM targets')"
export PINGKEEPER_DB=$_saved_db

section "databases pingkeeper must refuse"
# A pingkeeper database (application_id "PKpk") from a newer version.
newer="$PK_TMP/newer.db"
sqlite3 "$newer" 'CREATE TABLE t(x); PRAGMA application_id = 1347121259; PRAGMA user_version = 999;'
run_pk --db "$newer" init
expect_code 1
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "newer"
expect_stderr_contains "999"
expect_stdout_empty
expect_eq "user_version left at 999" "999" "$(sqlite3 "$newer" 'PRAGMA user_version')"
expect_eq "newer db not switched to WAL" "delete" "$(sqlite3 "$newer" "PRAGMA journal_mode")"
expect_eq "no tables added to the newer db" "t" "$(sqlite3 "$newer" "SELECT group_concat(name) FROM sqlite_master WHERE type='table'")"

run_pk --db "$newer" target list
expect_code 1
expect_stderr_contains "newer"

# Another program's SQLite database is left exactly as it was.
foreign="$PK_TMP/foreign.db"
sqlite3 "$foreign" 'CREATE TABLE foo(x); INSERT INTO foo VALUES (1);'
cp "$foreign" "$PK_TMP/foreign.orig"
run_pk --db "$foreign" init
expect_code 1
expect_stderr_contains "is not a pingkeeper database"
expect_eq "foreign db byte-for-byte unchanged" "same" "$(cmp -s "$foreign" "$PK_TMP/foreign.orig" && echo same || echo changed)"
expect_eq "no WAL file next to the foreign db" "absent" "$([[ -e $foreign-wal ]] && echo present || echo absent)"

printf 'this is not sqlite\n%.0s' {1..200} >"$PK_TMP/garbage.db"
cp "$PK_TMP/garbage.db" "$PK_TMP/garbage.orig"
run_pk --db "$PK_TMP/garbage.db" init
expect_code 1
expect_stderr_contains "pingkeeper: error: "
expect_stderr_contains "not a pingkeeper database"
expect_eq "garbage file left as it was" "same" "$(cmp -s "$PK_TMP/garbage.db" "$PK_TMP/garbage.orig" && echo same || echo changed)"

finish
