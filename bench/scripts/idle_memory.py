"""Idle-connection memory test of bench/run (python3 standard library only).

For one target (a proxy, or Redis itself): open N connections, on each send AUTH when the target
needs it and one GET (so that a proxy that connects upstream lazily, as RespGate does after
authentication and the first forwarded command, has opened its upstream connection), read the
replies, keep the connections idle, and compare the target's resident memory (VmRSS of the process
and its children) before and after: KiB per connection = (RSS after - RSS before) / N. Redis's RSS
and the target's open file descriptors are read at the same moments (the upstream connections a
proxy holds). For a RespGate with an admin endpoint, the JVM heap in use after a full GC
(`jcmd PID GC.run`, then jvm_memory_used_bytes{area="heap"} from /metrics) and the JVM's direct
buffers (jvm_buffer_memory_used_bytes{id="direct"}, where Netty's buffers live) are read too.

Used by bench/scripts/foundation.py; see bench/README.md ("Idle connections").
"""

import os
import resource
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"
IDLE_KEY = "key:idle"  # under key:* so the respgate-policy user may read it
IDLE_VALUE = b"idle"
# Connections opened (and answered) at once; then the next batch.
BATCH = 250
# File descriptors kept aside for everything that is not an idle connection (listeners, logs, jars, ...).
FD_RESERVE = 256


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def raise_nofile():
    """Raise this process's RLIMIT_NOFILE soft limit to the hard limit (children inherit it).
    Returns the (soft, hard) in force afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def max_connections(nofile):
    """Idle connections a proxy can hold within the fd limit: it needs two per connection (client side
    and upstream), like the proxies RespGate is compared with, plus its own reserve."""
    return max(0, (nofile - FD_RESERVE) // 2)


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def open_fds(pids):
    n = 0
    for pid in pids:
        try:
            n += len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            pass
    return n


def open_idle(port, n, auth=None, timeout=10.0):
    """Open n connections, each sending [AUTH user pass] GET key:idle and reading the reply.
    Returns (sockets, errors, first error). Batches of BATCH connections, pipelined within a batch."""
    payload = (resp("AUTH", auth[0], auth[1]) if auth else b"") + resp("GET", IDLE_KEY)
    expect = (b"+OK\r\n" if auth else b"") + b"$%d\r\n%s\r\n" % (len(IDLE_VALUE), IDLE_VALUE)
    socks, errors, first = [], 0, ""
    while len(socks) + errors < n:
        batch = []
        for _ in range(min(BATCH, n - len(socks) - errors)):
            try:
                s = socket.create_connection((LOOPBACK, port), timeout=timeout)
                s.sendall(payload)
                batch.append(s)
            except OSError as e:
                errors += 1
                first = first or f"connect/send: {e}"
        for s in batch:
            buf = b""
            try:
                while len(buf) < len(expect):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
            except OSError as e:
                buf = buf or repr(e).encode()
            if buf == expect:
                socks.append(s)
            else:
                errors += 1
                first = first or f"reply {buf[:100]!r}"
                s.close()
        if errors > max(10, n // 100):  # a broken target: stop early
            break
    return socks, errors, first


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def scrape_memory(admin_port, timeout=10.0):
    """(JVM heap used bytes, JVM direct buffer bytes) from RespGate's /metrics; None where absent."""
    with urllib.request.urlopen(f"http://{LOOPBACK}:{admin_port}/metrics", timeout=timeout) as r:
        text = r.read().decode("utf-8", "replace")
    heap = direct = None
    for line in text.splitlines():
        if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line:
            heap = (heap or 0) + float(line.rsplit(" ", 1)[1])
        elif line.startswith("jvm_buffer_memory_used_bytes{") and 'id="direct"' in line:
            direct = (direct or 0) + float(line.rsplit(" ", 1)[1])
    return heap, direct


def jvm_gc(pid, timeout=30):
    """A full GC in the JVM `pid` (jcmd GC.run). Returns an error string or None."""
    jcmd = shutil.which("jcmd")
    if os.environ.get("JAVA_HOME"):
        cand = Path(os.environ["JAVA_HOME"]) / "bin" / "jcmd"
        if cand.exists():
            jcmd = str(cand)
    if not jcmd:
        return "jcmd not found"
    try:
        r = subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"jcmd failed: {e}"
    return None if r.returncode == 0 else f"jcmd exit {r.returncode}: {(r.stderr or r.stdout).strip()[:200]}"


