#!/usr/bin/env bash
# End-to-end: pingkeeper demo: paused targets with synthetic history ending
# now, the summary, --json (outages) and --csv, -q, determinism by --seed,
# progress only on a terminal, and every usage error (exit 2, the database
# unchanged, or not even created).
# Safety rule (TESTING.md): demo targets are paused and named *.invalid;
# nothing in this suite sends a packet.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

# runs_of_losses TARGET MIN_S: the runs of consecutive lost samples of TARGET
# lasting at least MIN_S seconds (first lost ts to the next answer's ts), as
# a Python list of (start_us, end_us, probes), straight from the database.
runs_of_losses() {
  db_query "SELECT s.ts, s.rtt_us IS NULL FROM samples s JOIN targets t ON t.id = s.target_id
            WHERE t.name = '$1' ORDER BY s.ts" >"$PK_TMP/rows"
  "$PK_PYTHON" - "$PK_TMP/rows" "$2" <<'EOF'
import sys
runs, start, n = [], None, 0
for line in open(sys.argv[1]):
    ts, lost = map(int, line.strip().split("|"))
    if lost:
        if start is None:
            start, n = ts, 0
        n += 1
    elif start is not None:
        if ts - start >= int(sys.argv[2]) * 1000000:
            runs.append((start, ts, n))
        start = None
print(runs)
EOF
}

# outages_of EXPR: the list EXPR of the last --json output (objects with
# start, end and probes) as the same (start_us, end_us, probes) list.
outages_of() {
  json_value "[(int(__import__('datetime').datetime.fromisoformat(o['start'].replace('Z', '+00:00')).timestamp() * 1e6 + 0.5), int(__import__('datetime').datetime.fromisoformat(o['end'].replace('Z', '+00:00')).timestamp() * 1e6 + 0.5), o['probes']) for o in $1]"
}

run_pk init -q
expect_code 0

# ---------------------------------------------------------------------------
section "a small demo: the summary"
run_pk demo --targets 2 --days 1 --interval 10s
expect_code 0
expect_stderr_empty
expect_stdout_matches '^targets: +2 \(demo-01 \.\. demo-02, paused\)$'
expect_stdout_matches '^interval: +10s$'
expect_stdout_matches '^samples: +17280$'
expect_stdout_matches '^outages: +[0-9]+$'
expect_stdout_matches '^rollups: +[0-9]+ 1m rows, [0-9]+ 1h, [0-9]+ 1d$'
expect_stdout_matches '^elapsed: +[0-9]+\.[0-9] s$'
expect_stdout_matches '^TARGET +BASE_RTT_MS +SAMPLES +OUTAGES$'
expect_stdout_matches '^demo-01 +[0-9]+\.[0-9] +8640 +[0-9]+$'
expect_eq "targets stored" "demo-01|demo-01.invalid|1|10000|synthetic demo history
demo-02|demo-02.invalid|1|10000|synthetic demo history" \
  "$(db_query 'SELECT name, host, paused, interval_ms, description FROM targets ORDER BY name')"
expect_eq "samples per target" "8640
8640" "$(db_query 'SELECT count(*) FROM samples GROUP BY target_id ORDER BY target_id')"
# The history ends now, rounded down to the interval: the newest sample is
# less than two intervals old, and on the 10 s grid.
expect_eq "newest sample within 20 s of now" "1" \
  "$(db_query "SELECT (strftime('%s', 'now') * 1000000 - max(ts)) BETWEEN 0 AND 21000000 FROM samples")"
expect_eq "samples on the 10 s grid (plus < 400 µs send jitter)" "0" \
  "$(db_query 'SELECT count(*) FROM samples WHERE ts % 10000000 >= 400')"
expect_eq "oldest sample one day before the newest" "86390" \
  "$(db_query 'SELECT (max(ts) - min(ts)) / 1000000 FROM samples WHERE target_id = 1')"
expect_eq "answers have an RTT and a TTL, losses neither" "0" \
  "$(db_query 'SELECT count(*) FROM samples WHERE (status = 0) != (rtt_us IS NOT NULL AND ttl IS NOT NULL)')"
expect_eq "only ok and timeout" "0
1" "$(db_query 'SELECT DISTINCT status FROM samples ORDER BY 1')"

section "--json: targets with their outages, as the database shows them"
run_pk --json demo --targets 1 --days 7 --interval 1s --prefix week
expect_code 0
expect_stderr_empty
expect_json 'list(d.keys())' "['since', 'until', 'interval_s', 'seed', 'samples', 'outages', 'rollup_rows', 'elapsed_s', 'targets']"
expect_json 'd["samples"]' 604800
expect_json 'd["seed"]' 1
expect_json 'd["interval_s"]' 1.0
expect_json '[t["name"] for t in d["targets"]]' "['week-01']"
expect_json '[t["host"] for t in d["targets"]]' "['week-01.invalid']"
expect_json 'd["targets"][0]["samples"]' 604800
expect_json 'd["since"].endswith("Z") and d["until"].endswith("Z")' True
expect_json 'd["outages"] == sum(len(t["outages"]) for t in d["targets"]) > 0' True
expect_json 'all(120 <= o["duration_s"] <= 481 for o in d["targets"][0]["outages"])' True
# Loss bursts never last a minute at 1 s, outages always do: the runs of
# losses of at least 60 s in the database are exactly the outages listed.
expect_eq "outages = runs of losses >= 60 s" "$(outages_of 'd["targets"][0]["outages"]')" "$(runs_of_losses week-01 60)"

