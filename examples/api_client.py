#!/usr/bin/python3
"""A pingkeeper serve client: the REST API and the live WebSocket feed.

Lists the monitored hosts, prints each host's latest result and the last
hour's statistics, then subscribes to one host over the WebSocket and prints
its ping_result messages, until --count results arrived or --seconds passed.

Needs only Debian's python3 and python3-websockets (apt-get install
python3-websockets); HTTP goes through the standard library's urllib.

    pingkeeper serve &                  # listens on 127.0.0.1:8080
    ./api_client.py --count 5           # the first host, five results
    ./api_client.py --url http://127.0.0.1:8080 --host lo --seconds 30
"""

import argparse
import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request

import websockets


def get_json(base, path, **params):
    """GET base + /api + path with query parameters; the decoded JSON body."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    url = f"{base}/api{path}" + (f"?{query}" if query else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def rtt_text(result):
    """'0.042 ms', or 'lost (reason)' for a probe without an answer."""
    if result.get("packet_loss"):
        reason = result.get("error_message")
        return f"lost ({reason})" if reason else "lost"
    return f"{result['response_time_ms']:.3f} ms"


def show_rest(base, host_filter):
    """Prints hosts, latest results and statistics; returns the host list."""
    hosts = get_json(base, "/ping-metrics/hosts")
    monitored = hosts["active_monitoring_hosts"]
    print(f"hosts: {', '.join(monitored) if monitored else '(none)'}")
    print(f"monitoring active: {str(hosts['monitoring_active']).lower()}")

    for host, result in sorted(get_json(base, "/ping-metrics/latest").items()):
        print(f"latest {host}: {rtt_text(result)} at {result['timestamp']}")

    stats = get_json(base, "/ping-metrics/statistics", minutes=60, host=host_filter)
    print(
        "statistics (last 60 min{}): {} pings, avg {} ms, p95 {} ms, loss {} %".format(
            f", {host_filter}" if host_filter else "",
            stats["total_pings"],
            stats["avg_response_time"],
            stats["p95_response_time"],
            stats["packet_loss_rate"],
        )
    )
    return monitored


async def follow(ws_url, host, count, seconds):
    """Subscribes to `host` and prints its ping_result messages; returns how
    many were printed."""
    printed = 0
    deadline = time.monotonic() + seconds
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "subscribe_host", "host": host}))
        while printed < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=left))
            except asyncio.TimeoutError:
                break
            kind = message.get("type")
            if kind == "connection_established":
                print(f"connected: {message['connection_id']}")
            elif kind == "initial_data":
                print(f"initial data: {len(message['results'])} hosts")
            elif kind == "ping":  # the server's heartbeat
                await ws.send(json.dumps({"type": "pong"}))
            elif kind == "ping_result" and message["result"]["host"] == host:
                result = message["result"]
                print(f"ping_result {result['host']} {rtt_text(result)} at {result['timestamp']}")
                printed += 1
            elif kind == "error":
                print(f"server error: {message.get('message')}", file=sys.stderr)
    return printed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the server (default %(default)s)")
    parser.add_argument("--host", help="the host to follow (default: the first one listed)")
    parser.add_argument("--count", type=int, default=10, help="stop after this many results (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=30, help="stop after this long (default %(default)s)")
    args = parser.parse_args()

    base = args.url.rstrip("/")
    monitored = show_rest(base, args.host)
    host = args.host or (monitored[0] if monitored else None)
    if host is None:
        print("no host to follow: add a target first (pingkeeper target add ...)", file=sys.stderr)
        return 1
    ws_url = base.replace("http", "ws", 1) + "/api/ws/ping-status"
    print(f"following {host} (at most {args.count} results, {args.seconds:g} s)")
    printed = asyncio.run(follow(ws_url, host, args.count, args.seconds))
    print(f"received {printed} ping_result messages for {host}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
