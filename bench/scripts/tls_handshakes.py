#!/usr/bin/env python3
"""One worker of the TLS connection-rate test of bench/run (python3 standard library only).

Opens new TLS connections to 127.0.0.1:PORT in a loop, one at a time, from START_AT (epoch
seconds) until START_AT + SECONDS, and prints one JSON line: connections completed, errors and
the duration of every connection in ms. Each connection is a full TLS 1.3 handshake (a new
socket and no session passed in, so no resumption) verified against --ca, then, by mode:

  handshake  close right after the handshake (like `openssl s_time -new`);
  ping       send PING and wait for +PONG before closing: a new client connection's first round
             trip, which also makes the server finish its side of the handshake and, for a
             proxy, open its upstream connection to Redis.

bench/scripts/foundation.py starts several of these at once and measures the server's CPU time
over the same window. Not meant to be run by hand, but it can be:

  python3 bench/scripts/tls_handshakes.py --port 6390 --ca ca.crt --seconds 5 --mode ping
"""

import argparse
import json
import socket
import ssl
import sys
import time

PING = b"*1\r\n$4\r\nPING\r\n"


def client_context(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def one(ctx, host, port, mode, timeout):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(s, server_hostname=host) as t:
            if mode == "ping":
                t.sendall(PING)
                buf = b""
                while not buf.endswith(b"\r\n"):
                    chunk = t.recv(64)
                    if not chunk:
                        break
                    buf += chunk
                if buf != b"+PONG\r\n":
                    raise OSError(f"unexpected reply {buf[:60]!r}")


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--start-at", type=float, default=0.0, help="epoch seconds to start at (default now)")
    ap.add_argument("--mode", choices=["handshake", "ping"], default="ping")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args(argv)
    ctx = client_context(a.ca)
    start = a.start_at or time.time()
    delay = start - time.time()
    if delay > 0:
        time.sleep(delay)
    end = time.monotonic() + a.seconds
    durations, errors, first_error = [], 0, ""
    cpu0 = time.process_time()
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            one(ctx, a.host, a.port, a.mode, a.timeout)
        except (OSError, ssl.SSLError) as e:
            errors += 1
            first_error = first_error or f"{type(e).__name__}: {e}"[:200]
            if errors > 1000:
                break
            continue
        durations.append(round((time.perf_counter() - t0) * 1e3, 3))
    print(json.dumps({"n": len(durations), "errors": errors, "first_error": first_error,
                      "client_cpu_s": round(time.process_time() - cpu0, 3), "durations_ms": durations}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
