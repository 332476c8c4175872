# Helpers shared by the benchmark scripts in tests/bench/ (not a benchmark
# itself). Sourced after tests/net/lib.bash where namespaces are needed, so
# the namespace helpers, the temp directory and the EXIT-trap teardown come
# from there.
#
#   emit NAME VALUE UNIT [KEY=VALUE...]   one JSON line on stdout:
#       {"name":NAME,"value":VALUE,"unit":UNIT,"context":{KEY:VALUE,...}}
#       (a context value that looks like a number or true/false/null stays
#       bare, anything else becomes a JSON string)
#   json_get FILE KEY                     a number from a flat JSON object
#   median V...                           median of decimal numbers
#   maximum V...                          largest of decimal numbers
#   calc EXPR                             awk arithmetic, printed with %.6g
#   log TEXT                              progress on stderr
#   measure NAME CMD...                   CMD under $RUSAGE, figures kept per NAME
#   med W|C|M NAME, list W|C|M NAME       the median / every round of those

_json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/ }
  s=${s//$'\t'/ }
  printf '"%s"' "$s"
}

_json_val() {
  if [[ $1 =~ ^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$ || $1 == true || $1 == false || $1 == null ]]; then
    printf '%s' "$1"
  else
    _json_str "$1"
  fi
}

emit() {
  local name=$1 value=$2 unit=$3 kv ctx="" sep=""
  shift 3
  for kv in "$@"; do
    # A commit hash stays a string even when its digits happen to be all numeric.
    if [[ ${kv%%=*} == commit ]]; then
      ctx+="$sep$(_json_str commit):$(_json_str "${kv#*=}")"
    else
      ctx+="$sep$(_json_str "${kv%%=*}"):$(_json_val "${kv#*=}")"
    fi
    sep=","
  done
  printf '{"name":%s,"value":%s,"unit":%s,"context":{%s}}\n' "$(_json_str "$name")" "$(_json_val "$value")" \
    "$(_json_str "$unit")" "$ctx"
}

json_get() {
  grep -Eo "\"$2\": *-?[0-9.eE+-]+" "$1" | head -n 1 | cut -d: -f2 | tr -d " "
}

median() {
  printf '%s\n' "$@" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) {print "null"; exit} if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

maximum() {
  printf '%s\n' "$@" | sort -g | tail -n 1
}

calc() {
  awk "BEGIN {printf \"%.6g\n\", $*}"
}

log() { echo "bench: $*" >&2; }

# measure NAME CMD...: runs CMD under $RUSAGE (pk_rusage; stdout to
# $TMP/NAME.out, stderr to $TMP/NAME.err) within $MEASURE_TIMEOUT seconds
# (default 900); appends its wall, CPU and peak RSS to W_NAME, C_NAME and
# M_NAME. A failed CMD ends the benchmark (exit 1).
measure() {
  local name=$1
  shift
  if ! timeout -k 5 "${MEASURE_TIMEOUT:-900}" "$RUSAGE" "$TMP/$name.json" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
    echo "${0##*/}: $* failed: $(head -c 500 "$TMP/$name.err")" >&2
    exit 1
  fi
  printf -v "W_$name" '%s' "$(eval "echo \${W_$name:-}") $(json_get "$TMP/$name.json" wall_s)"
  printf -v "C_$name" '%s' "$(eval "echo \${C_$name:-}") $(json_get "$TMP/$name.json" cpu_s)"
  printf -v "M_$name" '%s' "$(eval "echo \${M_$name:-}") $(json_get "$TMP/$name.json" maxrss_kb)"
}
# med KIND NAME: the median of W_, C_ or M_NAME; list KIND NAME: all of them.
med() { eval "median \${$1_$2}"; }
list() { eval "echo \${$1_$2# }"; }
