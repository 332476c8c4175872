"""Checks of the native API (/api/v1) for tests/serve/v1.bash, with urllib.

python3 v1_checks.py CHECK ARGS...: each check prints one line that the suite
compares with what it expects (SERVE_URL in the environment)."""
import json, os, sys, urllib.error, urllib.request

URL = os.environ["SERVE_URL"]


def call(method, path, body=None, headers=None):
    """(status, headers, body bytes) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def same_json(cli_file, path):
    """The API's JSON equals the CLI's --json output in cli_file (parsed)."""
    status, _, body = call("GET", path)
    with open(cli_file, encoding="utf-8") as f:
        cli = json.load(f)
    api = json.loads(body)
    if status != 200:
        return "status %d: %s" % (status, body.decode()[:300])
    return "same" if cli == api else "differ: cli %s api %s" % (json.dumps(cli)[:400], json.dumps(api)[:400])


def series_as_cli(cli_file, path):
    """series: the API's data/data_source equal the CLI's points/source."""
    status, _, body = call("GET", path)
    api = json.loads(body)
    with open(cli_file, encoding="utf-8") as f:
        cli = json.load(f)
    ok = (status == 200 and api["data"] == cli["points"] and api["data_source"] == cli["source"]
          and api["points_returned"] == len(cli["points"]) and api["bucket_ms"] == cli["bucket_ms"])
    return "same %d" % api["points_returned"] if ok else "differ: %s" % body.decode()[:400]


def pages(path, limit):
    """Follows next_cursor through every page: pages, samples, first and last time, all distinct and ordered."""
    times, count, cursor = [], 0, None
    for _ in range(1000):  # bounded
        status, _, body = call("GET", path + "&limit=%d" % limit + ("&cursor=" + cursor if cursor else ""))
        if status != 200:
            return "status %d" % status
        page = json.loads(body)
        count += 1
        times += [s["time"] for s in page["samples"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ordered = all(a < b for a, b in zip(times, times[1:]))
    return "%d pages %d samples %s %s ordered=%s" % (count, len(times), times[0], times[-1], ordered)


def xlsx_summary(path, out):
    """Downloads a workbook and reads it back: sheets, and the Summary row of each target (target, sent)."""
    import openpyxl
    status, headers, body = call("GET", path)
    if status != 200:
        return "status %d: %s" % (status, body[:300])
    with open(out, "wb") as f:
        f.write(body)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Summary"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Target")
    sent = rows[head].index("Sent")
    found = ["%s=%s" % (r[0], r[sent]) for r in rows[head + 1:] if r and r[0]]
    return "%s | %s | %s" % (headers["Content-Type"], ",".join(wb.sheetnames), " ".join(found))


def openapi_routes():
    """Every (method, path) of /api/openapi.json answers something other than 404/405 (names filled in)."""
    status, _, body = call("GET", "/api/openapi.json")
    doc = json.loads(body)
    bad, n = [], 0
    for path, ops in doc["paths"].items():
        for method in ops:
            n += 1
            concrete = path.replace("{t}", "nosuch").replace("{j}", "nosuch")
            got, _, text = call(method.upper(), concrete, {} if method in ("post", "patch") else None)
            # An unknown name answers 404 with a detail naming it, never the router's bare 404.
            if got == 405 or (got == 404 and b"Not Found" in text):
                bad.append("%s %s -> %d" % (method, path, got))
    return "%d routes, %s" % (n, "all routed" if not bad else "; ".join(bad))


def main():
    check, args = sys.argv[1], sys.argv[2:]
    fn = {"same_json": same_json, "series_as_cli": series_as_cli, "xlsx_summary": xlsx_summary,
          "openapi_routes": openapi_routes}.get(check)
    if check == "pages":
        print(pages(args[0], int(args[1])))
    else:
        print(fn(*args))


main()
