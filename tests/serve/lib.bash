# Helpers for the server suites in tests/serve/. Not a suite itself
# (tests/CMakeLists.txt skips lib.bash). A suite starts with
#
#   source "$(dirname "$0")/lib.bash" "$1"
#
# where $1 is the built pingkeeper binary, and ends with `finish`.
#
# The suite runs in a network namespace of its own (unshare --net: only a
# loopback interface, no route anywhere), so the server, its clients and its
# probes reach nothing but 127.0.0.0/8 and ::1 (TESTING.md's safety rule).
# Root is needed; without it the suite skips (exit 77), under CI=true it fails.
# Everything else is tests/cli/lib.bash: a private temp folder with the
# database, run_pk, expect_*, json_value, db_query, finish.
#
#   serve_start ARGS...   pingkeeper --json serve --listen 127.0.0.1:0 ARGS in the
#                         background; waits (bounded) until it listens; sets
#                         SERVE_PID, SERVE_URL (http://127.0.0.1:PORT), SERVE_LOG
#   serve_stop [SIGNAL]   signal (TERM) and wait (bounded); sets SERVE_EXIT
#   http METHOD PATH [CURL ARGS...]  one request with curl: sets PK_CODE (the
#                         HTTP status), PK_OUT (the body), PK_HEADERS, PK_CMD;
#                         expect_code / expect_json / expect_stdout_* then apply
#   py SCRIPT ARGS...     /usr/bin/python3 (Debian's, with websockets and
#                         aiohttp) running SCRIPT with SERVE_URL in the
#                         environment: sets PK_OUT, PK_ERR, PK_CODE (its exit code)
#   expect_header TEXT    the last response's headers contain TEXT (case-insensitive)

if [[ -z ${PK_SERVE_NETNS:-} ]]; then
  if [[ $(id -u) != 0 ]] || ! command -v unshare >/dev/null; then
    if [[ ${CI:-} == true ]]; then
      echo "FAIL: $(basename "$0") needs root to make its network namespace (under CI=true it must run)" >&2
      echo "0 passed, 1 failed"
      exit 1
    fi
    echo "SKIP: $(basename "$0") needs root (unshare --net) for its own network namespace"
    exit 77
  fi
  PK_SERVE_NETNS=1 exec unshare --net -- bash "$0" "$@"
fi
ip link set lo up || { echo "lib.bash: cannot bring up lo in the namespace" >&2; exit 2; }

# shellcheck source=../cli/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.bash" "$1"

PK_SYS_PYTHON=/usr/bin/python3
for _pk_tool in curl "$PK_SYS_PYTHON"; do
  command -v "$_pk_tool" >/dev/null || { echo "lib.bash: $_pk_tool is required (scripts/install-deps.sh)" >&2; exit 2; }
done

SERVE_PID=""
SERVE_URL=""
SERVE_LOG="$PK_TMP/serve"
SERVE_EXIT=""
PK_HEADERS=""

serve_start() {
  : >"$SERVE_LOG.out"
  "$PK_BIN" --json serve --listen 127.0.0.1:0 "$@" >"$SERVE_LOG.out" 2>"$SERVE_LOG.err" &
  SERVE_PID=$!
  PK_HELPERS+=("$SERVE_PID")
  local i
  SERVE_URL=""
  for ((i = 0; i < 100; i++)); do
    if [[ -s $SERVE_LOG.out ]]; then
      SERVE_URL=$("$PK_PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["url"])' <"$SERVE_LOG.out" 2>/dev/null)
      [[ -n $SERVE_URL ]] && return 0
    fi
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  _pk_fail "serve started" "a URL on stdout" "nothing after 10 s; stderr: $(<"$SERVE_LOG.err")"
  return 1
}

serve_stop() {
  local sig=${1:-TERM} i
  [[ -n $SERVE_PID ]] || return 0
  kill -"$sig" "$SERVE_PID" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVE_PID" 2>/dev/null; then
    _pk_fail "serve stopped on SIG$sig" "exit within 10 s" "still running"
    if command -v gdb >/dev/null; then
      gdb -p "$SERVE_PID" -batch -ex "thread apply all bt 12" 2>/dev/null | grep -E '^(#|Thread)' >&2
    fi
    kill -KILL "$SERVE_PID" 2>/dev/null
  fi
  wait "$SERVE_PID" 2>/dev/null
  SERVE_EXIT=$?
  SERVE_PID=""
}

http() {
  local method=$1 path=$2
  shift 2
  PK_CMD="curl -X $method $path $(_pk_quote "$@")"
  PK_CODE=$(curl -s -m 20 -X "$method" -o "$PK_TMP/stdout" -D "$PK_TMP/headers" -w '%{http_code}' "$@" \
    "$SERVE_URL$path" 2>"$PK_TMP/stderr")
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
  PK_HEADERS=$(<"$PK_TMP/headers")
}

py() {
  local script=$1
  shift
  PK_CMD="python3 $(basename "$script") $(_pk_quote "$@")"
  SERVE_URL=$SERVE_URL timeout -k 5 60 "$PK_SYS_PYTHON" "$script" "$@" >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
  PK_CODE=$?
  PK_OUT=$(<"$PK_TMP/stdout")
  PK_ERR=$(<"$PK_TMP/stderr")
}

expect_header() {
  if grep -qiF -- "$1" <<<"$PK_HEADERS"; then
    _pk_pass "header $1: $PK_CMD"
  else
    _pk_fail "response header contains $1" "$1" "$(_pk_short "$PK_HEADERS")"
  fi
}
