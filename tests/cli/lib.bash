# Helpers for the end-to-end CLI suites in tests/cli/. Not a suite itself
# (tests/CMakeLists.txt skips lib.bash). A suite starts with
#
#   source "$(dirname "$0")/lib.bash" "$1"
#
# where $1 is the path of the built pingkeeper binary, and ends with `finish`.
#
# It gives every suite a private temp directory (removed on exit) with
# PINGKEEPER_DB, HOME and XDG_DATA_HOME inside it and TZ=UTC, so nothing
# outside the temp directory is read or written.
#
#   run_pk ARGS...          run pingkeeper; sets PK_OUT, PK_ERR, PK_CODE, PK_CMD
#   expect_code N           exit code of the last run_pk
#   expect_stdout_contains TEXT / expect_stderr_contains TEXT   (fixed strings)
#   expect_stdout_not_contains TEXT / expect_stdout_empty / expect_stderr_empty
#   expect_stdout_matches ERE / expect_stdout_lines N
#   expect_json EXPR EXPECTED   python expression over d = json of stdout;
#                                strings compare as-is, other values by repr
#                                (True, None, 5000, ['lo', 'lo2'])
#   json_value EXPR         prints the value of EXPR (same rules), for reuse
#   expect_eq WHAT EXPECTED GOT
#   db_snapshot / expect_db_unchanged   `sqlite3 DB .dump` before and after
#   expect_rejected CODE TEXT ARGS...   snapshot, run, expect CODE, the
#                                standard error line with TEXT, empty stdout,
#                                and the database unchanged
#   finish                  prints "N passed, M failed"; exits 1 on failure

# tests/, found before anything changes the working directory.
PK_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Shared assertions (expect_code, expect_eq, ...) and _pk_isolate.
source "$PK_TESTS_DIR/assert.bash"
set -u