def heap_after_gc(java_pid, admin_port):
    """(heap used after a GC, direct buffers) in bytes, or (None, None, error)."""
    err = jvm_gc(java_pid)
    if err:
        return None, None, err
    time.sleep(0.2)
    try:
        heap, direct = scrape_memory(admin_port)
    except OSError as e:
        return None, None, f"/metrics: {e}"
    return heap, direct, None


def measure(name, port, pids, redis_pids, n, auth=None, java_pid=None, admin_port=None, settle=1.0,
            warmup=100, close_wait=5.0, redis_clients=None):
    """The idle-connection test of one target. pids: the target's processes (RSS, fds); redis_pids:
    Redis's. redis_clients: a callable returning Redis's connected_clients, to wait until the
    target's upstream connections are gone after closing. Returns a result dict."""
    row = {"target": name, "connections": n, "ok": False, "note": ""}
    # Warm-up: the same procedure on a few connections, closed again, so first-use costs (lazy
    # class loading and JIT in the JVM, first allocations) are not counted as per-connection cost.
    if warmup:
        ws, _, _ = open_idle(port, warmup, auth)
        close_all(ws)
        time.sleep(0.3)
    notes = []
    row["rss_before_kib"] = rss_kib(pids)
    row["redis_rss_before_kib"] = rss_kib(redis_pids)
    row["fds_before"] = open_fds(pids)
    if java_pid and admin_port:
        heap, direct, err = heap_after_gc(java_pid, admin_port)
        row["heap_before_bytes"], row["direct_before_bytes"] = heap, direct
        if err:
            notes.append(err)
    t0 = time.monotonic()
    socks, errors, first = open_idle(port, n, auth)
    row["open_s"] = round(time.monotonic() - t0, 2)
    row["opened"] = len(socks)
    row["errors"] = errors
    try:
        time.sleep(settle)
        row["rss_after_kib"] = rss_kib(pids)
        row["redis_rss_after_kib"] = rss_kib(redis_pids)
        row["fds_after"] = open_fds(pids)
        if java_pid and admin_port:
            heap, direct, err = heap_after_gc(java_pid, admin_port)
            row["heap_after_bytes"], row["direct_after_bytes"] = heap, direct
            row["rss_after_gc_kib"] = rss_kib(pids)
            if err:
                notes.append(err)
        # Still open after the measurements?
        alive = 0
        for s in socks[:: max(1, len(socks) // 50)]:
            try:
                s.setblocking(False)
                data = s.recv(1)
                alive += 0 if data == b"" else 1
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        sample = len(socks[:: max(1, len(socks) // 50)])
        if sample and alive < sample:
            notes.append(f"{sample - alive} of {sample} sampled connections were closed by the target")
    finally:
        close_all(socks)
    k = len(socks)
    if k:
        row["kib_per_conn"] = round((row["rss_after_kib"] - row["rss_before_kib"]) / k, 2)
        row["redis_kib_per_conn"] = round((row["redis_rss_after_kib"] - row["redis_rss_before_kib"]) / k, 2)
        row["fds_per_conn"] = round((row["fds_after"] - row["fds_before"]) / k, 2)
        if row.get("heap_after_bytes") is not None and row.get("heap_before_bytes") is not None:
            row["heap_kib_per_conn"] = round((row["heap_after_bytes"] - row["heap_before_bytes"]) / 1024 / k, 2)
    if errors:
        notes.append(f"{errors} connection(s) failed, first: {first}")
    row["note"] = "; ".join(notes)
    row["ok"] = k > 0 and errors <= max(0, n // 1000)
    # Let the target drop the connections (and its upstream ones) before the next target is measured.
    if redis_clients is not None:
        deadline = time.monotonic() + close_wait
        while time.monotonic() < deadline:
            try:
                if redis_clients() < 200:
                    break
            except OSError:
                break
            time.sleep(0.1)
    return row