section "rollups: built up to the watermark, for a second demo too (its history is all late)"
# 7 days of hours and days, less one of each when the run falls within the
# pass's 90 s settle time (plus the hour) after a boundary.
expect_json 'd["rollup_rows"]["1m"] > 10000 and d["rollup_rows"]["1h"] >= 167 and d["rollup_rows"]["1d"] >= 6' True
expect_eq "no dirty marks left" "0" "$(db_query 'SELECT count(*) FROM rollup_dirty')"
for name in demo-01 week-01; do
  expect_eq "$name: the 1m rows count every sample below the 1m watermark" \
    "$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = '$name'
                 AND s.ts < (SELECT value FROM settings WHERE key = 'rollup.watermark.1m')")" \
    "$(db_query "SELECT sum(r.sent) FROM rollup_1m r JOIN targets t ON t.id = r.target_id WHERE t.name = '$name'")"
done

section "the demo through stats, series and downtime"
WEEK_SINCE=$(json_value 'd["since"]')
week_outages=$(outages_of 'd["targets"][0]["outages"]')
run_pk --json downtime week-01 --since "$WEEK_SINCE"
expect_code 0
expect_eq "downtime lists the demo's outages" "$week_outages" "$(outages_of 'd["periods"]')"
# Over a week stats reads rollups (sketch percentiles): within 1 % of the exact ranks.
run_pk --json stats week-01 --since "$WEEK_SINCE"
expect_code 0
expect_json 'd[0]["source"] != "raw" and not d[0]["exact_percentiles"]' True
expect_json 'd[0]["sent"]' 604800
for q in 50 95 99; do
  exact=$(db_query "SELECT s.rtt_us FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'week-01'
                    AND s.rtt_us IS NOT NULL ORDER BY s.rtt_us LIMIT 1 OFFSET
                    (SELECT (count(s.rtt_us) - 1) * $q / 100 FROM samples s JOIN targets t ON t.id = s.target_id
                     WHERE t.name = 'week-01')")
  key=$([[ $q == 50 ]] && echo median_ms || echo "p${q}_ms")
  expect_json "abs(d[0][\"$key\"] * 1000 - $exact) <= 0.01 * $exact" True
done
expect_json 'd[0]["received"] == d[0]["sent"] - d[0]["lost"]' True
expect_eq "stats received = answered samples" "$(json_value 'd[0]["received"]')" \
  "$(db_query "SELECT count(s.rtt_us) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'week-01'")"
run_pk --json series week-01 --since "$WEEK_SINCE" --points 800
expect_code 0
expect_json '0 < len(d["points"]) <= 800' True

section "--csv: one row per outage"
run_pk --csv demo --targets 1 --days 7 --interval 10s --prefix csv
expect_code 0
expect_eq "CSV header" "target,start,end,duration_s,probes" "$(head -n 1 "$PK_TMP/stdout")"
expect_eq "one row per outage" "$(runs_of_losses csv-01 60 | "$PK_PYTHON" -c 'import sys; print(len(eval(sys.stdin.read())))')" \
  "$(($(wc -l <"$PK_TMP/stdout") - 1))"

section "-q: nothing on stdout"
run_pk -q demo --targets 1 --days 1 --interval 60s --prefix quiet
expect_code 0
expect_stdout_empty
expect_stderr_empty
expect_eq "quiet-01 has its samples" "1440" \
  "$(db_query "SELECT count(*) FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = 'quiet-01'")"

section "--seed: the same seed gives the same history, another seed another"
# The RTTs follow the time of day, so runs at different moments differ a
# little there; the target's profile, its losses and its outages (relative to
# the start) do not.
shape() {
  json_value '(d["targets"][0]["base_rtt_ms"], [(o["duration_s"], o["probes"]) for o in d["targets"][0]["outages"]])'
}
losses() {
  db_query "SELECT s.status, s.ttl FROM samples s JOIN targets t ON t.id = s.target_id WHERE t.name = '$1'
            ORDER BY s.ts" | md5sum
}
run_pk --json demo --targets 1 --days 7 --interval 10s --prefix same --seed 77
expect_code 0
first=$(shape)
run_pk --json demo --targets 1 --days 7 --interval 10s --prefix also --seed 77
expect_code 0
expect_eq "seed 77 twice: the same profile and outages" "$first" "$(shape)"
expect_eq "seed 77 twice: the same losses and TTLs" "$(losses same-01)" "$(losses also-01)"
run_pk --json demo --targets 1 --days 7 --interval 10s --prefix other --seed 78
expect_code 0
if [[ $(shape) == "$first" || $(losses same-01) == "$(losses other-01)" ]]; then
  _pk_fail "seed 78 differs from seed 77" "another profile and other losses" "$(shape)"
else
  _pk_pass "seed 78 differs from seed 77: $(shape | cut -c1-60)"
fi

section "progress: a line on a terminal, nothing otherwise"
# script(1) gives the command a terminal; its output is the terminal's.
script -qec "$(printf '%q ' "$PK_BIN" demo --targets 1 --days 2 --interval 1s --prefix tty) >/dev/null" \
  "$PK_TMP/typescript" >/dev/null 2>&1
expect_eq "exit 0 on a terminal" "0" "$?"
if grep -q "samples written" "$PK_TMP/typescript"; then
  _pk_pass "progress line on a terminal"
else
  _pk_fail "progress line on a terminal" "demo: ... samples written" "$(head -c 300 "$PK_TMP/typescript")"
fi
run_pk demo --targets 1 --days 2 --interval 1s --prefix notty
expect_code 0
expect_stderr_empty

# ---------------------------------------------------------------------------
section "errors: exit 2, a clear message, the database unchanged"
# A small database of its own, so that each `.dump` comparison is quick.
export PINGKEEPER_DB=$PK_TMP/errors.db
run_pk -q demo --targets 2 --days 1 --interval 1h
expect_code 0
expect_rejected 2 'target "demo-01" already exists (2 of the 2 demo names are taken): choose another --prefix' \
  demo --targets 2 --days 1 --interval 10s
expect_rejected 2 "pingkeeper target rm demo-01" demo --targets 3 --days 1 --interval 10s
expect_rejected 2 "--targets must be 1 to 10000, not 0" demo --targets 0
expect_rejected 2 "--targets must be 1 to 10000, not 10001" demo --targets 10001 --interval 1d
expect_rejected 2 "--days must be 1 to 3650, not 0" demo --days 0
expect_rejected 2 "--days must be 1 to 3650, not 3651" demo --days 3651 --targets 1 --interval 1d
expect_rejected 2 "--days must be 1 to 3650, not -2" demo --days -2
expect_rejected 2 'invalid value "1.5" for --days: expected a whole number' demo --days 1.5
expect_rejected 2 'invalid value "many" for --targets: expected a whole number' demo --targets many
expect_rejected 2 "--interval" demo --interval 500ms --prefix x
expect_rejected 2 "--interval" demo --interval 2d --prefix x
expect_rejected 2 '"1x"' demo --interval 1x --prefix x
expect_rejected 2 "the demo would write 103680000 samples, more than the 100000000 allowed" \
  demo --targets 40 --days 30 --prefix x
expect_rejected 2 'invalid --prefix "a_b"' demo --prefix a_b --days 1 --interval 1h
expect_rejected 2 'invalid --prefix ""' demo --prefix "" --days 1 --interval 1h
expect_rejected 2 'invalid value "-1" for --seed: expected a whole number from 0 to 18446744073709551615' \
  demo --seed -1
expect_rejected 2 'invalid value "1e3" for --seed' demo --seed 1e3
expect_rejected 2 'unexpected argument "extra"' demo extra

section "errors before the database exists leave no file behind"
run_pk --db "$PK_TMP/never.db" demo --targets 0
expect_code 2
if [[ -e $PK_TMP/never.db ]]; then
  _pk_fail "no database created" "no file" "$PK_TMP/never.db exists"
else
  _pk_pass "no database created for invalid options"
fi

section "a demo killed half-way can be run again"
killed_db="$PK_TMP/killed.db"
"$PK_BIN" --db "$killed_db" demo --targets 3 --days 30 --interval 1s --prefix k >/dev/null 2>&1 &
demo_pid=$!
PK_HELPERS+=("$demo_pid")
for _ in $(seq 100); do  # bounded: until some history is written
  [[ $(sqlite3 "$killed_db" "SELECT count(*) FROM samples" 2>/dev/null || echo 0) -gt 10000 ]] && break
  sleep 0.1
done
kill -KILL "$demo_pid" 2>/dev/null
wait "$demo_pid" 2>/dev/null
expect_eq "the killed demo left incomplete targets" "3" \
  "$(sqlite3 "$killed_db" "SELECT count(*) FROM targets WHERE tags LIKE '%incomplete%'" 2>/dev/null)"
run_pk --db "$killed_db" demo --targets 3 --days 1 --interval 1m --prefix k
expect_code 0
expect_eq "the re-run replaced them: complete targets, only its own history" "3|0|4320" \
  "$(sqlite3 "$killed_db" "SELECT count(*), sum(tags LIKE '%incomplete%'),
       (SELECT count(*) FROM samples) FROM targets" 2>/dev/null)"
run_pk --db "$killed_db" demo --targets 3 --days 1 --interval 1m --prefix k
expect_code 2
expect_stderr_contains 'target "k-01" already exists'

finish
