#!/usr/bin/env python3
"""Pipelined MULTI/EXEC driver of bench/run (python3 standard library only).

redis-benchmark 7.0 sends one command (repeated, optionally pipelined) per run; it cannot send a
MULTI ... EXEC sequence. This driver does, in the same shape as redis-benchmark: CLIENTS
connections in one single-threaded process (selectors, non-blocking sockets), each sending a
pipeline of PIPELINE commands, waiting for all their replies, then sending the next, until
REQUESTS commands have been answered. A pipeline is PIPELINE/4 transactions of

    MULTI / SET key:tx:<client> <3-byte value> / GET key:tx:<client> / EXEC

whose replies are known byte for byte (+OK +QUEUED +QUEUED *2 +OK $3 value), so a pipeline is
complete when that many bytes have arrived and correct when they are equal (anything else is
counted as an error and ends the run). Latency = one pipeline's round trip (send to last reply
byte), as redis-benchmark reports for -P. With --auth USER PASS every connection sends AUTH
first (before the clock starts, as redis-benchmark does before its first request); with --ca the
connection is TLS (1.3, certificate verified, handshake before the clock starts).

Prints one JSON line: requests (commands answered), seconds, rps (commands per second), latency
percentiles in ms, errors and the first error. Not meant to be run by hand, but it can be:

  python3 bench/scripts/tx_driver.py --port 6379 --clients 50 --pipeline 16 --requests 200000
"""

import argparse
import json
import selectors
import socket
import ssl
import statistics
import sys
import time

TX_COMMANDS = 4  # MULTI, SET, GET, EXEC
VALUE = b"txv"


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def tx_payload(client, transactions):
    key = f"key:tx:{client}"
    one = resp("MULTI") + resp("SET", key, VALUE) + resp("GET", key) + resp("EXEC")
    reply = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$%d\r\n%s\r\n" % (len(VALUE), VALUE)
    return one * transactions, reply * transactions


def read_exact(sock, n, timeout):
    sock.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} reply bytes: {buf[:80]!r}")
        buf += chunk
    return buf


class Conn:
    __slots__ = ("sock", "payload", "expect", "buf", "sent_at", "out")

    def __init__(self, sock, payload, expect):
        self.sock, self.payload, self.expect = sock, payload, expect
        self.buf = bytearray()
        self.sent_at = 0.0
        self.out = b""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pipeline", type=int, default=16, help="commands per pipeline, a multiple of 4")
    ap.add_argument("--requests", type=int, default=100000, help="commands in total (rounded up to pipelines)")
    ap.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    ap.add_argument("--ca", help="connect with TLS 1.3, verifying the server against this CA file")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds without progress before giving up")
    a = ap.parse_args(argv)
    if a.pipeline < TX_COMMANDS or a.pipeline % TX_COMMANDS:
        ap.error("--pipeline must be a positive multiple of 4")
    txs = a.pipeline // TX_COMMANDS
    batches_left = -(-a.requests // a.pipeline)
    result = {"requests": 0, "seconds": 0.0, "rps": 0.0, "errors": 0, "first_error": ""}
    ctx = None
    if a.ca:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(a.ca)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    conns = []
    try:
        # Connect (and handshake, and AUTH) every client before the clock starts.
        for i in range(a.clients):
            raw = socket.create_connection((a.host, a.port), timeout=a.timeout)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s = ctx.wrap_socket(raw, server_hostname=a.host) if ctx else raw
            if a.auth:
                s.sendall(resp("AUTH", a.auth[0], a.auth[1]))
                r = read_exact(s, 5, a.timeout)
                if r != b"+OK\r\n":
                    raise ConnectionError(f"AUTH got {r!r}")
            s.setblocking(False)
            payload, expect = tx_payload(i, txs)
            conns.append(Conn(s, payload, expect))
    except (OSError, ssl.SSLError, ConnectionError) as e:
        result.update(errors=1, first_error=f"setup: {e}"[:300])
        print(json.dumps(result))
        return 1

    sel = selectors.DefaultSelector()
    lat = []
    done = 0
    inflight = 0
    t0 = time.perf_counter()

    def send(c):
        nonlocal batches_left, inflight
        batches_left -= 1
        inflight += 1
        c.buf.clear()
        c.sent_at = time.perf_counter()
        c.out = c.payload
        flush(c)

    def flush(c):
        while c.out:
            try:
                n = c.sock.send(c.out)
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
                return
            c.out = c.out[n:]
        sel.modify(c.sock, selectors.EVENT_READ, c)

    error = None
    for c in conns:
        sel.register(c.sock, selectors.EVENT_READ, c)
    for c in conns:
        if batches_left > 0:
            send(c)
    last_progress = time.perf_counter()
    try:
        while inflight and error is None:
            events = sel.select(timeout=1.0)
            now = time.perf_counter()
            if not events and now - last_progress > a.timeout:
                error = f"no reply for {a.timeout:.0f}s ({inflight} pipelines in flight)"
                break
            for key, mask in events:
                c = key.data
                if mask & selectors.EVENT_WRITE and c.out:
                    flush(c)
                if not mask & selectors.EVENT_READ:
                    continue
                while True:
                    try:
                        chunk = c.sock.recv(65536)
                    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        break
                    if not chunk:
                        error = f"connection closed by the server (got {bytes(c.buf[:80])!r})"
                        break
                    c.buf += chunk
                    if len(c.buf) >= len(c.expect):
                        break
                if error:
                    break
                if len(c.buf) >= len(c.expect):
                    now = time.perf_counter()
                    if c.buf != c.expect:
                        error = f"unexpected reply: {bytes(c.buf[:120])!r}"
                        break
                    lat.append(now - c.sent_at)
                    inflight -= 1
                    done += 1
                    last_progress = now
                    if batches_left > 0:
                        send(c)
    except (OSError, ssl.SSLError) as e:
        error = f"{type(e).__name__}: {e}"
    elapsed = time.perf_counter() - t0
    for c in conns:
        try:
            c.sock.close()
        except OSError:
            pass
    reqs = done * a.pipeline
    result.update(requests=reqs, seconds=round(elapsed, 4), rps=round(reqs / elapsed, 2) if elapsed > 0 else 0.0)
    if lat:
        ms = sorted(x * 1000 for x in lat)
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        result.update(avg_latency_ms=round(statistics.fmean(ms), 3), min_latency_ms=round(ms[0], 3),
                      p50_latency_ms=round(statistics.median(ms), 3), p95_latency_ms=round(q[94], 3),
                      p99_latency_ms=round(q[98], 3), max_latency_ms=round(ms[-1], 3))
    if error:
        result.update(errors=1, first_error=error[:300])
    print(json.dumps(result))
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
