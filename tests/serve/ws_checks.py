"""WebSocket checks for tests/serve/core.bash, one per subcommand.

Each connects to $SERVE_URL's /api/ws/ping-status with Debian's
python3-websockets, prints one line per fact it observed ("got TYPE ...") and
exits 1 with a message on the first surprise. Every wait is bounded.
"""
import asyncio
import json
import os
import socket
import sys
import time

import websockets

URL = os.environ["SERVE_URL"].replace("http", "ws", 1) + "/api/ws/ping-status"


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


async def recv_json(ws, timeout=5.0):
    text = await asyncio.wait_for(ws.recv(), timeout)
    return json.loads(text)


async def recv_type(ws, wanted, timeout=10.0):
    """The next message of type `wanted`, skipping live traffic; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            fail(f"no {wanted} within {timeout} s")
        message = await recv_json(ws, left)
        if message.get("type") == wanted:
            return message


async def protocol():
    async with websockets.connect(URL) as ws:
        first = await recv_json(ws)
        if first.get("type") != "connection_established" or not str(first.get("connection_id", "")).startswith("conn_"):
            fail(f"first message: {first}")
        print("got connection_established", first["connection_id"], first["message"])
        second = await recv_json(ws)
        if second.get("type") != "initial_data" or not isinstance(second.get("results"), dict):
            fail(f"second message: {second}")
        print("got initial_data", sorted(second["results"]))
        result = await recv_type(ws, "ping_result")
        r = result["result"]
        print("got ping_result", sorted(r), r["host"], r["packet_loss"], type(r["response_time_ms"]).__name__)
        # Invalid messages: an error each, and the connection stays open.
        for bad in ["not json", "[1,2]", '{"no":"type"}', '{"type":"bogus"}', '{"type":"subscribe_host"}',
                    '{"type":"get_host_summary","host":"x","hours":999}']:
            await ws.send(bad)
            error = await recv_type(ws, "error")
            print("got error for", bad, "->", error["message"])
        await ws.send(b"\x00\x01binary")
        error = await recv_type(ws, "error")
        print("got error for binary ->", error["message"])
        await ws.send(json.dumps({"type": "ping"}))
        print("got", (await recv_type(ws, "pong"))["type"])
        await ws.send(json.dumps({"type": "get_status"}))
        status = await recv_type(ws, "status_response")
        print("got status_response", status["monitoring_active"], status["target_hosts"], status["websocket_clients"])
        await ws.send(json.dumps({"type": "subscribe_host", "host": "nosuchhost"}))
        print("got error for unknown host ->", (await recv_type(ws, "error"))["message"])
        await ws.send(json.dumps({"type": "subscribe_host", "host": "lo2", "since": "2000-01-01T00:00:00Z"}))
        sub = await recv_type(ws, "subscribed")
        print("got subscribed", sub["host"], sub["targets"], sub["all_hosts"], "backfill>0", sub["backfill"] > 0)
        backfilled = 0
        hosts = set()
        for _ in range(sub["backfill"] + 20):
            m = await recv_type(ws, "ping_result")
            hosts.add(m["result"]["host"])
            if m.get("backfill"):
                backfilled += 1
            elif backfilled:
                break
        print("got backfill", backfilled == sub["backfill"], "hosts after subscribe", sorted(hosts))
        await ws.send(json.dumps({"type": "unsubscribe_host", "host": "lo2"}))
        unsub = await recv_type(ws, "unsubscribed")
        print("got unsubscribed", unsub["all_hosts"])
        hosts = set()
        for _ in range(30):
            hosts.add((await recv_type(ws, "ping_result"))["result"]["host"])
            if len(hosts) > 1:
                break
        print("hosts after unsubscribe", sorted(hosts))
        await ws.send(json.dumps({"type": "get_latest_metrics"}))
        print("got latest_metrics", type((await recv_type(ws, "latest_metrics"))["data"]).__name__)
        update = await recv_type(ws, "status_update", timeout=15)
        print("got status_update", sorted(update))


async def going_away():
    """Connects, says so on stdout, and reports the close code the server sends."""
    async with websockets.connect(URL) as ws:
        await recv_json(ws)
        print("connected", flush=True)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 30)
        except websockets.ConnectionClosed as closed:
            print("closed", closed.code)


async def cap():
    """With --max-clients 2: two connect, the third is refused with 503."""
    async with websockets.connect(URL) as a, websockets.connect(URL) as b:
        await recv_json(a)
        await recv_json(b)
        try:
            async with websockets.connect(URL) as c:
                await recv_json(c)
                fail("a third client was accepted")
        except websockets.InvalidStatusCode as refused:
            print("third refused", refused.status_code)
    async with websockets.connect(URL) as again:
        print("after they left:", (await recv_json(again))["type"])


async def live(count):
    """Waits for `count` ping_result messages (30 s at most) and prints their hosts."""
    async with websockets.connect(URL) as ws:
        hosts = []
        while len(hosts) < count:
            hosts.append((await recv_type(ws, "ping_result", timeout=30))["result"]["host"])
        print("live results", len(hosts), sorted(set(hosts)))


def malformed_frames():
    """Raw TCP: a valid handshake, then frames that break RFC 6455."""
    cases = {
        "unmasked client frame": b"\x81\x05hello",
        "reserved opcode": b"\x83\x80\x00\x00\x00\x00",
        "oversized length": b"\x81\xff" + (2**62).to_bytes(8, "big") + b"\x00\x00\x00\x00",
        "invalid utf-8 text": b"\x81\x82\x00\x00\x00\x00\xc3\x28",
    }
    for name, frame in cases.items():
        s, data = raw_connect()
        with s:
            s.sendall(frame)
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                fail(f"{name}: the server kept the connection open")
            # The last frame the server sent is a close frame (opcode 8) with a code.
            at = data.rfind(b"\x88")
            code = int.from_bytes(data[at + 2:at + 4], "big") if at >= 0 and len(data) >= at + 4 else None
            print(f"{name}: closed with {code}")


def raw_connect():
    """A raw TCP WebSocket client: handshake done, the socket and what came after the 101 head."""
    host, port = os.environ["SERVE_URL"].split("//", 1)[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(b"GET /api/ws/ping-status HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            fail("no handshake answer")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        fail(f"handshake answered {head[:40]!r}")
    return s, rest


def client_frame(first, payload, key=b"\x01\x02\x03\x04"):
    """A masked client frame (payload < 126 bytes)."""
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([first, 0x80 | len(payload)]) + key + masked


class FrameStream:
    """Server frames from a raw socket, parsed as they come."""

    def __init__(self, sock, rest):
        self.sock, self.data = sock, rest

    def next(self):
        while True:
            if len(self.data) >= 2:
                length, at = self.data[1] & 0x7F, 2
                if length == 126 and len(self.data) >= 4:
                    length, at = int.from_bytes(self.data[2:4], "big"), 4
                elif length == 127 and len(self.data) >= 10:
                    length, at = int.from_bytes(self.data[2:10], "big"), 10
                if length < 126 or at > 2:
                    if self.data[1] & 0x80:
                        fail("the server masked a frame")
                    if len(self.data) >= at + length:
                        opcode, payload = self.data[0] & 0x0F, self.data[at:at + length]
                        self.data = self.data[at + length:]
                        return opcode, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                return None, b""
            self.data += chunk

    def until(self, wanted):
        """The next frame for which wanted(opcode, payload) holds (live traffic skipped); fails after 10 s."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            opcode, payload = self.next()
            if opcode is None:
                fail("the connection ended")
            if wanted(opcode, payload):
                return opcode, payload
        fail("no such frame within 10 s")


