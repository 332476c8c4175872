# Assertion helpers shared by the end-to-end suites (tests/cli/lib.bash and
# tests/net/lib.bash source this file). A check passes or fails with a message
# naming the command, what was expected and what came; the suite's `finish`
# prints the closing line "N passed, M failed".
#
# The caller sets PK_CMD, PK_CODE, PK_OUT and PK_ERR (its run helpers do).

PK_PASSED=0
PK_FAILED=0

section() { echo "== $*"; }

# _pk_isolate DIR: run the suite inside DIR: its own HOME, XDG_DATA_HOME and
# database, UTC, a C locale, no config, and no terminal to read by accident.
_pk_isolate() {
  mkdir -p "$1/home" "$1/xdg" "$1/work"
  export HOME="$1/home"
  export XDG_DATA_HOME="$1/xdg"
  export PINGKEEPER_DB="$1/pk.db"
  export TZ=UTC
  export LC_ALL=C.UTF-8
  unset PINGKEEPER_CONFIG
  cd "$1/work" || exit 2
  exec </dev/null
}

_pk_pass() {
  PK_PASSED=$((PK_PASSED + 1))
  if [[ ${PK_VERBOSE:-0} == 1 ]]; then echo "ok: $1"; fi
}

# _pk_fail CHECK EXPECTED GOT
_pk_fail() {
  PK_FAILED=$((PK_FAILED + 1))
  {
    echo "FAIL: $1"
    echo "  command:  $PK_CMD"
    echo "  expected: $2"
    echo "  got:      $3"
  } >&2
}

_pk_quote() {
  local out="" a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then out+=" $a"; else out+=" $(printf '%q' "$a")"; fi
  done
  printf '%s' "${out# }"
}

_pk_short() {
  local s=$1
  if ((${#s} > 800)); then s="${s:0:800}... (${#1} chars)"; fi
  printf '%s' "$s"
}

expect_code() {
  if [[ $PK_CODE == "$1" ]]; then
    _pk_pass "exit code $1: $PK_CMD"
  else
    _pk_fail "exit code" "$1" "$PK_CODE (stdout: $(_pk_short "$PK_OUT") stderr: $(_pk_short "$PK_ERR"))"
  fi
}

expect_stdout_contains() {
  if [[ $PK_OUT == *"$1"* ]]; then
    _pk_pass "stdout contains '$1': $PK_CMD"
  else
    _pk_fail "stdout contains text" "'$1'" "stdout: $(_pk_short "$PK_OUT") stderr: $(_pk_short "$PK_ERR")"
  fi
}

expect_stdout_not_contains() {
  if [[ $PK_OUT != *"$1"* ]]; then
    _pk_pass "stdout lacks '$1': $PK_CMD"
  else
    _pk_fail "stdout does not contain text" "no '$1'" "stdout: $(_pk_short "$PK_OUT")"
  fi
}

expect_stderr_contains() {
  if [[ $PK_ERR == *"$1"* ]]; then
    _pk_pass "stderr contains '$1': $PK_CMD"
  else
    _pk_fail "stderr contains text" "'$1'" "stderr: $(_pk_short "$PK_ERR")"
  fi
}

expect_stdout_matches() {
  if grep -Eq -- "$1" "$PK_TMP/stdout"; then
    _pk_pass "stdout matches /$1/: $PK_CMD"
  else
    _pk_fail "stdout matches regex" "/$1/" "stdout: $(_pk_short "$PK_OUT") stderr: $(_pk_short "$PK_ERR")"
  fi
}

expect_eq() {
  if [[ $3 == "$2" ]]; then
    _pk_pass "$1"
  else
    _pk_fail "$1" "$(_pk_short "$2")" "$(_pk_short "$3")"
  fi
}
