#!/usr/bin/env bash
# End-to-end: pingkeeper export --format xlsx. The workbook is read back with
# Debian's python3-openpyxl and checked against the database and the other
# commands: sheet names and order, every Samples row against the stored
# samples (target, time as a real date cell in the display zone, RTT,
# status, TTL), the Summary against `stats --json`, the Downtime sheet
# against `downtime --json`, the Hourly and Daily sheets against
# `stats --by`, the native charts, a job export (only its windows), a 1h
# resolution (bucket rows), an empty range, a workbook past 1,048,575 rows
# ("Samples 2") and a conversion by LibreOffice headless.
# No probes are sent: `demo` targets are paused .invalid hosts.
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$(dirname "$0")/lib.bash" "$1"

PY=/usr/bin/python3  # Debian's, with python3-openpyxl
if ! "$PY" -c 'import openpyxl' 2>/dev/null; then
  echo "export_xlsx: /usr/bin/python3 with openpyxl is required (apt-get install python3-openpyxl)" >&2
  exit 1
fi

# The checks: one Python program, a subcommand per check; each prints one
# line that the suite compares with what it expects.
cat >"$PK_TMP/check.py" <<'EOF'
import datetime, json, sqlite3, sys, zipfile, zoneinfo
import openpyxl

STATUS = ["ok", "timeout", "unreachable", "ttl_exceeded", "refused", "resolve_error", "send_error"]
MS = datetime.timedelta(milliseconds=1)

def book(path, read_only=True):
    return openpyxl.load_workbook(path, read_only=read_only)