def framing():
    """Raw frames: a fragmented message with a ping between its fragments, then a close handshake."""
    s, rest = raw_connect()
    frames = FrameStream(s, rest)
    _, first = frames.until(lambda op, p: op == 1)
    print("first message", json.loads(first)["type"])
    s.sendall(client_frame(0x01, b'{"type":') + client_frame(0x89, b"hi") + client_frame(0x80, b'"ping"}'))
    _, pong = frames.until(lambda op, p: op == 0xA)
    print("pong frame", pong)
    _, reply = frames.until(lambda op, p: op == 1 and json.loads(p)["type"] in ("pong", "error"))
    print("reply to the fragmented message", json.loads(reply)["type"])
    s.sendall(client_frame(0x88, (4000).to_bytes(2, "big") + b"bye"))
    opcode, payload = frames.until(lambda op, p: op == 8)
    print("close answered with", int.from_bytes(payload[:2], "big"))
    s.settimeout(5)
    try:
        end = s.recv(1)
    except socket.timeout:
        fail("the server kept the connection open after the close handshake")
    print("then the connection ended", end == b"")
    # Our socket is still open: the server closed its end first (RFC 6455 7.1.1).
    import urllib.request
    active = None
    for _ in range(40):
        with urllib.request.urlopen(os.environ["SERVE_URL"] + "/api/ws/connections", timeout=5) as r:
            active = json.load(r)["active_connections"]
        if active == 0:
            break
        time.sleep(0.05)
    print("the server closed first: active connections", active)
    s.close()


def slow():
    """Raw TCP, a tiny receive buffer: sends many pings and reads nothing, so
    the pongs pile up in the server's queue. Prints how the connection ended."""
    host, port = os.environ["SERVE_URL"].split("//", 1)[1].split(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, int(port)))
    s.sendall(b"GET /api/ws/ping-status HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    payload = b'{"type":"ping"}'
    frame = b"\x81" + bytes([0x80 | len(payload)]) + b"\x00\x00\x00\x00" + payload  # mask key 0: payload as is
    try:
        s.sendall(frame * 20000)
    except OSError as e:
        print("send stopped:", e.__class__.__name__)
    print("sent pings", flush=True)
    time.sleep(1)
    # Now read: the stream ends (close frame or reset) instead of holding 20000 pongs.
    total = 0
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            total += len(chunk)
    except OSError as e:
        print("read ended:", e.__class__.__name__)
    print("ended, read fewer than all pongs:", total < 20000 * 40)


if __name__ == "__main__":
    what = sys.argv[1]
    if what in ("malformed_frames", "slow", "framing"):
        globals()[what]()
    elif what == "live":
        asyncio.run(live(int(sys.argv[2])))
    else:
        asyncio.run(globals()[what]())
