"""The seed 000 surface of a running `pingkeeper serve`, with urllib only.

Usage: seed_checks.py BASE_URL TOKEN
BASE_URL is http://HOST:PORT; the server collects from a target named
127.0.0.1 every 200 ms and was started with a bearer token TOKEN (mutating
requests need it). Every endpoint and its error paths; exits 1 on the first
failed check.
"""

import json
import sys
import time
import urllib.error
import urllib.request

BASE, TOKEN = sys.argv[1], sys.argv[2]


def request(method, path, body=None, token=True):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)
    print("ok:", what)


def get(path, status=200):
    code, body = request("GET", path, token=False)
    check(code == status, f"GET {path} -> {code} (want {status}): {body}")
    return body


def invalid(method, path, name, body=None):
    code, answer = request(method, path, body)
    check(code == 422 and name in answer["detail"], f"{method} {path} -> 422 naming {name}: {code} {answer}")


root = get("/api")
check(root["status"] == "running" and root["monitoring_active"] is True, "root: running, monitoring")
check(root["endpoints"]["websocket"] == "/api/ws/ping-status", "root: websocket endpoint")
health = get("/api/health")
check(health["status"] == "healthy" and health["database"] == "connected", "health: healthy, connected")
check(health["ping_monitoring"] == "active" and health["target_hosts_count"] == 1, "health: monitoring 1 host")
check(health["ping_interval_seconds"] == 0.2, "health: ping_interval_seconds 0.2")
check(isinstance(health["websocket_clients"], int), "health: websocket_clients")

deadline = time.monotonic() + 20
while get("/api/ping-metrics/count")["count"] < 5 and time.monotonic() < deadline:
    time.sleep(0.2)
count = get("/api/ping-metrics/count")["count"]
check(count >= 5, f"count grows as the collector probes: {count}")

rows = get("/api/ping-metrics/?hours=1&host=127.0.0.1&limit=3&offset=1")
check(len(rows) == 3, "list: limit 3")
check(rows[0]["timestamp"] >= rows[1]["timestamp"] >= rows[2]["timestamp"], "list: newest first")
fields = ["id", "timestamp", "target_host", "response_time_ms", "packet_loss", "error_message", "created_at"]
check(list(rows[0]) == fields, f"list: the PingMetricResponse fields {list(rows[0])}")
check(rows[0]["target_host"] == "127.0.0.1" and rows[0]["packet_loss"] is False, "list: loopback answers")
check(all(0 < r["id"] < 2**53 for r in rows), "list: ids exact in a JavaScript number")
check(get(f"/api/ping-metrics/{rows[0]['id']}") == rows[0], "get by id returns the listed metric")
check(get("/api/ping-metrics?host=nobody") == [], "list: unknown host is empty")
for query, name in [("hours=0", "hours"), ("hours=169", "hours"), ("limit=0", "limit"), ("limit=10001", "limit"),
                    ("limit=abc", "limit"), ("offset=-1", "offset")]:
    invalid("GET", "/api/ping-metrics?" + query, name)

latest = get("/api/ping-metrics/latest")
check(list(latest) == ["127.0.0.1"], "latest: one host")
check(get(f"/api/ping-metrics/{latest['127.0.0.1']['id']}") == latest["127.0.0.1"], "latest: id fetches it")
get("/api/ping-metrics/1", 404)
invalid("GET", "/api/ping-metrics/abc", "metric_id")

live = get("/api/ping-metrics/live")
check(live["monitoring_active"] is True and "127.0.0.1" in live["results"], "live: 127.0.0.1")
check(list(live["results"]["127.0.0.1"]) == ["host", "response_time_ms", "packet_loss", "timestamp", "error_message"],
      "live: result fields")

stats = get("/api/ping-metrics/statistics?minutes=5")
check(stats["total_pings"] >= 5 and stats["packet_loss_rate"] == 0 and stats["uptime_percentage"] == 100,
      f"statistics: no loss on loopback {stats}")
check(stats["min_response_time"] <= stats["median_response_time"] <= stats["max_response_time"], "statistics: order")
check(stats["minutes_analyzed"] == 5, "statistics: minutes_analyzed")
check(get("/api/ping-metrics/statistics?host=127.0.0.1")["hours_analyzed"] == 24, "statistics: 24 h by default")
for query, name in [("hours=0", "hours"), ("minutes=10081", "minutes"), ("minutes=x", "minutes")]:
    invalid("GET", "/api/ping-metrics/statistics?" + query, name)