def local(us, zone):
    """The wall time of an instant (µs) in zone, naive, as a date cell holds it."""
    t = datetime.datetime.fromtimestamp(us // 10**6, zone) + datetime.timedelta(microseconds=us % 10**6)
    return t.replace(tzinfo=None)

def utc_iso(text, zone):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.astimezone(zone).replace(tzinfo=None)

def data_rows(wb, prefix):
    """The data rows of the sheets named prefix, prefix 2, ... in order."""
    for name in wb.sheetnames:
        if name == prefix or name.startswith(prefix + " "):
            rows = wb[name].iter_rows(values_only=True)
            next(rows)
            yield from rows

def close(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol

def samples(path, db, since, until, zone, names, hours):
    """Every Samples row against the stored samples of the named targets in
    [since, until) (only those whose local hour is in hours, "A-B", for a job)."""
    zone = zoneinfo.ZoneInfo(zone)
    names = names.split(",")
    lo, hi = (int(h) for h in hours.split("-")) if hours != "-" else (0, 24)
    want = []
    for name in names:
        for tid, ts, rtt, status, ttl in sqlite3.connect(db).execute(
                "SELECT s.target_id, s.ts, s.rtt_us, s.status, s.ttl FROM samples s JOIN targets t ON t.id = s.target_id "
                "WHERE t.name = ? AND s.ts >= ? AND s.ts < ? ORDER BY s.ts", (name, int(since), int(until))):
            t = local(ts, zone)
            if lo <= t.hour < hi:
                want.append((name, t, rtt, STATUS[status], ttl))
    wb = book(path)
    n = 0
    for got, w in zip(data_rows(wb, "Samples"), want):
        name, t, rtt, status, ttl = w
        ok = (got[0] == name and isinstance(got[2], datetime.datetime) and abs(got[2] - t) <= MS
              and (got[3] is None if rtt is None else close(got[3], rtt / 1000, 1e-9))
              and got[4] == status and got[5] == ttl)
        if not ok:
            return "row %d: got %r, want %r" % (n + 2, got, w)
        n += 1
    got_rows = sum(1 for _ in data_rows(wb, "Samples"))
    if got_rows != len(want):
        return "%d rows, want %d" % (got_rows, len(want))
    return "%d rows match" % n

def date_cells(path, sheet, col):
    """Are the cells of a column below the header all date cells?"""
    ws = book(path)[sheet]
    cells = [row[int(col)] for row in ws.iter_rows(min_row=2, max_row=50)]
    return "dates" if cells and all(c.is_date for c in cells) else "not dates: %r" % cells[:3]

def summary(path, stats_json, zone):
    """The Summary table against `stats --json` (same order and numbers)."""
    zone = zoneinfo.ZoneInfo(zone)
    stats = json.load(open(stats_json))
    ws = book(path)["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "Target"))
    table = rows[header + 1:]
    if len(table) != len(stats):
        return "%d rows, want %d" % (len(table), len(stats))
    fields = [("sent", 2, 0), ("received", 3, 0), ("loss_pct", 4, 1e-4), ("min_ms", 5, 1e-9),
              ("avg_ms", 6, 1e-9), ("median_ms", 7, 1e-9), ("p95_ms", 8, 1e-9), ("p99_ms", 9, 1e-9),
              ("max_ms", 10, 1e-9), ("stddev_ms", 11, 1e-9), ("jitter_ms", 12, 1e-9),
              ("uptime_pct", 13, 1e-4), ("availability_pct", 14, 1e-4), ("mos", 15, 0.005)]
    bad = []
    for got, s in zip(table, stats):
        if (got[0], got[1]) != (s["target"], s["host"]):
            bad.append("target %r" % (got[:2],))
        for key, col, tol in fields:
            if not (got[col] == s[key] if tol == 0 else close(got[col], s[key], tol)):
                bad.append("%s %s: got %r, want %r" % (s["target"], key, got[col], s[key]))
    return "; ".join(bad) if bad else "%d targets match" % len(stats)

def title(path, label):
    for row in book(path)["Summary"].iter_rows(max_row=9, values_only=True):
        if row[0] == label:
            return str(row[1])
    return "no %s" % label

def first_last(path, db, since, until, zone, what):
    """The Summary's last two columns against the stored samples: the first
    and last sample (what = sample, raw exports) or answer (what = answer)."""
    zone = zoneinfo.ZoneInfo(zone)
    rows = list(book(path)["Summary"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Target")
    names = ("First " + what, "Last " + what)
    if rows[header][16:18] != names:
        return "header %r, want %r" % (rows[header][16:18], names)
    answered = " AND status IN (0, 4)" if what == "answer" else ""
    for r in rows[header + 1:]:
        first, last = sqlite3.connect(db).execute(
            "SELECT min(ts), max(ts) FROM samples s JOIN targets t ON t.id = s.target_id "
            "WHERE t.name = ? AND ts >= ? AND ts < ?" + answered, (r[0], int(since), int(until))).fetchone()
        if abs(r[16] - local(first, zone)) > MS or abs(r[17] - local(last, zone)) > MS:
            return "%s: got %r %r" % (r[0], r[16], r[17])
    return "match"

def note(path):
    """The Charts sheet's note (A1), if any."""
    return repr(book(path)["Charts"]["A1"].value)

def downtime(path, zone, *jsons):
    """The Downtime sheet against `downtime --json` of each target."""
    zone = zoneinfo.ZoneInfo(zone)
    want = []
    for f in jsons:
        d = json.load(open(f))
        for p in d["periods"]:
            want.append((d["target"], utc_iso(p["start"], zone), utc_iso(p["end"], zone),
                         p["duration_ms"], p["probes"], p["ongoing"]))
    got = list(data_rows(book(path), "Downtime"))
    if len(got) != len(want):
        return "%d rows, want %d: %r" % (len(got), len(want), got[:3])
    for g, w in zip(got, want):
        if (g[0] != w[0] or abs(g[2] - w[1]) > MS or abs(g[3] - w[2]) > MS or abs(g[4] * 1000 - w[3]) > 1
                or g[5] != w[4] or g[6] != w[5]):
            return "got %r, want %r" % (g, w)
    return "%d periods match" % len(want)

def hourly(path, zone, by_json):
    """The Hourly sheet against `stats --by 1h --source rollup --json` (hours with samples)."""
    zone = zoneinfo.ZoneInfo(zone)
    want = [s for s in json.load(open(by_json)) if s["sent"] > 0]
    got = list(data_rows(book(path), "Hourly"))
    if len(got) != len(want):
        return "%d rows, want %d" % (len(got), len(want))
    for g, s in zip(got, want):
        hour = utc_iso(s["from"], zone).replace(minute=0, second=0, microsecond=0)
        if (g[0] != s["target"] or abs(g[2] - hour) > MS or g[3] != s["sent"] or g[4] != s["received"]
                or not close(g[5], s["loss_pct"], 1e-4) or not close(g[7], s["avg_ms"], 1e-9)
                or not close(g[8], s["p95_ms"], 1e-9)):
            return "got %r, want %r" % (g, s)
    return "%d hours match" % len(want)

def daily(path, zone, by_json):
    """The Daily sheet against `stats --by 1d --source rollup --json`: loss % per day and target."""
    zone = zoneinfo.ZoneInfo(zone)
    stats = json.load(open(by_json))
    rows = list(book(path)["Daily"].iter_rows(values_only=True))
    targets = [h[:-len(" loss %")] for h in rows[0][1:]]
    days = {r[0].date(): r[1:] for r in rows[1:]}
    n = 0
    for s in stats:
        day = utc_iso(s["from"], zone).date()
        cell = days.get(day, [None] * len(targets))[targets.index(s["target"])]
        if (cell is None) != (s["sent"] == 0) or (cell is not None and not close(cell, s["loss_pct"], 1e-4)):
            return "%s %s: got %r, want %r" % (s["target"], day, cell, s["loss_pct"])
        n += cell is not None
    return "%d days match" % n

def charts(path):
    """Chart parts in the zip, and the charts openpyxl finds on the Charts sheet."""
    parts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
    return "%d parts, %d on Charts" % (len(parts), len(book(path, read_only=False)["Charts"]._charts))

def chart_kinds(path):
    """Each chart's kind, and for scatter charts (hourly latency on a time
    axis) the x axis number format."""
    out = []
    for c in book(path, read_only=False)["Charts"]._charts:
        kind = type(c).__name__
        if kind == "ScatterChart":
            kind += "(" + c.x_axis.number_format.formatCode + ")"
        out.append(kind)
    return " ".join(out)

def layout(path):
    """What makes the sheets readable: frozen header, autofilter, conditional
    formats, print setup of Summary; frozen header and autofilter of the rest."""
    wb = book(path, read_only=False)
    summary = wb["Summary"]
    rules = sorted("%s:%s" % (r.type, ",".join(str(f) for f in (r.formula or [])))
                   for cf in summary.conditional_formatting for r in cf.rules)
    fit = summary.sheet_properties.pageSetUpPr
    out = ["Summary freeze=%s filter=%s cf=%s print=%s,fit=%s,%sx%s" % (
        summary.freeze_panes, summary.auto_filter.ref, rules, summary.page_setup.orientation,
        fit is not None and fit.fitToPage, summary.page_setup.fitToWidth or 1, summary.page_setup.fitToHeight)]
    for name in ("Samples", "Downtime", "Hourly"):
        ws = wb[name]
        out.append("%s freeze=%s filter=%s" % (name, ws.freeze_panes, bool(ws.auto_filter.ref)))
    return "; ".join(out)

def buckets(path, db, since, until):
    """A 1h export: a row per target and UTC hour with samples, whose Sent
    column adds up to the stored samples."""
    rows = list(data_rows(book(path), "Samples"))
    hours, count = sqlite3.connect(db).execute(
        "SELECT count(DISTINCT target_id || ':' || (ts / 3600000000)), count(*) FROM samples "
        "WHERE ts >= ? AND ts < ?", (int(since), int(until))).fetchone()
    if len(rows) != hours:
        return "%d rows, want %d" % (len(rows), hours)
    return "a row per hour, %d sent of %d" % (sum(r[3] for r in rows), count)

def props(path):
    """The document properties."""
    p = book(path).properties
    return repr([p.title, p.creator, p.subject, p.description, p.created is not None])

def sheets(path):
    return repr(book(path).sheetnames)

def max_rows(path):
    """Each sheet's rows as the workbook's dimensions give them (cheap)."""
    return repr([(ws.title, ws.max_row) for ws in book(path).worksheets if ws.title.startswith("Samples")])

print(globals()[sys.argv[1]](*sys.argv[2:]))
EOF
check() { "$PY" "$PK_TMP/check.py" "$@" 2>&1 | tail -n 1; }

# iso_us ISO: the instant in µs since the epoch.
iso_us() { "$PY" -c 'import datetime, sys; print(int(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp() * 10**6))' "$1"; }

SHEETS="['Summary', 'Charts', 'Samples', 'Downtime', 'Hourly', 'Daily']"
ZONE=Europe/Berlin

# ---------------------------------------------------------------------------
section "two targets, a day at 1 s"
run_pk --json demo --targets 2 --days 1 --interval 1s
expect_code 0
SINCE=$(json_value 'd["since"]')
UNTIL=$(json_value 'd["until"]')
SINCE_US=$(iso_us "$SINCE")
UNTIL_US=$(iso_us "$UNTIL")
RANGE=(--since "$SINCE" --until "$UNTIL")
SAMPLES=$(db_query "SELECT count(*) FROM samples WHERE ts >= $SINCE_US AND ts < $UNTIL_US")
expect_eq "demo samples in the range" 172800 "$SAMPLES"

run_pk --tz "$ZONE" export "${RANGE[@]}" --format xlsx -o day.xlsx
expect_code 0
expect_eq "the workbook is a zip" "PK" "$(head -c 2 day.xlsx)"
expect_eq "sheet names and order" "$SHEETS" "$(check sheets day.xlsx)"
expect_eq "every sample row equals the stored sample" "172800 rows match" \
  "$(check samples day.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US" "$ZONE" demo-01,demo-02 -)"
expect_eq "Samples times are date cells" "dates" "$(check date_cells day.xlsx Samples 2)"
expect_eq "title block: zone" "$ZONE" "$(check title day.xlsx 'Time zone')"
SUBJECT=$("$PY" -c '
import datetime, sys, zoneinfo
z = zoneinfo.ZoneInfo(sys.argv[3])
f = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(z).strftime("%Y-%m-%d %H:%M:%S %Z")
print("%s to %s (%s)" % (f(sys.argv[1]), f(sys.argv[2]), sys.argv[3]))' "$SINCE" "$UNTIL" "$ZONE")
expect_eq "document properties" \
  "['pingkeeper latency report', 'pingkeeper', '$SUBJECT', 'Targets: demo-01, demo-02.', True]" \
  "$(check props day.xlsx)"
expect_eq "title block: no job" "all samples (no job)" "$(check title day.xlsx Job)"
expect_eq "title block: raw samples" "raw samples" "$(check title day.xlsx 'Samples sheet')"
expect_eq "Summary first and last sample" "match" \
  "$(check first_last day.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US" "$ZONE" sample)"

run_pk --tz "$ZONE" --json stats "${RANGE[@]}"
expect_code 0
cp "$PK_TMP/stdout" stats.json
expect_eq "Summary equals stats --json" "2 targets match" "$(check summary day.xlsx stats.json "$ZONE")"

for t in demo-01 demo-02; do
  run_pk --json downtime "$t" "${RANGE[@]}"
  expect_code 0
  cp "$PK_TMP/stdout" "down-$t.json"
done
PERIODS=$("$PY" -c 'import json, sys; print(sum(len(json.load(open(f))["periods"]) for f in sys.argv[1:]))' \
  down-demo-01.json down-demo-02.json)
expect_eq "the demo has downtime" 1 "$((PERIODS > 0 ? 1 : 0))"
expect_eq "Downtime equals downtime --json" "$PERIODS periods match" \
  "$(check downtime day.xlsx "$ZONE" down-demo-01.json down-demo-02.json)"

run_pk --tz "$ZONE" --json stats "${RANGE[@]}" --by 1h --source rollup
expect_code 0
cp "$PK_TMP/stdout" hourly.json
HOURS=$("$PY" -c 'import json, sys; print(sum(s["sent"] > 0 for s in json.load(open(sys.argv[1]))))' hourly.json)
expect_eq "Hourly equals stats --by 1h" "$HOURS hours match" "$(check hourly day.xlsx "$ZONE" hourly.json)"
expect_eq "Hourly times are date cells" "dates" "$(check date_cells day.xlsx Hourly 2)"
run_pk --tz "$ZONE" --json stats "${RANGE[@]}" --by 1d --source rollup
expect_code 0
cp "$PK_TMP/stdout" daily.json
DAYS=$("$PY" -c 'import json, sys; print(sum(s["sent"] > 0 for s in json.load(open(sys.argv[1]))))' daily.json)
expect_eq "Daily equals stats --by 1d" "$DAYS days match" "$(check daily day.xlsx "$ZONE" daily.json)"
expect_eq "charts: a daily loss chart and one per target" "3 parts, 3 on Charts" "$(check charts day.xlsx)"
expect_eq "charts: no note for two targets" "None" "$(check note day.xlsx)"
expect_eq "charts: daily loss columns, hourly latency on a time axis" \
  "BarChart ScatterChart(mm-dd hh:mm) ScatterChart(mm-dd hh:mm)" "$(check chart_kinds day.xlsx)"

# ---------------------------------------------------------------------------
section "a job: only the samples inside its windows"
run_pk job add biz --targets demo-01 --window 'daily 09:00-12:00' --tz "$ZONE" --start -3d
expect_code 0
run_pk --tz "$ZONE" export --job biz "${RANGE[@]}" --format xlsx -o job.xlsx
expect_code 0
expect_eq "job: sheets" "$SHEETS" "$(check sheets job.xlsx)"
expect_eq "job: title block" "biz: only the samples inside its windows are counted" "$(check title job.xlsx Job)"
expect_eq "job: the comments property" "Targets: demo-01. Job biz: only the samples inside its windows." \
  "$("$PY" -c 'import openpyxl, sys; print(openpyxl.load_workbook(sys.argv[1], read_only=True).properties.description)' job.xlsx)"
JOB_ROWS=$(check samples job.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US" "$ZONE" demo-01 9-12)
expect_eq "job: the rows are demo-01's samples from 09:00 to 12:00" "10800 rows match" "$JOB_ROWS"
run_pk --tz "$ZONE" --json stats --job biz "${RANGE[@]}"
expect_code 0
cp "$PK_TMP/stdout" job-stats.json
expect_eq "job: Summary equals stats --job --json" "1 targets match" "$(check summary job.xlsx job-stats.json "$ZONE")"

# ---------------------------------------------------------------------------
section "resolution 1h: one row per bucket"
run_pk --tz "$ZONE" export "${RANGE[@]}" --format xlsx --resolution 1h -o hour.xlsx
expect_code 0
expect_eq "1h: sheets" "$SHEETS" "$(check sheets hour.xlsx)"
expect_eq "1h: title block" "1h buckets" "$(check title hour.xlsx 'Samples sheet')"
expect_eq "1h: bucket rows hold every sample" "a row per hour, $SAMPLES sent of $SAMPLES" \
  "$(check buckets hour.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US")"
expect_eq "1h: bucket times are date cells" "dates" "$(check date_cells hour.xlsx Samples 2)"
# Summary: header frozen below the title block (and the target column),
# autofilter over the table, loss >= 1 / >= 5 % and a p95 colour scale,
# landscape one page wide; the other sheets: frozen header and autofilter.
expect_eq "layout" 1 "$(check layout hour.xlsx | grep -c -E "^Summary freeze=B11 filter=A10:R12 cf=\['cellIs:1', 'cellIs:5', 'colorScale:'\] print=landscape,fit=True,1x0; Samples freeze=B2 filter=True; Downtime freeze=B2 filter=True; Hourly freeze=B2 filter=True$")"
expect_eq "1h: Summary first and last answer" "match" \
  "$(check first_last hour.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US" "$ZONE" answer)"

# ---------------------------------------------------------------------------
section "to stdout when it is not a terminal"
"$PK_BIN" --tz "$ZONE" export "${RANGE[@]}" --format xlsx --resolution 1h >stdout.xlsx 2>"$PK_TMP/stderr"
expect_eq "stdout export: exit code" 0 "$?"
expect_eq "stdout export: sheets" "$SHEETS" "$(check sheets stdout.xlsx)"
expect_eq "stdout export: the same rows" "a row per hour, $SAMPLES sent of $SAMPLES" \
  "$(check buckets stdout.xlsx "$PINGKEEPER_DB" "$SINCE_US" "$UNTIL_US")"

# ---------------------------------------------------------------------------
section "an empty range: a valid workbook with headers and no rows"
run_pk export --since 2020-01-01T00:00:00Z --until 2020-01-02T00:00:00Z --format xlsx -o empty.xlsx
expect_code 0
expect_eq "empty: sheets" "$SHEETS" "$(check sheets empty.xlsx)"
expect_eq "empty: no sample rows" "[('Samples', 1)]" "$(check max_rows empty.xlsx)"
expect_eq "empty: no charts" "0 parts, 0 on Charts" "$(check charts empty.xlsx)"
expect_eq "empty: the Charts sheet says why" "'No samples in the range: nothing to chart.'" "$(check note empty.xlsx)"

# ---------------------------------------------------------------------------
section "LibreOffice opens a workbook"
if command -v soffice >/dev/null; then
  timeout -k 5 120 soffice --headless "-env:UserInstallation=file://$PK_TMP/lo" --convert-to pdf \
    --outdir "$PK_TMP/work/pdf" hour.xlsx >"$PK_TMP/soffice.log" 2>&1
  expect_eq "soffice exit code" 0 "$?"
  expect_eq "soffice wrote the pdf" "yes" "$([[ -s pdf/hour.pdf ]] && echo yes || echo no)"
else
  _pk_fail "LibreOffice is installed" "soffice on PATH (libreoffice-calc-nogui)" "not found"
fi

# ---------------------------------------------------------------------------
section "more targets than charts: the first 20 are charted, a note says so"
export PINGKEEPER_DB="$PK_TMP/many.db"
run_pk --json demo --targets 21 --days 1 --interval 10m
expect_code 0
run_pk export --since "$(json_value 'd["since"]')" --until "$(json_value 'd["until"]')" --format xlsx -o many.xlsx
expect_code 0
expect_eq "many: a daily loss chart and 20 hourly charts" "21 parts, 21 on Charts" "$(check charts many.xlsx)"
expect_eq "many: the note" "'Charts show the first 20 of 21 targets; the Hourly and Daily sheets list every target.'" \
  "$(check note many.xlsx)"

# ---------------------------------------------------------------------------
section "past 1,048,575 rows the samples continue on \"Samples 2\""
export PINGKEEPER_DB="$PK_TMP/big.db"
run_pk --json demo --targets 13 --days 1 --interval 1s
expect_code 0
BIG_SINCE=$(json_value 'd["since"]')
BIG_UNTIL=$(json_value 'd["until"]')
run_pk export --since "$BIG_SINCE" --until "$BIG_UNTIL" --format xlsx --resolution raw -o big.xlsx
expect_code 0
expect_eq "big: sheets" "['Summary', 'Charts', 'Samples', 'Samples 2', 'Downtime', 'Hourly', 'Daily']" \
  "$(check sheets big.xlsx)"
# 13 x 86,400 = 1,123,200 samples: a full sheet (header + 1,048,575) and 74,625 more.
expect_eq "big: rows per Samples sheet" "[('Samples', 1048576), ('Samples 2', 74626)]" "$(check max_rows big.xlsx)"

section "an interrupted export leaves nothing behind"
# The same export takes seconds; SIGINT after one second stops it wherever it
# is (reading, writing or compressing): exit 1, no file, no temporary file.
mkdir stopped
PK_CMD="timeout --preserve-status -s INT 1 pingkeeper export ... -o stopped/big.xlsx"
timeout --preserve-status -s INT 1 "$PK_BIN" export --since "$BIG_SINCE" --until "$BIG_UNTIL" --format xlsx --resolution raw \
  -o stopped/big.xlsx >"$PK_TMP/stdout" 2>"$PK_TMP/stderr"
PK_CODE=$?
PK_OUT=$(<"$PK_TMP/stdout")
PK_ERR=$(<"$PK_TMP/stderr")
expect_code 1
expect_stderr_contains "pingkeeper: error: export interrupted"
expect_eq "interrupted: the directory is empty" "" "$(ls -A stopped)"

finish