if [[ $# -lt 1 || -z ${1:-} ]]; then
  echo "usage: bash $0 /path/to/pingkeeper" >&2
  exit 2
fi
PK_BIN=$(realpath -- "$1") || { echo "lib.bash: cannot resolve $1" >&2; exit 2; }
if [[ ! -x $PK_BIN ]]; then
  echo "lib.bash: $PK_BIN is not an executable" >&2
  exit 2
fi
for _pk_tool in python3 sqlite3 timeout; do
  command -v "$_pk_tool" >/dev/null || { echo "lib.bash: $_pk_tool is required" >&2; exit 2; }
done

# The interpreter itself, not a version-manager shim (a shim costs ~0.1 s a call).
PK_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[[ -x ${PK_PYTHON:-} ]] || PK_PYTHON=$(command -v python3)

PK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pingkeeper-cli.XXXXXX") || exit 2
# Background helpers a suite starts (listeners, collectors) go in PK_HELPERS;
# they are killed, and the temp folder removed, on exit.
PK_HELPERS=()
# shellcheck disable=SC2317  # called by the EXIT trap
_pk_cleanup() {
  local pid
  for pid in "${PK_HELPERS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf -- "$PK_TMP"
}
trap _pk_cleanup EXIT
_pk_isolate "$PK_TMP"

PK_OUT=""
PK_ERR=""
PK_CODE=""
PK_CMD="(no command run yet)"
PK_TIMEOUT=${PK_TIMEOUT:-60}  # seconds per pingkeeper run

# --- reporting ---------------------------------------------------------------






# --- running -----------------------------------------------------------------


run_pk() {
  PK_CMD="pingkeeper $(_pk_quote "$@")"
  timeout -k 5 "$PK_TIMEOUT" "$PK_BIN" "$@" >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
  PK_CODE=$?
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
  if ((PK_CODE == 124)); then
    _pk_fail "command finished within ${PK_TIMEOUT}s" "exit before the timeout" "killed by timeout"
  fi
  return 0
}

# --- assertions --------------------------------------------------------------





expect_stdout_empty() {
  if [[ -z $PK_OUT ]]; then
    _pk_pass "stdout empty: $PK_CMD"
  else
    _pk_fail "stdout is empty" "no output" "stdout: $(_pk_short "$PK_OUT")"
  fi
}

expect_stderr_empty() {
  if [[ -z $PK_ERR ]]; then
    _pk_pass "stderr empty: $PK_CMD"
  else
    _pk_fail "stderr is empty" "no output" "stderr: $(_pk_short "$PK_ERR")"
  fi
}


# expect_stdout_lines N: stdout has exactly N lines.
expect_stdout_lines() {
  local n
  n=$(wc -l <"$PK_TMP/stdout")
  n=$((n))
  if [[ $n == "$1" ]]; then
    _pk_pass "stdout has $1 lines: $PK_CMD"
  else
    _pk_fail "stdout line count" "$1 lines" "$n lines: $(_pk_short "$PK_OUT")"
  fi
}


_PK_JSON_EVAL='
import json, sys
expr = sys.argv[1]
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("stdout is not JSON: %s" % e)
    sys.exit(3)
try:
    v = eval(expr, {"d": d, "json": json})
except Exception as e:
    print("%s: %s" % (type(e).__name__, e))
    sys.exit(4)
print(v if isinstance(v, str) else repr(v))
'

# json_value EXPR: the value of EXPR over the last stdout (empty on error).
json_value() {
  "$PK_PYTHON" -c "$_PK_JSON_EVAL" "$1" <"$PK_TMP/stdout" 2>/dev/null || true
}

expect_json() {
  local got rc
  got=$("$PK_PYTHON" -c "$_PK_JSON_EVAL" "$1" <"$PK_TMP/stdout" 2>&1)
  rc=$?
  if ((rc != 0)); then
    _pk_fail "json $1" "$2" "$got (stdout: $(_pk_short "$PK_OUT"))"
  elif [[ $got == "$2" ]]; then
    _pk_pass "json $1 == $2: $PK_CMD"
  else
    _pk_fail "json $1" "$2" "$got"
  fi
}

# --- database ----------------------------------------------------------------

_pk_dump() {
  if [[ -e $PINGKEEPER_DB ]]; then
    sqlite3 "$PINGKEEPER_DB" .dump 2>&1
  else
    echo "(no database file)"
  fi
}

db_snapshot() {
  _pk_dump >"$PK_TMP/snapshot.sql"
}

expect_db_unchanged() {
  _pk_dump >"$PK_TMP/now.sql"
  if cmp -s "$PK_TMP/snapshot.sql" "$PK_TMP/now.sql"; then
    _pk_pass "database unchanged: $PK_CMD"
  else
    _pk_fail "database unchanged" "the same .dump as before the command" \
      "changed: $(diff "$PK_TMP/snapshot.sql" "$PK_TMP/now.sql" | head -n 8 | tr '\n' ' ')"
  fi
}

# db_query SQL: prints the result of a read-only query on the database.
db_query() {
  sqlite3 "$PINGKEEPER_DB" "$1" 2>&1
}

# expect_rejected CODE TEXT ARGS...: the command fails with exit CODE, one
# "pingkeeper: error: " message containing TEXT, nothing on stdout, and the
# database unchanged.
expect_rejected() {
  local code=$1 text=$2
  shift 2
  db_snapshot
  run_pk "$@"
  expect_code "$code"
  expect_stderr_contains "pingkeeper: error: "
  expect_stderr_contains "$text"
  expect_stdout_empty
  expect_db_unchanged
}

# check_icmp NOTE: can this process send ICMP echo? Sets ICMP_OK to 1 or 0.
# Under CI or as root it must (a failure otherwise); without it a suite falls
# back to TCP targets on a loopback port, and NOTE says so.
check_icmp() {
  ICMP_OK=1
  run_pk ping -c 1 127.0.0.1
  if [[ $PK_CODE == 4 ]]; then
    if [[ ${CI:-} == true || $(id -u) == 0 ]]; then
      _pk_fail "ICMP allowed" "exit 0 (root or CI)" "exit 4: $PK_ERR"
    fi
    echo "note: ICMP is not allowed for this user; $1"
    ICMP_OK=0
  fi
}

# --- end ---------------------------------------------------------------------

finish() {
  if ((PK_PASSED + PK_FAILED == 0)); then
    echo "no checks ran" >&2
    PK_FAILED=1
  fi
  echo "$PK_PASSED passed, $PK_FAILED failed"
  if ((PK_FAILED > 0)); then exit 1; fi
  exit 0
}

# Two loopback TCP ports held for at most 90 s by a Python helper: OPEN
# listens (the kernel completes handshakes), CLOSED is bound but never
# listens (connects are refused).
start_ports() {
  local portfile="$PK_TMP/ports"
  "$PK_PYTHON" - "$portfile" >/dev/null 2>&1 <<'PY' &
import os, socket, sys, time
o = socket.socket(); o.bind(("127.0.0.1", 0)); o.listen(64)
c = socket.socket(); c.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (o.getsockname()[1], c.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.monotonic() + 90
o.settimeout(0.5)
while time.monotonic() < end:
    try:
        s, _ = o.accept(); s.close()
    except socket.timeout:
        pass
PY
  PK_HELPERS+=("$!")
  for _ in $(seq 100); do
    [[ -s $portfile ]] && break
    sleep 0.05
  done
  read -r OPEN CLOSED <"$portfile" || { echo "cannot open loopback TCP ports" >&2; exit 1; }
}