hosts = get("/api/ping-metrics/hosts")
# seed.bash added and removed 127.0.0.3 before: the collector may have probed it meanwhile.
check(hosts["database_hosts"] in (["127.0.0.1"], ["127.0.0.1", "127.0.0.3"]), f"hosts: with data {hosts}")
check(hosts["active_monitoring_hosts"] == ["127.0.0.1"] and hosts["monitoring_active"] is True, f"hosts: {hosts}")
summary = get("/api/ping-metrics/hosts/127.0.0.1/summary?hours=1")
check(summary["host"] == "127.0.0.1" and summary["minutes_analyzed"] == 60, "summary: host, minutes")
check(summary["total_pings"] >= 5 and summary["packet_losses"] == 0, "summary: pings without loss")
check(summary["first_ping"] <= summary["last_ping"], "summary: first and last ping")
check("detail" in get("/api/ping-metrics/hosts/nobody/summary", 404), "summary: unknown host 404")
invalid("GET", "/api/ping-metrics/hosts/127.0.0.1/summary?hours=200", "hours")
down = get("/api/ping-metrics/hosts/127.0.0.1/downtime?min_duration=5")
check(down["total_downtime_events"] == 0 and down["downtime_periods"] == [], "downtime: none on loopback")
check(down["min_duration_seconds"] == 5 and down["hours_analyzed"] == 24, "downtime: parameters echoed")
get("/api/ping-metrics/hosts/nobody/downtime", 404)
invalid("GET", "/api/ping-metrics/hosts/127.0.0.1/downtime?min_duration=0", "min_duration")
check(get("/api/ping-metrics/count?host=nobody") == {"count": 0}, "count: unknown host")
check(get("/api/ping-metrics/count?host=127.0.0.1&hours=1")["count"] >= 5, "count: host and hours")
invalid("GET", "/api/ping-metrics/count?hours=zero", "hours")

# Writes.
code, _ = request("POST", "/api/ping-metrics", {"target_host": "example.com", "response_time_ms": 25.5}, token=False)
check(code in (401, 403), f"POST without a token refused: {code}")
code, created = request("POST", "/api/ping-metrics/", {"target_host": "example.com", "response_time_ms": 25.5,
                                                        "packet_loss": False, "error_message": None})
check(code == 200 and created["message"] == "Ping metric created successfully", f"POST: created {created}")
check(created["metric"] == {"target_host": "example.com", "response_time_ms": 25.5, "packet_loss": False,
                            "error_message": None}, "POST: metric echoed")
fetched = get(f"/api/ping-metrics/{created['id']}")
check(fetched["target_host"] == "example.com" and fetched["response_time_ms"] == 25.5, "POST then GET by id")
check("example.com" not in get("/api/ping-metrics/hosts")["active_monitoring_hosts"], "POST: new host not probed")
invalid("POST", "/api/ping-metrics", "JSON", b"{oops")
invalid("POST", "/api/ping-metrics", "target_host", {"response_time_ms": 1})
invalid("POST", "/api/ping-metrics", "packet_loss", {"target_host": "example.com", "response_time_ms": 1,
                                                      "packet_loss": "no"})

code, added = request("POST", "/api/ping-metrics/hosts/127.0.0.2/add")
check(code == 200 and added["message"] == "Host 127.0.0.2 added to monitoring", f"add: {added}")
check(added["current_hosts"] == ["127.0.0.1", "127.0.0.2"], "add: current hosts")
deadline = time.monotonic() + 20
while get("/api/ping-metrics/count?host=127.0.0.2")["count"] == 0 and time.monotonic() < deadline:
    time.sleep(0.2)
check(get("/api/ping-metrics/count?host=127.0.0.2")["count"] > 0, "add: the collector probes the new host")
code, removed = request("DELETE", "/api/ping-metrics/hosts/127.0.0.2")
check(code == 200 and removed["current_hosts"] == ["127.0.0.1"], f"remove: {removed}")
check(get("/api/ping-metrics/count?host=127.0.0.2")["count"] > 0, "remove: data kept")
code, again = request("POST", "/api/ping-metrics/hosts/127.0.0.2/add")
check(code == 200 and again["current_hosts"] == ["127.0.0.1", "127.0.0.2"], "add again: resumed")
request("DELETE", "/api/ping-metrics/hosts/127.0.0.2")
code, _ = request("DELETE", "/api/ping-metrics/hosts/nobody")
check(code == 404, "remove: unknown host 404")
invalid("POST", "/api/ping-metrics/hosts/bad_host!/add", "bad_host!")

status = get("/api/ping-metrics/monitoring/status")
check(status["monitoring_active"] is True and status["target_hosts"] == ["127.0.0.1"], f"status: {status}")
check(status["ping_interval_seconds"] == 0.2 and status["latest_results_count"] >= 1, "status: interval, results")
code, stopped = request("POST", "/api/ping-metrics/monitoring/stop")
check(code == 200 and stopped == {"message": "Ping monitoring stopped", "status": "inactive"}, f"stop: {stopped}")
check(get("/api/ping-metrics/monitoring/status")["monitoring_active"] is False, "stop: inactive")
check(get("/api/health")["ping_monitoring"] == "inactive", "health: inactive")
code, started = request("POST", "/api/ping-metrics/monitoring/start")
check(code == 200 and started == {"message": "Ping monitoring started", "status": "active"}, f"start: {started}")
check(get("/api/ping-metrics/monitoring/status")["monitoring_active"] is True, "start: active")

code, cleaned = request("DELETE", "/api/ping-metrics/cleanup?days=1")
check(code == 200 and cleaned == {"message": "Cleanup completed", "deleted_records": 0, "cutoff_days": 1},
      f"cleanup: nothing old {cleaned}")
invalid("DELETE", "/api/ping-metrics/cleanup?days=0", "days")
invalid("DELETE", "/api/ping-metrics/cleanup?days=366", "days")
print("seed checks passed")
