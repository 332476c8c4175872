#!/usr/bin/env bash
# Fuzzes every target of a PK_BUILD_FUZZ build with AFL++ (make fuzz), one
# after the other, each for a set time starting from its corpus, then prints
# executions, crashes and hangs per target. Exits 1 when any target crashed.
#
#   tests/fuzz/run_afl.sh <build-dir> [seconds-per-target]
#
# Findings (a fresh directory per run): <build-dir>/findings/<name>/default/
# {crashes,hangs,queue}, AFL++'s output in <build-dir>/findings/<name>.log.
set -euo pipefail

build=${1:?usage: run_afl.sh <build-dir> [seconds-per-target]}
seconds=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: install the Debian package afl++" >&2; exit 2; }

# Unattended runs on a shared machine: no curses UI, no CPU governor or
# core_pattern tuning required (crashes are still recorded), no pinning to a
# core another job may be using.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1

findings=$build/findings
mkdir -p "$findings"
failed=0
summary=()
for corpus in "$here"/corpus/*/; do
  name=$(basename "$corpus")
  binary=$build/tests/fuzz/fuzz_$name
  [[ -x $binary ]] || { echo "missing $binary: build the target pk_fuzz_all first" >&2; exit 2; }
  out=$findings/$name
  rm -rf "$out"
  echo "fuzzing $name for ${seconds}s"
  status=0
  afl-fuzz -V "$seconds" -i "$corpus" -o "$out" -- "$binary" >"$out.log" 2>&1 || status=$?
  stats=$out/default/fuzzer_stats
  if [[ ! -f $stats ]]; then
    # AFL++ stops before fuzzing when a seed input crashes or hangs.
    summary+=("$(printf '%-14s afl-fuzz failed (exit %d), see %s' "$name" "$status" "$out.log")")
    failed=1
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(field saved_crashes)
  hangs=$(field saved_hangs)
  summary+=("$(printf '%-14s execs %10s  %7s/s  paths %5s  crashes %3s  hangs %3s' \
    "$name" "$(field execs_done)" "$(field execs_per_sec)" "$(field corpus_count)" "$crashes" "$hangs")")
  if ((${crashes:-0} > 0)); then failed=1; fi
done

echo
echo "AFL++ summary (${seconds}s per target, findings in $findings):"
printf '%s\n' "${summary[@]}"
if ((failed)); then
  echo "crashes found: see $findings/<name>/default/crashes; docs/testing.md says what to do with them" >&2
  exit 1
fi
