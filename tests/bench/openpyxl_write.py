"""The openpyxl peer of the XLSX export benchmark (tests/bench/export.bash).

    /usr/bin/python3 tests/bench/openpyxl_write.py DB SINCE_US UNTIL_US OUT.xlsx
    /usr/bin/python3 tests/bench/openpyxl_write.py DB SINCE_US UNTIL_US --read-only

Reads the raw samples of every target in [SINCE_US, UNTIL_US) (µs since the
epoch) from DB with Python's sqlite3, target by target (by id), oldest first:
the rows `pingkeeper --utc export --format xlsx --resolution raw` puts on its
Samples sheet. Writes them to OUT.xlsx with openpyxl in write_only mode, on
one sheet "Samples": a header row, then target name, host, time as a datetime
cell (UTC, naive: Excel has no zones), rtt in ms (None when lost), status as
text, ttl (None when unknown).

--read-only does everything but the workbook: the same query and the same
row tuples (datetime, ms, status text), which are then dropped. The
difference between the two runs is what openpyxl itself costs (both import
openpyxl).

Prints one JSON object on stdout: rows, mode, openpyxl and lxml versions.
Needs Debian's python3-openpyxl (run with /usr/bin/python3, not a pyenv one).
"""

import datetime
import json
import sqlite3
import sys

import openpyxl
from lxml import etree

# core::SampleStatus (lib/core/sample.hpp) and its to_string.
STATUS = ("ok", "timeout", "unreachable", "ttl_exceeded", "refused", "resolve_error", "send_error")
HEADER = ("target", "host", "time", "rtt_ms", "status", "ttl")
EPOCH = datetime.datetime(1970, 1, 1)
QUERY = """SELECT t.name, t.host, s.ts, s.rtt_us, s.status, s.ttl
           FROM samples AS s JOIN targets AS t ON t.id = s.target_id
           WHERE s.ts >= ? AND s.ts < ? ORDER BY s.target_id, s.ts"""


def rows(db, since_us, until_us):
    micros = datetime.timedelta(microseconds=1)
    for name, host, ts, rtt_us, status, ttl in db.execute(QUERY, (since_us, until_us)):
        yield (name, host, EPOCH + ts * micros, None if rtt_us is None else rtt_us / 1000.0, STATUS[status], ttl)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    db_path, since_us, until_us, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    count = 0
    if out == "--read-only":
        for _ in rows(db, since_us, until_us):
            count += 1
    else:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Samples")
        ws.append(HEADER)
        for row in rows(db, since_us, until_us):
            ws.append(row)
            count += 1
        wb.save(out)
    print(
        json.dumps(
            {
                "rows": count,
                "mode": "read-only" if out == "--read-only" else "write",
                "openpyxl": openpyxl.__version__,
                "lxml": ".".join(map(str, etree.LXML_VERSION)),
                "openpyxl_uses_lxml": openpyxl.xml.LXML,
            }
        )
    )


if __name__ == "__main__":
    main()
