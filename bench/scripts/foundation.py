#!/usr/bin/env python3
"""RespGate "foundation" end-to-end benchmark (python3 standard library only).

Starts its own redis-server, HAProxy (mode tcp, one thread), twemproxy (nutcracker) and two
RespGates on free loopback ports (one with an allow-all policy, one with a realistic policy:
default guardrails, 20 users, AUTH required), runs redis-benchmark against direct Redis and every
proxy interleaved (target order rotated per repetition) and reports, per case, the throughput
ratio target/direct, the policy cost (respgate-policy rps / respgate rps in the same repetition),
p50/p99 latency and CPU time per request of the proxy process (utime+stime from /proc/PID/stat).
Cases: GET and SET at 50 clients P1, 50 clients P16, 1 client P1 and 1,000 clients P1, MGET of 10
keys, and pipelined MULTI/EXEC transactions (bench/scripts/tx_driver.py; redis-benchmark cannot
send them). twemproxy does not support MULTI/EXEC: that case is n/a for it.

In the same run, TLS targets (TLS 1.3 on the client side, a throwaway EC P-256 certificate made
with openssl): Redis's own TLS port (redis-tls, the baseline of the TLS ratios), RespGate with
listen.tls, HAProxy with "bind ... ssl" and stunnel, all forwarding to Redis's plaintext port, plus
a TLS connection-rate test (bench/scripts/tls_handshakes.py). Helpers in bench/scripts/tls_setup.py.

Then the memory test (bench/scripts/idle_memory.py): RSS per idle connection of each proxy (a fresh
process each) with N connections that authenticated where needed and sent one GET. The report
opens with issue 6's goals table; bench/scripts/chart.py (matplotlib, run with /usr/bin/python3)
draws the PNG next to the Markdown and the CSVs.

Entry point: bench/run (see bench/README.md). Everything this script starts is
stopped on exit, including Ctrl-C, SIGTERM and failures.
"""

import argparse
import csv
import ctypes
import datetime
import hashlib
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tls_setup  # noqa: E402  (bench/scripts/tls_setup.py)
import idle_memory  # noqa: E402  (bench/scripts/idle_memory.py)

REPO = Path(__file__).resolve().parents[2]
JAR_REL = "proxy-core/target/proxy-core-0.1.0-SNAPSHOT-all.jar"
BUILD_CMD = ["mvn", "-q", "-B", "-DskipTests", "package", "-pl", "proxy-core", "-am"]
DEFAULT_JVM_OPTS = "-Xms256m -Xmx256m -XX:+UseParallelGC -XX:+AlwaysPreTouch"
PLAIN_TARGETS = ["direct", "haproxy", "twemproxy", "respgate", "respgate-policy"]
# TLS on the client side; the proxies forward to Redis's plaintext port. redis-tls (Redis's own
# TLS port) is the baseline of the TLS ratios, as direct is for the plaintext ones.
TLS_TARGETS = ["redis-tls", "haproxy-tls", "respgate-tls", "stunnel"]
ALL_TARGETS = PLAIN_TARGETS + TLS_TARGETS
PROXIES = ["haproxy", "twemproxy", "respgate", "respgate-policy"]
TLS_PROXIES = ["haproxy-tls", "respgate-tls", "stunnel"]
# Targets that are a RespGate (need the jar, get the full JIT warm-up).
RESPGATES = ["respgate", "respgate-policy", "respgate-tls"]
# The plaintext counterpart of each TLS target ("TLS cost" = TLS rps / plaintext rps, same repetition).
PLAIN_OF = {"redis-tls": "direct", "haproxy-tls": "haproxy", "respgate-tls": "respgate"}
# Connection-rate runs (bench/scripts/tls_handshakes.py): (label, worker mode, client processes;
# None = --handshake-workers). "ping-1client" is the latency of a new connection to an idle server.
HANDSHAKE_RUNS = [("handshake", "handshake", None), ("ping", "ping", None), ("ping-1client", "ping", 1)]
HANDSHAKE_MODES = [label for label, _, _ in HANDSHAKE_RUNS]
HANDSHAKE_WARMUP_S = 2.0  # untimed connection-rate pass against respgate-tls (JIT), before the first repetition
HANDSHAKE_SCRIPT = Path(__file__).resolve().parent / "tls_handshakes.py"
# respgate-policy: redis-benchmark authenticates as this user (--user/-a: AUTH on every connection).
POLICY_USER = "bench"
POLICY_PASSWORD = "respgate-bench-password"
# Issue #3: a realistic policy costs at most 5% throughput against allow-all.
POLICY_COST_LIMIT = 0.95
LOOPBACK = "127.0.0.1"
# redis-benchmark without -r uses this literal key for GET/SET; pre-populated so GET hits.
BENCH_KEY = "key:__rand_int__"
# Under key:* so the respgate-policy user may write it.
SANITY_KEY = "key:respgate:bench:sanity"

# (label, clients, pipeline, multiplier of --requests). SHAPES is also what bench/run --observability runs.
SHAPES = [
    ("c50 P1", 50, 1, 1.0),
    ("c50 P16", 50, 16, 8.0),
    ("c1 P1", 1, 1, 0.5),
]
OPS = ["GET", "SET"]
# The foundation benchmark's GET/SET shapes: SHAPES plus 1,000 clients (issue 6); 1 client runs a quarter
# of --requests (about as long as the others at 1 client's rate).
FOUNDATION_SHAPES = [
    ("c50 P1", 50, 1, 1.0),
    ("c50 P16", 50, 16, 8.0),
    ("c1 P1", 1, 1, 0.25),
    ("c1000 P1", 1000, 1, 1.0),
]
# The mix cases: (op, label, clients, pipeline, multiplier of --requests). MGET10 is redis-benchmark's
# custom-command mode (MGET of 10 keys, pre-set so they hit); TX is bench/scripts/tx_driver.py, since
# redis-benchmark cannot send MULTI ... EXEC sequences: 4 transactions (MULTI, SET, GET, EXEC) per
# 16-command pipeline; its requests are commands.
MGET_KEYS = [f"key:mget:{i}" for i in range(10)]
MIX_CASES = [("MGET10", "c50 P1", 50, 1, 0.5), ("TX", "c50 P16", 50, 16, 8.0)]
ALL_OPS = OPS + [op for op, *_ in MIX_CASES]
TX_DRIVER = Path(__file__).resolve().parent / "tx_driver.py"
# Cases a target cannot run: marked n/a in the report, not failures.
UNSUPPORTED = {("twemproxy", "TX"): "n/a: twemproxy does not support MULTI/EXEC"}
# Idle-connection memory test (bench/scripts/idle_memory.py): these targets, a fresh process each
# (direct = the benchmark's redis-server itself). RespGate gets its own JVM flags there: without
# AlwaysPreTouch, so that heap growth shows in the RSS.
IDLE_TARGETS = ["direct", "haproxy", "twemproxy", "respgate", "respgate-policy"]
IDLE_JVM_OPTS = "-Xms64m -Xmx512m -XX:+UseParallelGC"
# The chart (bench/scripts/chart.py) needs matplotlib: Debian's python3-matplotlib, for the system Python.
CHART_PYTHON = "/usr/bin/python3"
CHART_SCRIPT = Path(__file__).resolve().parent / "chart.py"
# Issue 6: at most this much proxy memory per idle connection.
IDLE_GOAL_KIB = 20.0
# HAProxy maxconn of the benchmark HAProxies (1,000 clients plus slack).
HAPROXY_MAXCONN = 4000
# redis-server --tcp-backlog (its default, 511, is short for 1,000 clients connecting at once).
REDIS_BACKLOG = 2048

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


class Case:
    def __init__(self, op, label, clients, pipeline, requests):
        self.op = op
        self.label = label
        self.clients = clients
        self.pipeline = pipeline
        self.requests = requests
        # redis-benchmark -t <op> for GET/SET; a custom command for MGET10; the Python driver for TX.
        self.command = ["MGET"] + MGET_KEYS if op == "MGET10" else None
        self.driver = "tx" if op == "TX" else "redis-benchmark"

    @property
    def name(self):
        return f"{self.op} {self.label}"


# --------------------------------------------------------------------------- processes

def _child_setup():
    # Own session/process group (so Ctrl-C at the terminal reaches us, not the servers,
    # and we can stop a whole wrapper tree with killpg), and die with the parent even if
    # the parent is SIGKILLed (PR_SET_PDEATHSIG = 1).
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


class Managed:
    """Processes we started; stopped in reverse order by stop_all()."""

    def __init__(self):
        self.procs = []  # (name, Popen, logpath)

    def start(self, name, argv, logpath, env=None, cwd=None):
        logf = open(logpath, "wb")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                 env=env, cwd=cwd, start_new_session=True, preexec_fn=_child_setup)
        finally:
            logf.close()
        self.procs.append((name, p, logpath))
        return p

    def stop(self, p, grace=5.0):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        # Also kill whatever is left in the group (e.g. a java child of a wrapper script).
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log(f"warning: pid {p.pid} did not exit after SIGKILL")

    def stop_all(self):
        for name, p, _ in reversed(self.procs):
            self.stop(p)
        self.procs = []


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def log_tail(path, n=25):
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + l for l in lines[-n:]) or "    (empty log)"


def resp_cmd(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def tls_client_context(ca_file):
    """TLS 1.3 only, the server certificate verified against the bench CA (hostname 127.0.0.1)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def resp_exchange(port, payload, expect, timeout=3.0, tls=None, info=None):
    """Send payload, read until the buffer ends with `expect` (or timeout). Returns bytes read.
    tls: an ssl.SSLContext to connect with TLS; info: a dict that gets the negotiated version/cipher."""
    deadline = time.monotonic() + timeout
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as raw:
        s = tls.wrap_socket(raw, server_hostname=LOOPBACK) if tls else raw
        if tls and info is not None:
            info["version"] = s.version()
            info["cipher"] = s.cipher()[0] if s.cipher() else "?"
        s.sendall(payload)
        buf = b""
        while not buf.endswith(expect) and time.monotonic() < deadline and len(buf) < 65536:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
        return buf


def auth_prefix(auth):
    """AUTH user pass as RESP (b"" without auth) and the reply it must get."""
    if not auth:
        return b"", b""
    return resp_cmd("AUTH", auth[0], auth[1]), b"+OK\r\n"


def wait_ready(name, proc, port, logpath, timeout, auth=None, tls=None):
    deadline = time.monotonic() + timeout
    last = ""
    pre, pre_ok = auth_prefix(auth)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{name} exited with code {proc.returncode} during startup; log {logpath}:\n"
                             + log_tail(logpath))
        try:
            want = pre_ok + b"+PONG\r\n"
            if resp_exchange(port, pre + resp_cmd("PING"), want, timeout=1.0, tls=tls) == want:
                return
            last = "no +PONG"
        except (OSError, ssl.SSLError) as e:
            last = str(e)
        time.sleep(0.1)
    raise BenchError(f"{name} did not answer PING on {LOOPBACK}:{port} within {timeout:.0f}s ({last}); "
                     f"log {logpath}:\n" + log_tail(logpath))


def sanity_check(name, port, auth=None, tls=None, info=None):
    """SET/GET through the target (and, with auth, that the policy is in force). For a TLS target,
    also that TLS 1.3 was negotiated; `info` gets the version and cipher."""
    pre, pre_ok = auth_prefix(auth)
    val = f"respgate-bench-{os.getpid()}-{time.time_ns()}".encode()
    info = {} if info is None else info
    r = resp_exchange(port, pre + resp_cmd("SET", SANITY_KEY, val), pre_ok + b"+OK\r\n", tls=tls, info=info)
    if r != pre_ok + b"+OK\r\n":
        raise BenchError(f"{name}: SET sanity check got {r!r}")
    if tls and info.get("version") != "TLSv1.3":
        raise BenchError(f"{name}: negotiated {info.get('version')}, expected TLSv1.3")
    exp = pre_ok + b"$%d\r\n%s\r\n" % (len(val), val)
    r = resp_exchange(port, pre + resp_cmd("GET", SANITY_KEY), exp, tls=tls)
    if r != exp:
        raise BenchError(f"{name}: GET sanity check got {r!r}, expected {exp!r}")
    if auth:
        # The policy must really be in force: no access without AUTH, a key outside the user's
        # patterns and a guardrail command are refused.
        r = resp_exchange(port, resp_cmd("GET", SANITY_KEY), b"\r\n")
        if not r.startswith(b"-"):
            raise BenchError(f"{name}: GET without AUTH was not refused: {r!r}")
        r = resp_exchange(port, pre + resp_cmd("GET", "other:key"), b"\r\n")
        if not r.startswith(pre_ok + b"-NOPERM"):
            raise BenchError(f"{name}: GET outside the key patterns was not refused: {r!r}")
        r = resp_exchange(port, pre + resp_cmd("FLUSHALL"), b"\r\n")
        if not r.startswith(pre_ok + b"-"):
            raise BenchError(f"{name}: FLUSHALL was not refused: {r!r}")


def proc_tree(root):
    """root pid plus all its descendants (snapshot)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo and len(out) < 10000:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids):
    """Sum of utime+stime (fields 14 and 15 of /proc/PID/stat) in seconds."""
    total = 0
    for pid in pids:
        try:
            st = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # fields after "comm)" start at field 3; utime is field 14, stime field 15
        rest = st[st.rindex(")") + 2:].split()
        total += int(rest[11]) + int(rest[12])
    return total / CLK_TCK


# --------------------------------------------------------------------------- setup

def cmd_version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        text = (r.stdout + r.stderr).strip().splitlines()
        return text[0].strip() if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def ensure_tools(targets):
    need = ["redis-server", "redis-benchmark"]
    if "haproxy" in targets or "haproxy-tls" in targets:
        need.append("haproxy")
    if any(t in TLS_TARGETS for t in targets):
        need.append("openssl")
    if "stunnel" in targets:
        need.append("stunnel4")
    if "twemproxy" in targets:
        need.append("nutcracker")

    def have(tool):  # nutcracker and haproxy live in /usr/sbin, which a non-root PATH may lack
        return shutil.which(tool) is not None or os.access(f"/usr/sbin/{tool}", os.X_OK)

    missing = [t for t in need if not have(t)]
    if not missing:
        return
    pkgs = ["haproxy", "redis-server", "redis-tools"] + (["openssl"] if "openssl" in need else []) \
        + (["stunnel4"] if "stunnel4" in need else []) + (["nutcracker"] if "nutcracker" in need else [])
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise BenchError(f"missing tools: {', '.join(missing)}; install them with "
                         f"'apt-get install -y {' '.join(pkgs)}'")
    log(f"missing {', '.join(missing)}: running 'apt-get install -y {' '.join(pkgs)}' (as root)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "install", "-y"] + pkgs, env=env, timeout=900)
    if r.returncode != 0:
        log("apt-get install failed; running 'apt-get update' and retrying once")
        subprocess.run(["apt-get", "update"], env=env, timeout=900)
        subprocess.run(["apt-get", "install", "-y"] + pkgs, env=env, timeout=900, check=False)
    still = [t for t in need if not have(t)]
    if still:
        raise BenchError(f"still missing after apt-get: {', '.join(still)}")


def find_or_build_jar(args, tmp):
    """Returns (jar_path or None, reason when None)."""
    jar = Path(args.jar) if args.jar else REPO / JAR_REL
    if jar.is_file():
        return jar, None
    if args.jar:
        return None, f"--jar {jar} does not exist"
    if args.no_build:
        return None, f"{JAR_REL} is missing and --no-build was given"
    if shutil.which("mvn") is None:
        return None, f"{JAR_REL} is missing and mvn is not installed"
    logpath = tmp / "mvn-build.log"
    log(f"{JAR_REL} missing: building with '{' '.join(BUILD_CMD)}' (log {logpath}) ...")
    t0 = time.monotonic()
    try:
        with open(logpath, "wb") as lf:
            r = subprocess.run(BUILD_CMD, cwd=REPO, stdin=subprocess.DEVNULL, stdout=lf,
                               stderr=subprocess.STDOUT, timeout=args.build_timeout)
    except subprocess.TimeoutExpired:
        return None, f"maven build timed out after {args.build_timeout}s (log {logpath})"
    if r.returncode != 0:
        return None, (f"maven build failed (exit {r.returncode}) after {time.monotonic() - t0:.0f}s; "
                      f"last lines of {logpath}:\n{log_tail(logpath, 15)}")
    if not jar.is_file():
        return None, f"maven build succeeded but {jar} was not produced"
    log(f"built {jar} in {time.monotonic() - t0:.0f}s")
    return jar, None


def java_bin():
    return os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"


class Target:
    def __init__(self, name, port, proc=None, cpu_pids=None, logpath=None, auth=None, tls=None, is_proxy=True):
        self.name = name
        self.port = port
        self.proc = proc
        self.cpu_pids = cpu_pids or []
        self.logpath = logpath
        self.auth = auth  # (user, password) redis-benchmark must authenticate with, or None
        self.tls = tls  # tls_setup.Certs when clients connect with TLS, else None
        self.is_proxy = is_proxy  # False for Redis itself (direct, redis-tls): no proxy CPU column
        self.tls_info = {}  # negotiated version / cipher (sanity check)
        self._ctx = None

    def tls_context(self):
        if self.tls is None:
            return None
        if self._ctx is None:
            self._ctx = tls_client_context(self.tls.ca_crt)
        return self._ctx

    def alive(self):
        return self.proc is None or self.proc.poll() is None


def start_redis(mgr, tmp, certs=None, maxclients=None):
    """One redis-server for every target: its plaintext port is "direct" and what the proxies
    forward to; with certs it also listens with TLS 1.3 on a second port ("redis-tls").
    maxclients: --maxclients (and a longer --tcp-backlog for 1,000 clients connecting at once)."""
    port = free_port()
    logpath = tmp / "redis.log"
    argv = ["redis-server", "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no",
            "--dir", str(tmp), "--daemonize", "no", "--protected-mode", "yes"]
    if maxclients:
        argv += ["--maxclients", str(maxclients), "--tcp-backlog", str(REDIS_BACKLOG)]
    tls_port = None
    if certs is not None:
        tls_port = free_port()
        argv += tls_setup.redis_tls_args(certs, tls_port)
    p = mgr.start("redis", argv, logpath)
    wait_ready("redis-server", p, port, logpath, 20)
    direct = Target("direct", port, p, [p.pid], logpath, is_proxy=False)
    if tls_port is None:
        return direct, None
    tls_target = Target("redis-tls", tls_port, p, [p.pid], logpath, tls=certs, is_proxy=False)
    wait_ready("redis-server (TLS port)", p, tls_port, logpath, 20, tls=tls_target.tls_context())
    return direct, tls_target


HAPROXY_CFG = """\
# generated by bench/scripts/foundation.py: plain TCP forwarding, one thread
global
    nbthread 1
    maxconn {maxconn}

defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h

frontend redis_in
    bind {addr}:{port}
    default_backend redis_out

backend redis_out
    server redis {addr}:{redis_port}
"""


def start_haproxy(mgr, tmp, redis_port, certs=None, maxconn=HAPROXY_MAXCONN, tag=None):
    """HAProxy mode tcp, one thread; with certs the "haproxy-tls" target (bind ... ssl crt), its own process.
    tag: file name prefix (and process name) when several HAProxies of the same kind run (idle test)."""
    name = "haproxy-tls" if certs else "haproxy"
    tag = tag or name
    port = free_port()
    cfg = tmp / f"{tag}.cfg"
    cfg.write_text(tls_setup.haproxy_tls_cfg(certs, port, redis_port, maxconn) if certs
                   else HAPROXY_CFG.format(addr=LOOPBACK, port=port, redis_port=redis_port, maxconn=maxconn))
    r = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise BenchError(f"haproxy rejected generated config {cfg}:\n{r.stdout}{r.stderr}")
    logpath = tmp / f"{tag}.log"
    # -db: foreground, no master-worker: the pid we start is the one (single-threaded) worker.
    p = mgr.start(tag, ["haproxy", "-db", "-f", str(cfg)], logpath)
    t = Target(name, port, p, [p.pid], logpath, tls=certs)
    wait_ready(name, p, port, logpath, 20, tls=t.tls_context())
    return t


TWEMPROXY_CFG = """\
# generated by bench/scripts/foundation.py: one pool, the one redis-server, one server connection
bench:
  listen: {addr}:{port}
  redis: true
  hash: fnv1a_64
  distribution: ketama
  preconnect: true
  auto_eject_hosts: false
  server_connections: 1
  backlog: {backlog}
  servers:
    - {addr}:{redis_port}:1
"""


def start_twemproxy(mgr, tmp, redis_port, tag="twemproxy"):
    """twemproxy (nutcracker), foreground, single-threaded: the pid we start does the work. No
    `timeout` key: it waits for Redis indefinitely (its default). Its stats port is a free loopback
    port (the default, 22222 on 0.0.0.0, may be taken) and its log goes to the temp dir."""
    port = free_port()
    cfg = tmp / f"{tag}.yml"
    cfg.write_text(TWEMPROXY_CFG.format(addr=LOOPBACK, port=port, redis_port=redis_port, backlog=REDIS_BACKLOG))
    r = subprocess.run([twemproxy_bin(), "-t", "-c", str(cfg)], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise BenchError(f"nutcracker rejected generated config {cfg}:\n{r.stdout}{r.stderr}")
    logpath = tmp / f"{tag}.log"
    argv = [twemproxy_bin(), "-c", str(cfg), "-s", str(free_port()), "-a", LOOPBACK, "-o", str(logpath),
            "-p", str(tmp / f"{tag}.pid")]
    p = mgr.start(tag, argv, tmp / f"{tag}.stdout.log")
    t = Target("twemproxy", port, p, [p.pid], logpath)
    wait_ready("twemproxy", p, port, logpath, 20)
    return t


def twemproxy_bin():
    return shutil.which("nutcracker") or "/usr/sbin/nutcracker"


def stunnel_bin():
    return shutil.which("stunnel4") or shutil.which("stunnel") or "stunnel4"


def start_stunnel(mgr, tmp, redis_port, certs):
    """stunnel (server mode, foreground: the pid we start does the work, one thread per connection)."""
    port = free_port()
    cfg = tmp / "stunnel.conf"
    cfg.write_text(tls_setup.stunnel_cfg(certs, port, redis_port))
    logpath = tmp / "stunnel.log"
    p = mgr.start("stunnel", [stunnel_bin(), str(cfg)], logpath)
    t = Target("stunnel", port, p, [p.pid], logpath, tls=certs)
    wait_ready("stunnel", p, port, logpath, 20, tls=t.tls_context())
    return t


# The transparent (allow-all) policy of the "respgate" target: an open default user and the
# guardrails lifted, so redis-benchmark (which sends CONFIG GET at start) runs unchanged.
ALLOW_ALL_POLICY = 'guardrails: {allow: ["@all"]}\nusers:\n  default:\n    acl: "on nopass ~* &* +@all"\n'


def sha256_hex(s):
    return hashlib.sha256(s.encode()).hexdigest()


def realistic_policy():
    """The policy of the "respgate-policy" target: default guardrails, no anonymous access, the
    benchmark user (allowed exactly the keys redis-benchmark uses) and 19 more users of 10 key
    patterns each (as in GateBenchmark), so the user table and the ACLs are of a realistic size."""
    lines = ["# generated by bench/scripts/foundation.py: default guardrails, 20 users",
             "guardrails: {allow: [], deny: []}",
             "users:",
             "  default:",
             '    acl: "off"',
             f"  {POLICY_USER}:",
             f'    acl: "on #{sha256_hex(POLICY_PASSWORD)} ~key:* ~counter:* ~mylist ~myset:* &* +@all -@dangerous"']
    kinds = ["%R~", "%W~", "~"]
    for n in range(19):
        pats = " ".join(f"{kinds[p % 3]}prefix{n}:{chr(ord('a') + p)}*" for p in range(10))
        lines += [f"  user{n}:",
                  f'    acl: "on #{sha256_hex(f"password-{n}")} {pats} &chan{n}:* +@all -@dangerous"']
    return "\n".join(lines) + "\n"


def jar_knows(jar, word):
    """Whether RespGate's config classes in `jar` mention `word` (a config key), e.g. to use
    limits.max_clients only with a jar that has it (an unknown key is a config error)."""
    import zipfile
    try:
        with zipfile.ZipFile(jar) as z:
            return any(word.encode() in z.read(n) for n in z.namelist()
                       if n.startswith("io/respgate/config/") and n.endswith(".class"))
    except (OSError, zipfile.BadZipFile):
        return False


def start_respgate(mgr, tmp, redis_port, args, jar, name="respgate", certs=None, jvm_opts=None, admin=False,
                   tag=None, wait=True, extra_yaml=""):
    """respgate / respgate-tls: allow-all policy; respgate-policy: realistic policy. With certs,
    listen.tls (TLS 1.3 only); upstream is always Redis's plaintext port. jvm_opts: instead of
    --jvm-opts; admin: also an admin endpoint on a free port (t.admin_port); tag: file name prefix
    and process name (default: name); extra_yaml: appended to the config. With wait=False the caller calls finish_respgate(t) (to start
    several JVMs at once). Returns (target, the command line shown in the report)."""
    tag = tag or name
    jvm_opts = jvm_opts if jvm_opts is not None else args.jvm_opts
    port = free_port()
    cfg = tmp / f"{tag}.yaml"
    # Not "<name>-policy.yaml": that is respgate-policy's config file, and writing it would make the
    # "respgate" target (which watches its policy file) try to reload a config as its policy.
    policy = tmp / f"policy-{tag}.yaml"
    auth = None
    if name == "respgate-policy":
        policy.write_text(realistic_policy())
        auth = (POLICY_USER, POLICY_PASSWORD)
    else:
        policy.write_text(ALLOW_ALL_POLICY)
    listen = (tls_setup.respgate_listen_yaml(certs, port) if certs
              else f"listen: {{address: {LOOPBACK}, port: {port}}}\n")
    admin_port = free_port() if admin else None
    cfg.write_text(listen
                   + f"upstream: {{address: {LOOPBACK}:{redis_port}}}\n"
                   f"policy: {{file: {policy}}}\n"
                   + (f"admin: {{address: {LOOPBACK}, port: {admin_port}}}\n" if admin else "")
                   + extra_yaml)
    env = dict(os.environ)
    env.pop("RESPGATE_REBUILD", None)
    launcher = REPO / "bin" / "respgate"
    if args.respgate_cmd:
        argv = [a.replace("{config}", str(cfg)) for a in shlex.split(args.respgate_cmd)]
        shown = " ".join(shlex.quote(a) for a in argv)
    elif not args.jar and os.access(launcher, os.X_OK):
        # The project's launcher (it execs java -jar on the same jar); JVM flags via RESPGATE_JAVA_OPTS.
        argv = [str(launcher), "run", "--config", str(cfg)]
        env["RESPGATE_JAVA_OPTS"] = jvm_opts
        shown = f"RESPGATE_JAVA_OPTS={shlex.quote(jvm_opts)} bin/respgate run --config {cfg}"
    else:
        argv = [java_bin()] + shlex.split(jvm_opts) + ["-jar", str(jar), "run", "--config", str(cfg)]
        shown = " ".join(shlex.quote(a) for a in argv)
    logpath = tmp / f"{tag}.log"
    log(f"starting {tag}: {shown}")
    p = mgr.start(tag, argv, logpath, env=env, cwd=str(REPO))
    t = Target(name, port, p, None, logpath, auth, tls=certs)
    t.admin_port = admin_port
    t.startup_timeout = args.startup_timeout
    if wait:
        finish_respgate(t)
    return t, shown


def finish_respgate(t):
    """Wait until a RespGate started by start_respgate answers (PING, after AUTH when it needs it)."""
    wait_ready(t.name, t.proc, t.port, t.logpath, t.startup_timeout, t.auth, tls=t.tls_context())
    time.sleep(0.2)
    t.cpu_pids = proc_tree(t.proc.pid)


def java_pid(t):
    """The JVM's pid among a RespGate target's processes (the launcher execs java: usually the same pid)."""
    for pid in proc_tree(t.proc.pid):
        try:
            exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
        except OSError:
            continue
        if exe == "java":
            return pid
    return t.proc.pid


def haproxy_ssl_lib():
    try:
        out = subprocess.run(["haproxy", "-vv"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "TLS library ?"
    m = re.search(r"Running on (OpenSSL|BoringSSL|LibreSSL|wolfSSL|AWS-LC)[^\n]*", out)
    return m.group(0).strip() if m else "TLS library ?"


def stunnel_version():
    """'stunnel 5.68 on ..., running with OpenSSL ...' from `stunnel -version` (it prints to stderr)."""
    try:
        r = subprocess.run([stunnel_bin(), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    out = r.stdout + r.stderr
    v = re.search(r"^stunnel \d[^\n]*", out, re.M)
    lib = re.search(r"Running\s+with (OpenSSL[^\n]*)", out)
    return (v.group(0).strip() if v else "stunnel ?") + (f", running with {lib.group(1).strip()}" if lib else "")


def respgate_tls_line(logpath):
    """RespGate's own start-up line about the listener's TLS (names the provider: BoringSSL or JDK)."""
    try:
        for line in Path(logpath).read_text(errors="replace").splitlines():
            if "listener TLS" in line:
                return "'" + re.sub(r"^\S+\s+\S+\s+\S+ - ", "", line.strip()) + "'"
    except OSError:
        pass
    return "(no 'listener TLS' line in its log)"


def jar_staleness(jar):
    """A message when main sources are newer than the jar (bench/run only builds a missing jar)."""
    try:
        jt = jar.stat().st_mtime
        newer = []
        for mod in REPO.iterdir():
            src = mod / "src" / "main"
            if mod.is_dir() and src.is_dir():
                for f in src.rglob("*"):
                    if f.is_file() and f.stat().st_mtime > jt + 1:
                        newer.append(f.relative_to(REPO))
        if newer:
            return (f"{jar} is older than {len(newer)} source file(s) (e.g. {newer[0]}): it may not contain the "
                    f"current code; rebuild with '{' '.join(BUILD_CMD)}' or pass --jar")
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------- running

CSV_FIELDS = ["test", "rps", "avg_latency_ms", "min_latency_ms", "p50_latency_ms", "p95_latency_ms",
              "p99_latency_ms", "max_latency_ms"]


def bench_argv(target, case, requests):
    """The client command of one run: redis-benchmark, or the MULTI/EXEC driver for TX."""
    if case.driver == "tx":
        argv = [sys.executable, str(TX_DRIVER), "--port", str(target.port), "--clients", str(case.clients),
                "--pipeline", str(case.pipeline), "--requests", str(requests)]
        if target.auth:
            argv += ["--auth", target.auth[0], target.auth[1]]
        if target.tls:
            argv += ["--ca", str(target.tls.ca_crt)]
        return argv
    argv = ["redis-benchmark", "-h", LOOPBACK, "-p", str(target.port),
            "-c", str(case.clients), "-P", str(case.pipeline), "-n", str(requests), "--csv"]
    if target.auth:
        argv += ["--user", target.auth[0], "-a", target.auth[1]]
    if target.tls:
        argv += ["--tls", "--cacert", str(target.tls.ca_crt)]
    # A custom command comes after every option.
    return argv + (case.command if case.command else ["-t", case.op.lower()])


def unsupported(target_name, case):
    return UNSUPPORTED.get((target_name, case.op))


def run_benchmark(target, case, requests, redis_target, timeout):
    """One redis-benchmark (or TX driver) run; returns a dict (ok=False with note on failure)."""
    argv = bench_argv(target, case, requests)
    row = {"target": target.name, "tls": bool(target.tls), "case": case.name, "op": case.op, "clients": case.clients,
           "pipeline": case.pipeline, "requests": requests, "ok": False, "note": ""}
    na = unsupported(target.name, case)
    if na:
        row["na"] = "n/a"
        row["note"] = na
        return row
    if not target.alive() or not redis_target.alive():
        row["note"] = f"{target.name if not target.alive() else 'redis'} process is not running"
        return row
    cpu0 = cpu_seconds(target.cpu_pids) if target.is_proxy else None
    rcpu0 = cpu_seconds(redis_target.cpu_pids)
    t0 = time.monotonic()
    bench = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        # Poll so that a proxy dying mid-run (redis-benchmark then hangs) is noticed at once.
        while True:
            try:
                out, err = bench.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - t0 > timeout:
                    row["note"] = f"{'tx_driver' if case.driver == 'tx' else 'redis-benchmark'} timed out after {timeout}s"
                    return row
                if not target.alive() or not redis_target.alive():
                    dead = target.name if not target.alive() else "redis"
                    row["note"] = f"{dead} process exited during the run"
                    return row
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.communicate()
    r = subprocess.CompletedProcess(argv, bench.returncode, out, err)
    wall = time.monotonic() - t0
    rcpu1 = cpu_seconds(redis_target.cpu_pids)
    cpu1 = cpu_seconds(target.cpu_pids) if target.is_proxy else None
    if case.driver == "tx":
        try:
            d = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            row["note"] = f"tx_driver exit {r.returncode}: {(r.stderr or r.stdout).strip()[-250:]}"
            return row
        if d.get("requests"):
            requests = row["requests"] = d["requests"]  # whole pipelines
    row["wall_s"] = round(wall, 3)
    row["redis_cpu_s"] = round(rcpu1 - rcpu0, 3)
    row["redis_cpu_us_per_req"] = round((rcpu1 - rcpu0) * 1e6 / requests, 3)
    if cpu0 is not None:
        row["proxy_cpu_s"] = round(cpu1 - cpu0, 3)
        row["proxy_cpu_us_per_req"] = round((cpu1 - cpu0) * 1e6 / requests, 3)
    if case.driver == "tx":
        if d.get("errors") or r.returncode != 0 or "p50_latency_ms" not in d:
            row["note"] = f"tx_driver: {d.get('first_error') or f'exit {r.returncode}'}"[:300]
            return row
        row["rps"] = d["rps"]
        for k in CSV_FIELDS[2:]:
            row[k] = d[k]
        row["ok"] = target.alive()
        if not row["ok"]:
            row["note"] = "target process exited"
        return row
    parsed = None
    for rec in csv.reader(io.StringIO(r.stdout)):
        if not rec or len(rec) < len(CSV_FIELDS):
            continue
        # -t get: "GET"; a custom command: the whole command line ("MGET key:mget:0 ...").
        if rec[0] == case.op or (case.command and rec[0].split(" ", 1)[0].upper() == case.command[0]):
            parsed = rec
    errs = [l for l in (r.stdout + "\n" + r.stderr).splitlines()
            if re.search(r"error|could not|refused|reset", l, re.I)]
    if r.returncode != 0 or parsed is None:
        row["note"] = (f"exit {r.returncode}; " + " | ".join((errs or r.stderr.strip().splitlines() or ["no CSV row"])[:3]))[:300]
        return row
    for k, v in zip(CSV_FIELDS[1:], parsed[1:]):
        row[k] = float(v)
    if errs:
        row["note"] = " | ".join(errs[:3])[:300]
        # CONFIG GET warnings at startup are harmless; errors from the server during the run are not.
        if any("Error from server" in e for e in errs):
            return row
    row["ok"] = True
    if not target.alive():
        row["ok"] = False
        row["note"] = (row["note"] + " | target process exited").strip(" |")
    return row


def run_handshakes(target, redis_target, mode, seconds, workers, timeout, label=None):
    """Connection-rate test of one TLS target: `workers` processes of tls_handshakes.py open new TLS
    connections one after another for `seconds` (mode "handshake": connect + full TLS 1.3 handshake +
    close; "ping": the same plus PING/+PONG). Returns a dict with connections/s over the window and
    the server's CPU time per connection (the proxy's, and Redis's)."""
    row = {"target": target.name, "mode": label or mode, "workers": workers, "seconds": seconds, "ok": False,
           "note": ""}
    if not target.alive() or not redis_target.alive():
        row["note"] = f"{target.name if not target.alive() else 'redis'} process is not running"
        return row
    start_at = time.time() + 0.4 + 0.05 * workers  # all workers have imported ssl and built a context by then
    argv = [sys.executable, str(HANDSHAKE_SCRIPT), "--port", str(target.port), "--ca", str(target.tls.ca_crt),
            "--seconds", str(seconds), "--start-at", f"{start_at:.3f}", "--mode", mode]
    procs = [subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, preexec_fn=_child_setup) for _ in range(workers)]
    outs = []
    try:
        time.sleep(max(0.0, start_at - time.time()))
        cpu0, rcpu0 = cpu_seconds(target.cpu_pids), cpu_seconds(redis_target.cpu_pids)
        t0 = time.monotonic()
        for p in procs:
            while True:
                try:
                    outs.append(p.communicate(timeout=0.5))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - t0 > seconds + timeout:
                        row["note"] = f"handshake workers did not finish within {seconds + timeout:.0f}s"
                        return row
                    if not target.alive() or not redis_target.alive():
                        row["note"] = f"{target.name if not target.alive() else 'redis'} process exited during the run"
                        return row
        wall = time.monotonic() - t0
        cpu1, rcpu1 = cpu_seconds(target.cpu_pids), cpu_seconds(redis_target.cpu_pids)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    n, errors, first_error, client_cpu, durations = 0, 0, "", 0.0, []
    for p, (out, err) in zip(procs, outs):
        try:
            d = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            row["note"] = f"worker exit {p.returncode}: {(err or out).strip()[-200:]}"
            return row
        n += d["n"]
        errors += d["errors"]
        first_error = first_error or d["first_error"]
        client_cpu += d["client_cpu_s"]
        durations += d["durations_ms"]
    row.update({"connections": n, "errors": errors, "wall_s": round(wall, 3),
                "conn_per_s": round(n / seconds, 1),
                "server_cpu_s": round(cpu1 - cpu0, 3), "redis_cpu_s": round(rcpu1 - rcpu0, 3),
                "client_cpu_us_per_conn": round(client_cpu * 1e6 / n, 1) if n else None})
    if n:
        row["server_cpu_us_per_conn"] = round((cpu1 - cpu0) * 1e6 / n, 1)
        row["redis_cpu_us_per_conn"] = round((rcpu1 - rcpu0) * 1e6 / n, 1)
        q = statistics.quantiles(durations, n=100, method="inclusive") if len(durations) > 1 else durations * 99
        row["p50_ms"], row["p99_ms"] = round(statistics.median(durations), 3), round(q[98], 3)
    if errors:
        row["note"] = f"{errors} failed connection(s), first: {first_error}"
    row["ok"] = n > 0 and errors <= max(0, n // 1000)  # tolerate a stray reset, not a broken target
    return row


def fmt_rps(x):
    return "-" if x is None else f"{x:,.0f}"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_ratio(xs, digits=2):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    m = statistics.median(xs)
    if len(xs) == 1:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ({min(xs):.{digits}f}-{max(xs):.{digits}f})"


def fmt_lat(rows):
    p50 = med([r.get("p50_latency_ms") for r in rows])
    p99 = med([r.get("p99_latency_ms") for r in rows])
    if p50 is None:
        return "-"
    return f"{p50:.3f} / {p99:.3f}"


def fmt_us(x):
    return "-" if x is None else f"{x:.2f}"


def fmt_us1(x):
    return "-" if x is None else f"{x:,.0f}"


def machine_info():
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "host": socket.gethostname()}


def loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def unique_path(outdir, stem, ext):
    p = outdir / f"{stem}.{ext}"
    for i in range(2, 1000):
        if not p.exists():
            return p
        p = outdir / f"{stem}-{i}.{ext}"
    raise BenchError(f"too many result files named {stem}-N.{ext} in {outdir}")


def redis_connected_clients(port):
    r = resp_exchange(port, resp_cmd("INFO", "clients"), b"\r\n", timeout=2.0)
    m = re.search(rb"connected_clients:(\d+)", r)
    return int(m.group(1)) if m else 0


def run_idle_test(mgr, tmp, args, jar, redis, idle_order, n):
    """Idle-connection memory per target, each in a fresh process (direct: the benchmark's Redis).
    Returns (result rows, {target: how it was started})."""
    log(f"idle-connection memory test: {n:,} connections per target ({', '.join(idle_order)}) ...")
    fresh, shown, rows = {}, {}, []
    # RespGate refuses clients beyond limits.max_clients (default 10,000): raise it when the jar has the key.
    limits = ""
    if jar is not None and jar_knows(jar, "max_clients"):
        limits = f"limits: {{max_clients: {max(10000, n + 1000)}}}\n"
    # The RespGates first (JVM start-up in the background while the others are measured).
    for name in ("respgate", "respgate-policy"):
        if name in idle_order:
            try:
                fresh[name], shown[name] = start_respgate(mgr, tmp, redis.port, args, jar, name,
                                                          jvm_opts=args.idle_jvm_opts, admin=True,
                                                          tag=f"idle-{name}", wait=False, extra_yaml=limits)
                if limits:
                    shown[name] += f" (config + {limits.strip()})"
            except (BenchError, OSError) as e:
                rows.append({"target": name, "connections": n, "ok": False, "note": f"failed to start: {e}"})
    for name in idle_order:
        t = None
        t0 = time.monotonic()
        try:
            if name == "direct":
                t = redis
                shown[name] = "the benchmark's redis-server (maxclients raised)"
            elif name == "haproxy":
                # Room for n connections: maxconn counts client+server pairs.
                t = fresh[name] = start_haproxy(mgr, tmp, redis.port, maxconn=n + 100, tag="idle-haproxy")
                shown[name] = f"a fresh HAProxy, same config with maxconn {n + 100}"
            elif name == "twemproxy":
                t = fresh[name] = start_twemproxy(mgr, tmp, redis.port, tag="idle-twemproxy")
                shown[name] = "a fresh nutcracker, same config"
            elif name in fresh:
                t = fresh[name]
                finish_respgate(t)
            else:
                continue
            sanity_check(name, t.port, t.auth)
        except (BenchError, OSError, ssl.SSLError) as e:
            rows.append({"target": name, "connections": n, "ok": False, "note": f"failed to start: {e}"[:300]})
            log(f"  idle {name}: FAILED to start: {e}")
            if name in fresh:
                mgr.stop(fresh[name].proc)
            continue
        jpid = java_pid(t) if name in RESPGATES else None
        r = idle_memory.measure(name, t.port, proc_tree(t.proc.pid), [redis.proc.pid], n, auth=t.auth,
                                java_pid=jpid, admin_port=getattr(t, "admin_port", None),
                                settle=0.5 if args.quick else 1.0,
                                redis_clients=lambda: redis_connected_clients(redis.port))
        r["timestamp"] = datetime.datetime.now().isoformat(timespec="seconds")
        rows.append(r)
        if name in fresh:
            mgr.stop(fresh[name].proc)
        r["test_s"] = round(time.monotonic() - t0, 1)
        if r.get("kib_per_conn") is not None:
            heap = r.get("heap_kib_per_conn")
            log(f"  idle {name:<16} {r['opened']:>6,} conns in {r['open_s']:.1f}s  RSS "
                f"{r['rss_before_kib'] / 1024:.1f} -> {r['rss_after_kib'] / 1024:.1f} MiB = "
                f"{r['kib_per_conn']:.2f} KiB/conn" + (f", heap after GC {heap:.2f} KiB/conn" if heap is not None else "")
                + f", redis {r['redis_kib_per_conn']:.2f} KiB/conn, {r['fds_per_conn']:.2f} fds/conn ({r['test_s']:.1f} s)"
                + (f"  ({r['note']})" if r["note"] else ""))
        else:
            log(f"  idle {name}: FAILED {r['note']}")
    return rows, shown


def draw_chart(args, csv_path, idle_path, png_path, title):
    """Run bench/scripts/chart.py with a Python that has matplotlib (Debian's python3-matplotlib is for
    /usr/bin/python3, not for a pyenv or venv python3 first on PATH). Installs python3-matplotlib with
    apt-get when missing and root. Returns (png path or None, a note for the report or None)."""
    py = args.chart_python

    def has_matplotlib():
        try:
            return subprocess.run([py, "-c", "import matplotlib"], capture_output=True, timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    if not os.access(py, os.X_OK):
        msg = f"not drawn: {py} does not exist (--chart-python)"
        log(f"chart {msg}")
        return None, msg
    if not has_matplotlib():
        if os.geteuid() == 0 and shutil.which("apt-get") and os.path.realpath(py).startswith("/usr/bin/"):
            log(f"matplotlib missing for {py}: running 'apt-get install -y python3-matplotlib' (as root)")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            try:
                if subprocess.run(["apt-get", "install", "-y", "python3-matplotlib"], env=env,
                                  timeout=900).returncode != 0:
                    subprocess.run(["apt-get", "update"], env=env, timeout=900)
                    subprocess.run(["apt-get", "install", "-y", "python3-matplotlib"], env=env, timeout=900)
            except (OSError, subprocess.TimeoutExpired) as e:
                log(f"apt-get failed: {e}")
        if not has_matplotlib():
            msg = (f"not drawn: matplotlib is not importable by {py} (install python3-matplotlib, or pass "
                   "--chart-python with a Python that has matplotlib)")
            log(f"chart {msg}")
            return None, msg
    argv = [py, str(CHART_SCRIPT), "--csv", str(csv_path), "--out", str(png_path), "--title", title]
    if idle_path:
        argv += ["--idle", str(idle_path)]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"not drawn: chart.py failed: {e}"
    if r.returncode != 0 or not png_path.is_file():
        msg = f"not drawn: chart.py exit {r.returncode}: {(r.stderr or r.stdout).strip()[-300:]}"
        log(f"chart {msg}")
        return None, msg
    return png_path, None


# --------------------------------------------------------------------------- report

def build_report(meta, cases, order, results, reps, hs_results=(), idle_results=()):
    by = {}
    for r in results:
        by.setdefault((r["case"], r["target"]), []).append(r)
    # No cases: --idle-only (only the goals and the idle-connection sections).
    targets = [t for t in order if t in PLAIN_TARGETS] if cases else []
    tls = [t for t in order if t in TLS_TARGETS] if cases else []

    def ok_rows(case, target):
        return [r for r in by.get((case.name, target), []) if r["ok"]]

    def is_na(case, target):
        """"n/a" (the target does not support the case), "skipped" (quick mode) or None."""
        rows = by.get((case.name, target), [])
        return rows[0]["na"] if rows and all(r.get("na") for r in rows) else None

    def ratios(case, target, field="ratio_vs_direct"):
        """rep -> the row's `field` (ratio to direct, to redis-tls, to the plaintext target)."""
        return {r["rep"]: r[field] for r in ok_rows(case, target) if r.get(field) is not None}

    def cpus(case, target):
        return {r["rep"]: r.get("proxy_cpu_us_per_req") for r in ok_rows(case, target)
                if r.get("proxy_cpu_us_per_req") is not None}

    def policy_costs(case):
        """rep -> respgate-policy rps / respgate (allow-all) rps of that repetition."""
        return {r["rep"]: r["ratio_vs_allow_all"] for r in ok_rows(case, "respgate-policy")
                if r.get("ratio_vs_allow_all") is not None}

    def versus_table(a, b, field, title):
        """Per case: a's ratio >= b's ratio and a's CPU/req <= b's, per repetition and on the medians."""
        out = ["", f"## {title}", "",
               f"| case | reps ratio >= {b} | reps CPU <= {b} | median ratio {a} / {b} | "
               f"median CPU µs/req {a} / {b} | met |",
               "|---|---:|---:|---:|---:|---|"]
        all_met = True
        for c in cases:
            if is_na(c, a) == "skipped" and is_na(c, b) == "skipped":
                continue  # left out by quick mode
            rr, hr = ratios(c, a, field), ratios(c, b, field)
            rc, hc = cpus(c, a), cpus(c, b)
            common = sorted(set(rr) & set(hr))
            ccommon = sorted(set(rc) & set(hc))
            n_ratio = sum(1 for k in common if rr[k] >= hr[k])
            n_cpu = sum(1 for k in ccommon if rc[k] <= hc[k])
            mr, mh = med(list(rr.values())), med(list(hr.values()))
            mrc, mhc = med(list(rc.values())), med(list(hc.values()))
            met = (mr is not None and mh is not None and mrc is not None and mhc is not None
                   and mr >= mh and mrc <= mhc)
            all_met &= met
            out.append(f"| {c.name} | {n_ratio}/{len(common)} | {n_cpu}/{len(ccommon)} | "
                       f"{fmt_us(mr)} / {fmt_us(mh)} | {fmt_us(mrc)} / {fmt_us(mhc)} | "
                       f"{'yes' if met else '**no**'} |")
        out += ["", f"Overall (medians, every case): **{'met' if all_met else 'not met'}**"]
        return out

    def main_table(base, proxies, field, extra_policy):
        head = ["case", f"{base} rps", f"{base} p50/p99 ms"]
        for t in proxies:
            head += [f"{t} rps", f"{t} ratio", f"{t} p50/p99 ms"]
        if extra_policy:
            head += ["policy / allow-all"]
        head += [f"{t} CPU µs/req" for t in proxies]
        head += ["redis CPU µs/req (" + "/".join([base] + proxies) + ")"]
        out = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
        for c in cases:
            if all(is_na(c, t) == "skipped" for t in [base] + proxies):
                continue  # left out by quick mode: no row
            row = [c.name, fmt_rps(med([r["rps"] for r in ok_rows(c, base)])), fmt_lat(ok_rows(c, base))]
            for t in proxies:
                rows = ok_rows(c, t)
                if is_na(c, t):
                    row += [is_na(c, t)] * 3
                    continue
                row += [fmt_rps(med([r["rps"] for r in rows])), fmt_ratio(list(ratios(c, t, field).values())),
                        fmt_lat(rows)]
            if extra_policy:
                row.append(fmt_ratio(list(policy_costs(c).values()), 3))
            for t in proxies:
                row.append(is_na(c, t) or fmt_us(med([r.get("proxy_cpu_us_per_req") for r in ok_rows(c, t)])))
            row.append("/".join(is_na(c, t) or fmt_us(med([r.get("redis_cpu_us_per_req") for r in ok_rows(c, t)]))
                                for t in [base] + proxies))
            out.append("| " + " | ".join(row) + " |")
        return out

    with_policy = "respgate" in targets and "respgate-policy" in targets

    lines = []
    lines.append(f"# RespGate foundation benchmark — {meta['date']}")
    lines.append("")
    for k, v in meta["header"]:
        lines.append(f"- **{k}**: {v}")
    lines.append("")
    if meta.get("chart"):
        lines += [f"![throughput ratio and p99 per target and case]({meta['chart']})", ""]
    elif meta.get("chart_note"):
        lines += [f"Chart: {meta['chart_note']}", ""]
    lines += goals_section(cases, order, by, idle_results)
    if tls:
        lines.append("## Plaintext targets")
        lines.append("")
    if targets:
        lines += main_table("direct", [t for t in PROXIES if t in targets], "ratio_vs_direct", with_policy)
        lines.append("")
        lines.append("Ratio = target rps / direct rps within the same repetition; shown as median (min-max) "
                     f"over {reps} repetition(s). rps, latency and CPU columns are medians. p50/p99 are "
                     "redis-benchmark's per-request latency (with pipelining: the pipeline round trip). "
                     "CPU µs/req = (utime+stime of the proxy process during the run) / requests. TX: requests "
                     "are commands (4 per transaction), its latency the 16-command pipeline's round trip; n/a: the "
                     "target does not support the case (twemproxy: MULTI/EXEC). c1000: the timed run includes "
                     "setting up the 1,000 connections (redis-benchmark starts its clock before they are established; "
                     "on the TLS targets that is 1,000 handshakes)."
                     + (" policy / allow-all = respgate-policy rps / respgate rps within the same repetition, "
                        "median (min-max)." if with_policy else ""))

    if with_policy:
        lines.append("")
        lines.append(f"## Target: a realistic policy costs at most {100 * (1 - POLICY_COST_LIMIT):.0f}% "
                     "throughput against allow-all (respgate-policy rps >= "
                     f"{POLICY_COST_LIMIT:.2f} x respgate rps)")
        lines.append("")
        lines.append("| case | reps policy/allow-all >= " + f"{POLICY_COST_LIMIT:.2f}"
                     + " | policy/allow-all median (min-max) | CPU µs/req policy / allow-all | met |")
        lines.append("|---|---:|---:|---:|---|")
        all_met = True
        for c in cases:
            pc = policy_costs(c)
            n_ok = sum(1 for v in pc.values() if v >= POLICY_COST_LIMIT)
            m = med(list(pc.values()))
            met = m is not None and m >= POLICY_COST_LIMIT
            all_met &= met
            cpu_p = med([r.get("proxy_cpu_us_per_req") for r in ok_rows(c, "respgate-policy")])
            cpu_a = med([r.get("proxy_cpu_us_per_req") for r in ok_rows(c, "respgate")])
            lines.append(f"| {c.name} | {n_ok}/{len(pc)} | {fmt_ratio(list(pc.values()), 3)} | "
                         f"{fmt_us(cpu_p)} / {fmt_us(cpu_a)} | {'yes' if met else '**no**'} |")
        lines.append("")
        lines.append(f"Overall (medians, every case): **{'met' if all_met else 'not met'}**")

    if "respgate" in targets and "haproxy" in targets:
        lines += versus_table("respgate", "haproxy", "ratio_vs_direct",
                              "Target: RespGate ratio >= HAProxy ratio and RespGate CPU/req <= HAProxy CPU/req")

    if tls:
        tls_proxies = [t for t in TLS_PROXIES if t in tls]
        lines.append("")
        lines.append("## TLS targets (TLS 1.3 between redis-benchmark and the target)")
        lines.append("")
        lines += main_table("redis-tls", tls_proxies, "ratio_vs_redis_tls", False)
        lines.append("")
        lines.append("Ratio = target rps / redis-tls rps within the same repetition (redis-tls = Redis's own TLS "
                     "port, so the ratio is what terminating TLS in a proxy costs against Redis doing it itself); "
                     f"median (min-max) over {reps} repetition(s). The proxies forward to Redis's plaintext port. "
                     "CPU µs/req includes the TLS handshakes of the run's connections (one per client)."
                     + (" Quick mode runs no 1,000-client case on the TLS targets (it is mostly 1,000 handshakes "
                        "per run)." if any(r.get("na") == "skipped" for r in results) else ""))
        pairs = [(t, PLAIN_OF[t]) for t in tls if t in PLAIN_OF and PLAIN_OF[t] in targets]
        if pairs:
            lines.append("")
            lines.append("## TLS cost per target (TLS rps / plaintext rps of the same target, same repetition)")
            lines.append("")
            head = ["case"] + [f"{t} / {pl}" for t, pl in pairs] \
                + [f"{t} CPU µs/req − {pl}" for t, pl in pairs if t != "redis-tls"]
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
            for c in cases:
                if all(is_na(c, t) == "skipped" for t, _ in pairs):
                    continue  # left out by quick mode
                row = [c.name] + [fmt_ratio(list(ratios(c, t, "ratio_vs_plain").values())) for t, _ in pairs]
                for t, pl in pairs:
                    if t == "redis-tls":
                        continue
                    a, b = cpus(c, t), cpus(c, pl)
                    row.append(fmt_us(med([a[k] - b[k] for k in set(a) & set(b)])))
                lines.append("| " + " | ".join(row) + " |")
            lines.append("")
            lines.append("TLS rps / plaintext rps: median (min-max) of the per-repetition quotient (1.00 = TLS is "
                         "free). CPU µs/req − plaintext: median over repetitions of the extra proxy CPU per request "
                         "that TLS costs (for redis-tls / direct see the redis CPU columns).")
        if "respgate-tls" in tls and "haproxy-tls" in tls:
            lines += versus_table("respgate-tls", "haproxy-tls", "ratio_vs_redis_tls",
                                  "Target with TLS: RespGate ratio >= HAProxy ratio and RespGate CPU/req <= HAProxy "
                                  "CPU/req")

    if hs_results:
        lines.append("")
        lines.append("## TLS connection rate (new connections, full TLS 1.3 handshakes)")
        lines.append("")
        w = max(r.get("workers", 0) for r in hs_results)
        secs = hs_results[0].get("seconds", "?")
        lines.append("| target | mode | clients | conn/s | ms per connection p50 / p99 | server CPU µs/conn | "
                     "redis CPU µs/conn | client CPU µs/conn | errors |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        hby = {}
        for r in hs_results:
            hby.setdefault((r["target"], r["mode"]), []).append(r)
        for mode in HANDSHAKE_MODES:
            for t in tls:
                rows = hby.get((t, mode), [])
                ok = [r for r in rows if r["ok"]]
                if not rows:
                    continue
                cps = [r["conn_per_s"] for r in ok]
                rate = "-" if not cps else (f"{med(cps):,.0f}" + (f" ({min(cps):,.0f}-{max(cps):,.0f})"
                                                                   if len(cps) > 1 else ""))
                p50 = med([r.get("p50_ms") for r in ok])
                p99 = med([r.get("p99_ms") for r in ok])
                lat = "-" if p50 is None else f"{p50:.2f} / {p99:.2f}"
                srv = med([r.get("server_cpu_us_per_conn") for r in ok])
                red = med([r.get("redis_cpu_us_per_conn") for r in ok]) if t != "redis-tls" else None
                cli = med([r.get("client_cpu_us_per_conn") for r in ok])
                errs = sum(r.get("errors", 0) for r in rows)
                nfail = len(rows) - len(ok)
                lines.append(f"| {t} | {mode} | {rows[0].get('workers', '?')} | {rate} | {lat} | {fmt_us1(srv)} | "
                             f"{fmt_us1(red) if t != 'redis-tls' else '(= server)'} | {fmt_us1(cli)} | "
                             f"{errs}{f' ({nfail} failed)' if nfail else ''} |")
        lines.append("")
        lines.append(f"{w} client processes (bench/scripts/tls_handshakes.py, Python ssl = OpenSSL; 1 for "
                     f"ping-1client) each open connections one after another for {secs} s per repetition; every "
                     "connection is a new TCP connection and a full TLS 1.3 handshake (no resumption), certificate "
                     "verified. Mode **handshake**: close right after the handshake; **ping**: send PING and wait "
                     "for +PONG first (the first round trip of a new client; a proxy also connects to Redis); "
                     "**ping-1client**: the same from one client, i.e. the time a new connection takes on an idle "
                     "server (its ms per connection is the number to compare; no CPU contention). conn/s = "
                     "connections completed / window, median (min-max) over the repetitions; on this machine it "
                     "is bounded by the clients' own CPU (client CPU µs/conn) as much as by the server. **server "
                     "CPU µs/conn** (utime+stime of the target process / connections) is the cost that does not "
                     "depend on the client; for the proxies, Redis's CPU for the upstream connection is apart.")

    if idle_results:
        lines += idle_section(idle_results)
    failed = [r for r in results if not r["ok"] and not r.get("na")]
    if failed:
        lines.append("")
        lines.append(f"## Failed runs ({len(failed)})")
        lines.append("")
        for r in failed[:50]:
            lines.append(f"- rep {r['rep']} {r['case']} {r['target']}: {r['note']}")
    hs_failed = [r for r in hs_results if not r["ok"] or r.get("note")]
    if hs_failed:
        lines.append("")
        lines.append(f"## Connection-rate runs with errors ({len(hs_failed)})")
        lines.append("")
        for r in hs_failed[:30]:
            lines.append(f"- rep {r.get('rep')} {r['target']} {r['mode']}: {r['note']}")
    notes = sorted({(r["target"], r["note"]) for r in results if r["ok"] and r["note"]})
    if notes:
        lines.append("")
        lines.append("## redis-benchmark warnings")
        lines.append("")
        for t, n in notes[:20]:
            lines.append(f"- {t}: {n}")
    return "\n".join(lines) + "\n"


def goals_section(cases, order, by, idle_results):
    """Issue 6's goals, one line each, on the medians of this run."""
    def ok_rows(case, target):
        return [r for r in by.get((case.name, target), []) if r["ok"]]

    def med_of(case, target, field):
        return med([r.get(field) for r in ok_rows(case, target)])

    lines = ["## Issue 6 goals (this run, medians)", "",
             "| goal | figures (median per case) | met |", "|---|---|---|"]
    c50 = [c for c in cases if c.clients == 50]
    c1 = [c for c in cases if c.clients == 1]

    def verdict(checks):
        """checks: [(case name, bool or None)] -> 'met (n/n cases)' / 'not met (...)' / 'not measured'."""
        done = [(n, v) for n, v in checks if v is not None]
        if not done:
            return "not measured"
        bad = [n for n, v in done if not v]
        if not bad:
            return f"**met** ({len(done)}/{len(done)} cases)"
        return f"**not met** ({len(done) - len(bad)}/{len(done)} cases; not in {', '.join(bad)})"

    def ratio_goal(label, ours, others, field, case_list):
        if ours not in order:
            return f"| {label} | {ours} did not run | not measured |"
        figs, checks = [], []
        for c in case_list:
            mine = med_of(c, ours, field)
            theirs = [(o, med_of(c, o, field)) for o in others if o in order]
            theirs = [(o, v) for o, v in theirs if v is not None]
            if mine is None or not theirs:
                continue
            figs.append(f"{c.name}: {mine:.2f} vs " + ", ".join(f"{o} {v:.2f}" for o, v in theirs))
            checks.append((c.name, all(mine >= v for _, v in theirs)))
        return f"| {label} | {'; '.join(figs) or '-'} | {verdict(checks)} |"

    rg = "respgate-policy"
    lines.append(ratio_goal("Plaintext, 50 clients: throughput ratio to direct of respgate-policy (policy enforced) "
                            ">= haproxy's and twemproxy's", rg, ["haproxy", "twemproxy"], "ratio_vs_direct", c50))
    figs, checks = [], []
    if rg in order and "haproxy" in order:
        for c in c50:
            mine, theirs = med_of(c, rg, "proxy_cpu_us_per_req"), med_of(c, "haproxy", "proxy_cpu_us_per_req")
            if mine is None or theirs is None:
                continue
            figs.append(f"{c.name}: {mine:.2f} vs {theirs:.2f}")
            checks.append((c.name, mine <= theirs))
    lines.append(f"| Plaintext, 50 clients: proxy CPU µs/req of respgate-policy <= haproxy's | "
                 f"{'; '.join(figs) or '-'} | {verdict(checks)} |")
    lines.append(ratio_goal("TLS, 50 clients: throughput ratio to redis-tls of respgate-tls >= haproxy-tls's and "
                            "stunnel's", "respgate-tls", ["haproxy-tls", "stunnel"], "ratio_vs_redis_tls", c50))
    figs, checks = [], []
    if "haproxy" in order:
        for c in c1:
            def added(t):
                d = {r["rep"]: r["p50_latency_ms"] for r in ok_rows(c, "direct")}
                return med([r["p50_latency_ms"] - d[r["rep"]] for r in ok_rows(c, t) if r["rep"] in d])
            hp = added("haproxy")
            mine = {t: added(t) for t in ("respgate-policy", "respgate") if t in order}
            mine = {t: v for t, v in mine.items() if v is not None}
            if hp is None or not mine:
                continue
            figs.append(f"{c.name}: " + ", ".join(f"{t} +{v * 1000:.0f} µs" for t, v in mine.items())
                        + f" vs haproxy +{hp * 1000:.0f} µs")
            checks.append((c.name, all(v <= hp for v in mine.values())))
    lines.append(f"| 1 client: p50 latency added over direct (same repetition) by RespGate (policy and "
                 f"allow-all) <= haproxy's | {'; '.join(figs) or '-'} | {verdict(checks)} |")
    figs, checks = [], []
    for r in idle_results:
        if r["target"] in ("respgate-policy", "respgate") and r.get("kib_per_conn") is not None:
            figs.append(f"{r['target']} {r['kib_per_conn']:.1f} KiB/conn ({r['opened']:,} connections)")
            checks.append((r["target"], r["kib_per_conn"] <= IDLE_GOAL_KIB))
    others = [f"{r['target']} {r['kib_per_conn']:.1f}" for r in idle_results
              if r["target"] not in RESPGATES and r.get("kib_per_conn") is not None]
    if others:
        figs.append("for reference: " + ", ".join(others))
    v = verdict(checks).replace("cases", "targets")
    lines.append(f"| Idle connections: RespGate's RSS per connection <= {IDLE_GOAL_KIB:.0f} KiB | "
                 f"{'; '.join(figs) or '-'} | {v} |")
    lines += ["", "50-client cases: every case with 50 clients that both sides ran (GET/SET P1 and P16, MGET10, "
              "TX; twemproxy has no TX). Ratios are taken within a repetition and then the median; latency added "
              "= target p50 - direct p50 of the same repetition, median. One repetition or a wide spread "
              "(see the tables below) makes a verdict weak: rerun with more --reps before quoting it.", ""]
    return lines


def idle_section(rows):
    lines = ["", "## Idle connections: memory per connection", "",
             "| target | connections | RSS before / after MiB | **KiB per connection** | fds per connection | "
             "JVM heap after GC before / after MiB | heap KiB per connection | JVM direct buffers before / after MiB | "
             "Redis KiB per connection | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]

    def mib(x):
        return "-" if x is None else f"{x / 1024:.1f}"

    def mib_b(x):
        return "-" if x is None else f"{x / 1048576:.1f}"

    for r in rows:
        if r.get("kib_per_conn") is None:
            lines.append(f"| {r['target']} | {r.get('connections', '-')} | - | - | - | - | - | - | - | "
                         f"{r.get('note', '')} |")
            continue
        heap = ("-" if r.get("heap_after_bytes") is None
                else f"{mib_b(r.get('heap_before_bytes'))} / {mib_b(r.get('heap_after_bytes'))}")
        direct = ("-" if r.get("direct_after_bytes") is None
                  else f"{mib_b(r.get('direct_before_bytes'))} / {mib_b(r.get('direct_after_bytes'))}")
        lines.append(f"| {r['target']} | {r['opened']:,} | {mib(r['rss_before_kib'])} / {mib(r['rss_after_kib'])} | "
                     f"**{r['kib_per_conn']:.2f}** | {r['fds_per_conn']:.2f} | {heap} | "
                     f"{fmt_us(r.get('heap_kib_per_conn'))} | {direct} | "
                     f"{'(= target)' if r['target'] == 'direct' else fmt_us(r.get('redis_kib_per_conn'))} | "
                     f"{r.get('note', '')} |")
    lines += ["", "KiB per connection = (RSS after - RSS before) / connections, RSS = VmRSS of the target's process "
              "tree, each proxy a fresh process measured after a 100-connection warm-up; every connection sent AUTH "
              "where the target needs it (respgate-policy) and one GET, so a proxy that connects upstream lazily "
              "has its Redis connection open too (fds per connection: 2 = client side + upstream). Heap: "
              "jvm_memory_used_bytes{area=heap} from RespGate's /metrics after `jcmd PID GC.run`; direct buffers: "
              "jvm_buffer_memory_used_bytes{id=direct} (Netty's buffers). Redis KiB per "
              "connection: Redis's RSS growth over the same window (the proxy's upstream connections)."]
    return lines


# --------------------------------------------------------------------------- main

QUICK_SKIP_CASES = {"SET c1000 P1"}
# (case, on a TLS target) -> why quick mode skips it: with TLS a 1,000-client run is mostly 1,000 handshakes
# (2-3 s per target, stunnel's thread per connection 7 s).
QUICK_SKIP_RUNS = {("GET c1000 P1", True): "skipped in quick mode (1,000 TLS handshakes per run)"}
QUICK_MAX_CLIENTS_WARMUP = 1000  # quick mode warms up no case with this many clients
QUICK = {"reps": 1, "requests": 8000, "handshake_seconds": 0.5, "idle_connections": 2000}
FULL = {"reps": 3, "requests": 100000, "handshake_seconds": 3.0, "idle_connections": 10000}


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="End-to-end benchmark: direct Redis vs HAProxy (mode tcp, 1 thread) vs twemproxy vs RespGate "
                    "(allow-all policy) vs RespGate with a realistic policy, and with TLS 1.3: Redis's TLS port "
                    "vs HAProxy (ssl) vs RespGate (listen.tls) vs stunnel; redis-benchmark GET/SET at 50 clients "
                    "P1, 50 clients P16, 1 client P1 and 1,000 clients P1, MGET of 10 keys and pipelined MULTI/EXEC "
                    "(bench/scripts/tx_driver.py); a TLS connection-rate test; proxy memory with idle connections; "
                    "Markdown, CSV and a PNG chart under bench/results/.")
    ap.add_argument("--observability", action="store_true",
                    help="run the metrics/audit overhead benchmark instead (one jar with metrics.commands false, no "
                         "audit log and no admin endpoint vs the same jar with all of them; "
                         "bench/scripts/observability.py; options: bench/run --observability --help)")
    ap.add_argument("--quick", action="store_true",
                    help=f"short run (under 2 minutes on an idle 2-core machine): {QUICK['requests']} requests, "
                         f"{QUICK['reps']} repetition, {QUICK['handshake_seconds']:g} s connection-rate runs, "
                         f"{QUICK['idle_connections']} idle connections, warm-up of the RespGates only, "
                         f"without {', '.join(sorted(QUICK_SKIP_CASES))} and without 1,000 clients on the TLS targets")
    ap.add_argument("--reps", type=int, help=f"repetitions (default {FULL['reps']}, quick {QUICK['reps']})")
    ap.add_argument("--requests", type=int,
                    help=f"requests for the 50-client P1 case (default {FULL['requests']}, quick {QUICK['requests']}); "
                         "the other cases run a multiple of it: " + ", ".join(
                             f"{lab} {m:g}x" for lab, _, _, m in FOUNDATION_SHAPES[1:])
                         + ", " + ", ".join(f"{op} {lab} {m:g}x" for op, lab, _, _, m in MIX_CASES))
    ap.add_argument("--out", default=str(REPO / "bench" / "results"),
                    help="output directory (default bench/results/)")
    ap.add_argument("--targets", default=",".join(ALL_TARGETS),
                    help="comma-separated subset of " + ",".join(ALL_TARGETS) + " (direct is always included, "
                         "redis-tls whenever a TLS target is)")
    ap.add_argument("--no-tls", action="store_true", help="leave out the TLS targets (the run before TLS)")
    ap.add_argument("--handshake-seconds", type=float,
                    help=f"seconds per TLS connection-rate run (default {FULL['handshake_seconds']:g}, quick "
                         f"{QUICK['handshake_seconds']:g}; 0 = skip the test)")
    ap.add_argument("--handshake-workers", type=int, default=4,
                    help="client processes of the TLS connection-rate test (default 4)")
    ap.add_argument("--idle-connections", type=int,
                    help=f"idle connections per target in the memory test (default {FULL['idle_connections']}, "
                         f"quick {QUICK['idle_connections']}; 0 = skip the test; capped by the open-files limit)")
    ap.add_argument("--idle-only", action="store_true",
                    help="only the idle-connection memory test (no throughput runs, no connection-rate test)")
    ap.add_argument("--idle-jvm-opts", default=IDLE_JVM_OPTS,
                    help=f"JVM flags of the RespGates of the memory test (default '{IDLE_JVM_OPTS}': no "
                         "AlwaysPreTouch, so heap growth shows in the RSS)")
    ap.add_argument("--ops", default=",".join(ALL_OPS), help="comma-separated subset of " + ",".join(ALL_OPS))
    ap.add_argument("--no-chart", action="store_true", help="do not draw the PNG chart")
    ap.add_argument("--chart-python", default=CHART_PYTHON,
                    help=f"Python interpreter with matplotlib for the chart (default {CHART_PYTHON}, the Debian "
                         "python3-matplotlib one)")
    ap.add_argument("--jar", help=f"RespGate jar (default {JAR_REL}, built if missing)")
    ap.add_argument("--no-build", action="store_true", help="never run maven; skip RespGate if the jar is missing")
    ap.add_argument("--respgate-cmd",
                    help="command to start RespGate instead of java -jar; '{config}' is replaced by the "
                         "generated YAML path")
    ap.add_argument("--jvm-opts", default=os.environ.get("RESPGATE_BENCH_JVM_OPTS", DEFAULT_JVM_OPTS),
                    help=f"JVM flags for RespGate (default: $RESPGATE_BENCH_JVM_OPTS or '{DEFAULT_JVM_OPTS}')")
    ap.add_argument("--warmup", type=int,
                    help="requests per case for the untimed warm-up pass against RespGate "
                         "(default = --requests; direct and the other proxies get a 1/10 pass, none in quick mode)")
    ap.add_argument("--run-timeout", type=int, default=300, help="timeout per redis-benchmark run, seconds")
    ap.add_argument("--startup-timeout", type=int, default=60, help="seconds to wait for RespGate to answer PING")
    ap.add_argument("--build-timeout", type=int, default=900, help="seconds allowed for the maven build")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir with configs and logs")
    a = ap.parse_args(argv)
    dflt = QUICK if a.quick else FULL
    a.reps = a.reps if a.reps is not None else dflt["reps"]
    a.requests = a.requests if a.requests is not None else dflt["requests"]
    if a.reps < 1 or a.reps > 100:
        ap.error("--reps must be in 1..100")
    if a.requests < 100:
        ap.error("--requests must be >= 100")
    a.warmup = a.warmup if a.warmup is not None else a.requests
    ts = [t.strip().lower() for t in a.targets.split(",") if t.strip()]
    bad = [t for t in ts if t not in ALL_TARGETS]
    if bad:
        ap.error(f"unknown target(s): {', '.join(bad)}")
    if a.no_tls:
        ts = [t for t in ts if t not in TLS_TARGETS]
    if any(t in TLS_TARGETS for t in ts):
        ts.append("redis-tls")
    a.targets = [t for t in ALL_TARGETS if t in ts or t == "direct"]
    a.handshake_seconds = a.handshake_seconds if a.handshake_seconds is not None else dflt["handshake_seconds"]
    if a.handshake_seconds < 0 or a.handshake_workers < 1 or a.handshake_workers > 64:
        ap.error("--handshake-seconds must be >= 0 and --handshake-workers in 1..64")
    a.idle_connections = a.idle_connections if a.idle_connections is not None else dflt["idle_connections"]
    if a.idle_connections < 0:
        ap.error("--idle-connections must be >= 0")
    if a.idle_only:
        if not a.idle_connections:
            ap.error("--idle-only needs --idle-connections > 0")
        a.handshake_seconds = 0.0
    ops = [o.strip().upper() for o in a.ops.split(",") if o.strip()]
    if not ops or any(o not in ALL_OPS for o in ops):
        ap.error("--ops must be a subset of " + ",".join(ALL_OPS))
    a.ops = [o for o in ALL_OPS if o in ops]
    return a


def main(argv):
    if "--observability" in argv:
        # The metrics/audit overhead benchmark (bench/scripts/observability.py): its own targets and options.
        import observability
        return observability.main([a for a in argv if a != "--observability"])
    args = parse_args(argv)
    started = datetime.datetime.now()
    outdir = Path(args.out)
    mgr = Managed()
    tmp = Path(tempfile.mkdtemp(prefix="respgate-bench-"))
    ok = False
    skipped = {}

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # SIGINT explicitly too: Python leaves it ignored when started from a non-interactive background job.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    jar_warning = None
    # 1,000 clients and the idle-connection test need many file descriptors: raise the soft limit to
    # the hard one (redis-server, the proxies and redis-benchmark inherit it). A proxy needs two per idle
    # connection (client and upstream side), so the hard limit caps --idle-connections.
    nofile = idle_memory.raise_nofile()[0]
    idle_n = args.idle_connections
    idle_cap_note = None
    if idle_n > idle_memory.max_connections(nofile):
        idle_n = idle_memory.max_connections(nofile)
        idle_cap_note = (f"{idle_n:,} instead of {args.idle_connections:,} idle connections: the open-files limit "
                         f"is {nofile:,} (RLIMIT_NOFILE hard limit; raising it needs CAP_SYS_RESOURCE) and a proxy "
                         f"needs two descriptors per connection")
        log(f"warning: {idle_cap_note}")
    try:
        ensure_tools(args.targets)
        targets_wanted = list(args.targets)
        # The idle-connection test's targets; with --idle-only nothing else is started but Redis.
        idle_wanted = [t for t in IDLE_TARGETS if t in args.targets]
        if args.idle_only:
            targets_wanted = ["direct"]
        jar = None
        if any(t in targets_wanted + idle_wanted for t in RESPGATES) and not args.respgate_cmd:
            jar, why = find_or_build_jar(args, tmp)
            if jar is None:
                for t in RESPGATES:
                    if t in targets_wanted or t in idle_wanted:
                        skipped[t] = why
                    if t in targets_wanted:
                        targets_wanted.remove(t)
                    if t in idle_wanted:
                        idle_wanted.remove(t)
                log(f"\n*** SKIPPING RespGate: {why}\n")
            elif jar is not None and not args.jar:  # a jar given with --jar is the user's choice
                stale = jar_staleness(jar)
                if stale:
                    log(f"warning: {stale}")
                    jar_warning = stale

        def skip_tls(why):
            for t in TLS_TARGETS:
                if t in targets_wanted:
                    skipped[t] = why
                    targets_wanted.remove(t)
            log(f"\n*** SKIPPING the TLS targets: {why}\n")

        certs = None
        if any(t in targets_wanted for t in TLS_TARGETS):
            try:
                certs = tls_setup.make_certs(tmp / "tls")
            except (tls_setup.CertError, OSError, subprocess.TimeoutExpired) as e:
                skip_tls(f"could not make the test certificates: {e}")

        cases = [Case(op, label, c, p, max(1, int(round(args.requests * mult))))
                 for op in args.ops if op in OPS for (label, c, p, mult) in FOUNDATION_SHAPES]
        cases += [Case(op, label, c, p, max(1, int(round(args.requests * mult))))
                  for (op, label, c, p, mult) in MIX_CASES if op in args.ops]
        if args.quick:
            # Quick mode's time budget: 1,000 clients for GET only (on the TLS targets each run is 1,000
            # handshakes, and stunnel's thread per connection makes it the slowest run of all).
            cases = [c for c in cases if c.name not in QUICK_SKIP_CASES]
        if args.idle_only:
            cases = []
        # Redis serves every target at once (the proxies' upstream connections too) and the idle test.
        maxclients = max(10000, min(nofile - 64, idle_n + 4000))

        log(f"temp dir {tmp}")
        phases = {}  # wall seconds per phase, for the report header (quick mode's time budget)
        t_phase = time.monotonic()

        def phase(name):
            nonlocal t_phase
            now = time.monotonic()
            phases[name] = phases.get(name, 0.0) + now - t_phase
            t_phase = now
        try:
            redis, redis_tls = start_redis(mgr, tmp, certs, maxclients)
        except BenchError as e:
            if certs is None:
                raise
            mgr.stop_all()
            skip_tls(f"redis-server with --tls-port failed: {e}")
            certs = None
            redis, redis_tls = start_redis(mgr, tmp, None, maxclients)
        resp_exchange(redis.port, resp_cmd("SET", BENCH_KEY, "xxx"), b"+OK\r\n")
        # MGET10's keys and the idle test's key exist, so they hit.
        resp_exchange(redis.port, resp_cmd("MSET", *[x for k in MGET_KEYS for x in (k, "xxx")]), b"+OK\r\n")
        resp_exchange(redis.port, resp_cmd("SET", idle_memory.IDLE_KEY, idle_memory.IDLE_VALUE), b"+OK\r\n")
        targets = {"direct": redis}
        if redis_tls is not None:
            targets["redis-tls"] = redis_tls
        if "haproxy" in targets_wanted:
            targets["haproxy"] = start_haproxy(mgr, tmp, redis.port)
        for name, starter in (("twemproxy", lambda: start_twemproxy(mgr, tmp, redis.port)),
                              ("haproxy-tls", lambda: start_haproxy(mgr, tmp, redis.port, certs)),
                              ("stunnel", lambda: start_stunnel(mgr, tmp, redis.port, certs))):
            if name not in targets_wanted:
                continue
            try:
                targets[name] = starter()
            except (BenchError, OSError, subprocess.TimeoutExpired) as e:
                skipped[name] = f"failed to start: {e}"
                log(f"\n*** SKIPPING {name}: {e}\n")
                targets_wanted.remove(name)
        respgate_argvs = {}
        # Start the JVMs together, then wait for each (start-up is mostly waiting on one core).
        for name in RESPGATES:
            if name not in targets_wanted:
                continue
            targets[name], respgate_argvs[name] = start_respgate(
                mgr, tmp, redis.port, args, jar, name, certs if name == "respgate-tls" else None, wait=False)
        for name in RESPGATES:
            if name not in targets_wanted:
                continue
            try:
                finish_respgate(targets[name])
            except BenchError as e:
                skipped[name] = f"failed to start: {e}"
                log(f"\n*** SKIPPING {name}: {e}\n")
                targets_wanted.remove(name)
        for name in list(targets_wanted):
            if name not in targets_wanted:  # dropped by skip_tls() meanwhile
                continue
            tg = targets[name]
            try:
                sanity_check(name, tg.port, tg.auth, tls=tg.tls_context(), info=tg.tls_info)
            except (BenchError, OSError, ssl.SSLError) as e:
                if name == "direct":
                    raise
                if name == "redis-tls":
                    skip_tls(f"redis-tls sanity check failed: {e}")
                    continue
                skipped[name] = f"sanity check failed: {e}"
                log(f"\n*** SKIPPING {name}: {e}\n")
                targets_wanted.remove(name)
        order = [t for t in ALL_TARGETS if t in targets_wanted]
        log("targets: " + ", ".join(f"{t}={LOOPBACK}:{targets[t].port}" for t in order))

        # Warm-up (untimed, not recorded): JIT for RespGate, connection/page-cache effects for the rest.
        # Quick mode warms up the RespGates only (their JIT); the native servers need none to speak of.
        phase("start-up")
        log("warm-up pass ...")
        for t in order:
            if args.quick and t not in RESPGATES:
                continue
            # The mix cases first: warmed up last, their new command shapes (MULTI/EXEC, MGET) made the JIT
            # recompile the hot path during the first timed GET runs, whose CPU/req then included it.
            for c in sorted(cases, key=lambda c: c.op in OPS):
                if unsupported(t, c) or (args.quick and c.clients >= QUICK_MAX_CLIENTS_WARMUP):
                    continue  # quick: no 1,000-client warm-up (connection set-up, JIT-ed by the others)
                n = args.warmup if t in RESPGATES else max(100, args.warmup // 10)
                n = max(100, 2 * c.clients * c.pipeline, int(n * c.requests / args.requests))
                r = run_benchmark(targets[t], c, n, redis, args.run_timeout)
                if not r["ok"]:
                    log(f"  warm-up {t} {c.name}: FAILED {r['note']}")
        tls_order = [t for t in order if t in TLS_TARGETS]
        hs_seconds = args.handshake_seconds if tls_order else 0
        if hs_seconds:
            # New-connection path (accept, handshake, upstream connect): JIT for respgate-tls. The native
            # servers need no warm-up.
            for t in tls_order:
                if t not in RESPGATES:
                    continue
                r = run_handshakes(targets[t], redis, "ping", HANDSHAKE_WARMUP_S / 2 if args.quick else HANDSHAKE_WARMUP_S,
                                   args.handshake_workers, args.run_timeout)
                if not r["ok"]:
                    log(f"  warm-up {t} connection rate: FAILED {r['note']}")

        phase("warm-up")
        results = []
        hs_results = []
        total = args.reps * len(cases) * len(order)
        i = 0
        for rep in range(1, args.reps + 1):
            k = (rep - 1) % len(order)
            rot = order[k:] + order[:k]
            for c in cases:
                rep_rows = []
                for t in rot:
                    i += 1
                    if args.quick and (c.name, t in TLS_TARGETS) in QUICK_SKIP_RUNS:
                        r = {"target": t, "tls": t in TLS_TARGETS, "case": c.name, "op": c.op, "clients": c.clients,
                             "pipeline": c.pipeline, "requests": c.requests, "ok": False, "na": "skipped",
                             "note": QUICK_SKIP_RUNS[(c.name, t in TLS_TARGETS)]}
                    else:
                        r = run_benchmark(targets[t], c, c.requests, redis, args.run_timeout)
                    r["rep"] = rep
                    r["order"] = rot.index(t)
                    r["timestamp"] = datetime.datetime.now().isoformat(timespec="seconds")
                    rep_rows.append(r)
                    if r.get("na"):
                        log(f"[{i}/{total}] rep {rep} {c.name:<16} {t:<15} {r['note']}")
                    elif r["ok"]:
                        cpu = r.get("proxy_cpu_us_per_req")
                        log(f"[{i}/{total}] rep {rep} {c.name:<16} {t:<15} {r['rps']:>11,.0f} rps  "
                            f"p50 {r['p50_latency_ms']:.3f} p99 {r['p99_latency_ms']:.3f} ms  "
                            + (f"proxy {cpu:.2f} " if cpu is not None else "")
                            + f"redis {r['redis_cpu_us_per_req']:.2f} µs/req")
                    else:
                        log(f"[{i}/{total}] rep {rep} {c.name:<16} {t:<15} FAILED: {r['note']}")
                rps_of = {r["target"]: r["rps"] for r in rep_rows if r["ok"]}

                def quotient(r, other):
                    return round(r["rps"] / rps_of[other], 4) if r["ok"] and rps_of.get(other) else None

                for r in rep_rows:
                    r["ratio_vs_direct"] = quotient(r, "direct")
                    if r["target"] in TLS_TARGETS:
                        r["ratio_vs_redis_tls"] = quotient(r, "redis-tls")
                    if r["target"] in PLAIN_OF:
                        r["ratio_vs_plain"] = quotient(r, PLAIN_OF[r["target"]])
                    if r["target"] == "respgate-policy":
                        r["ratio_vs_allow_all"] = quotient(r, "respgate")
                results.extend(rep_rows)
            phase("timed runs")
            if hs_seconds:
                trot = [t for t in rot if t in TLS_TARGETS]
                for label, mode, nw in HANDSHAKE_RUNS:
                    for t in trot:
                        r = run_handshakes(targets[t], redis, mode, hs_seconds, nw or args.handshake_workers,
                                           args.run_timeout, label)
                        r["rep"] = rep
                        r["timestamp"] = datetime.datetime.now().isoformat(timespec="seconds")
                        hs_results.append(r)
                        if r.get("connections"):
                            log(f"[tls conn] rep {rep} {label:<12} {t:<15} {r['conn_per_s']:>8,.0f} conn/s  "
                                f"p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms  server "
                                f"{r['server_cpu_us_per_conn']:.0f} redis {r['redis_cpu_us_per_conn']:.0f} client "
                                f"{r['client_cpu_us_per_conn']:.0f} µs/conn"
                                + (f"  {r['note']}" if r["note"] else ""))
                        else:
                            log(f"[tls conn] rep {rep} {label:<12} {t:<15} FAILED: {r['note']}")
                phase("TLS connection rate")

        idle_results, idle_shown = [], {}
        idle_order = idle_wanted if args.idle_only else [t for t in idle_wanted if t in order]
        if idle_n and idle_order:
            idle_results, idle_shown = run_idle_test(mgr, tmp, args, jar, redis, idle_order, idle_n)
            phase("idle connections")

        finished = datetime.datetime.now()
        info = machine_info()
        header = [
            ("date", f"{started.isoformat(timespec='seconds')} to {finished.isoformat(timespec='seconds')}"),
            ("machine", f"{info['host']}, nproc {info['nproc']}, {info['cpu']}, kernel {info['kernel']}"),
            ("load average", f"{meta_load_start} at start, {loadavg()} at end"),
            ("redis", cmd_version(["redis-server", "--version"])),
            ("redis-benchmark", cmd_version(["redis-benchmark", "--version"])),
        ]
        if "haproxy" in order or "haproxy-tls" in order or "haproxy" in idle_order:
            header.append(("haproxy", cmd_version(["haproxy", "-v"]) + "; mode tcp, nbthread 1, timeouts 1h"
                           + ("; haproxy-tls: its own process, 'bind ... ssl crt <cert+key> ssl-min-ver TLSv1.3 "
                              "ssl-max-ver TLSv1.3', " + haproxy_ssl_lib() if "haproxy-tls" in order else "")))
        if "twemproxy" in order or "twemproxy" in idle_order:
            header.append(("twemproxy", cmd_version([twemproxy_bin(), "--version"])
                           + "; redis: true, one pool with the one Redis, server_connections 1, preconnect, no "
                             "timeout (waits indefinitely), backlog " + str(REDIS_BACKLOG)
                           + "; single-threaded; MULTI/EXEC and CONFIG are not supported (TX: n/a)"))
        if any(t in order or t in idle_order for t in RESPGATES):
            if not args.respgate_cmd:
                header.append(("java", cmd_version([java_bin(), "-version"])))
            for t in RESPGATES:
                if t in order:
                    header.append((t, respgate_argvs[t]))
            if any(t in order for t in RESPGATES):
                header.append(("JVM flags", args.jvm_opts if not args.respgate_cmd else "(custom --respgate-cmd)"))
            if any(t in order or t in idle_order for t in ("respgate", "respgate-tls")):
                header.append((", ".join(t for t in ("respgate", "respgate-tls") if t in order or t in idle_order)
                               + " policy",
                               "allow-all: guardrails lifted, open default user"))
            if "respgate-tls" in order:
                header.append(("respgate-tls TLS", "listen.tls {cert_file, key_file, protocols: [TLSv1.3]}, "
                               "no client certificates, upstream plaintext; its log says: "
                               + respgate_tls_line(targets["respgate-tls"].logpath)))
            if "respgate-policy" in order or "respgate-policy" in idle_order:
                header.append(("respgate-policy policy",
                               f"default guardrails, default off, user {POLICY_USER} "
                               "'~key:* ~counter:* ~mylist ~myset:* &* +@all -@dangerous' (redis-benchmark "
                               f"--user {POLICY_USER} -a ..., AUTH on every connection) and 19 more users of "
                               "10 key patterns each"))
        if "stunnel" in order:
            header.append(("stunnel", stunnel_version()
                           + "; foreground, debug 3 (errors only), sslVersionMin/Max TLSv1.3, one thread per "
                             "connection (stunnel's default)"))
        if tls_order:
            negotiated = "; ".join(f"{t} {targets[t].tls_info.get('version', '?')} "
                                   f"{targets[t].tls_info.get('cipher', '?')}" for t in tls_order)
            header.append(("TLS", "TLS 1.3 only on every TLS target; one throwaway CA and server certificate "
                           "(EC P-256, ECDSA-SHA256, SAN IP:127.0.0.1) made at run time with "
                           + cmd_version(["openssl", "version"]) + "; redis-benchmark --tls --cacert ca.crt; "
                           "negotiated (sanity check, Python client): " + negotiated))
            if hs_seconds:
                header.append(("TLS connection rate", f"{args.handshake_workers} client processes (1 for "
                               f"ping-1client) x {hs_seconds:g} s per target, mode and repetition (plus a "
                               f"{HANDSHAKE_WARMUP_S / 2 if args.quick else HANDSHAKE_WARMUP_S:g} s warm-up against respgate-tls); "
                               "bench/scripts/tls_handshakes.py"))
        if jar_warning:
            header.append(("warning", jar_warning))
        for t, why in skipped.items():
            # First line, plus the last line of a quoted log tail (the error itself).
            lines_ = [l.strip() for l in why.splitlines() if l.strip()]
            header.append((f"{t} skipped", lines_[0] + (f" … {lines_[-1]}" if len(lines_) > 1 else "")))
        if "MGET10" in args.ops or "TX" in args.ops:
            header.append(("mix cases", "MGET10: redis-benchmark custom command `MGET key:mget:0 … key:mget:9` "
                           "(10 keys of 3 B, pre-set); TX: bench/scripts/tx_driver.py (redis-benchmark cannot send "
                           "MULTI…EXEC), one Python process, 50 connections, each sending pipelines of 4 "
                           "transactions `MULTI / SET key:tx:<n> txv / GET key:tx:<n> / EXEC` (16 commands) and "
                           "checking every reply byte; its rps counts commands, its latency is the 16-command "
                           "pipeline's round trip"))
        if idle_results:
            header.append(("idle connections",
                           f"{idle_n:,} per target, opened from one Python process in batches of "
                           f"{idle_memory.BATCH} (AUTH when the target needs it, then GET {idle_memory.IDLE_KEY}), "
                           "after a warm-up of 100 connections opened and closed the same way; RSS = VmRSS of the "
                           "process tree; each proxy a fresh process: "
                           + "; ".join(f"{t}: {v}" for t, v in idle_shown.items())
                           + f"; RespGate JVM flags {args.idle_jvm_opts}, admin endpoint for the heap figures"))
        if idle_cap_note:
            header.append(("warning", idle_cap_note))
        header.append(("file descriptors", f"RLIMIT_NOFILE {nofile:,} (raised to the hard limit for every process "
                       f"started); redis-server --maxclients {maxclients} --tcp-backlog {REDIS_BACKLOG}; HAProxy "
                       f"maxconn {HAPROXY_MAXCONN}"))
        header.append(("duration", f"{(finished - started).total_seconds():.0f} s: "
                       + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())))
        header.append(("parameters",
                       f"reps {args.reps}{' (quick)' if args.quick else ''}; requests per run: "
                       + ", ".join(f"{c.name} {c.requests}" for c in cases)
                       + f"; warm-up {args.warmup}/case for respgate targets"
                       + (" (others none)" if args.quick else "")
                       + "; value size 3 B, one key (no -r); "
                         f"targets in rotated order per repetition: {', '.join(order)}; "
                         f"all on {LOOPBACK}, no CPU pinning; CPU from /proc/PID/stat (CLK_TCK {CLK_TCK})"))
        meta = {"date": started.strftime("%Y-%m-%d"), "header": header}

        outdir.mkdir(parents=True, exist_ok=True)
        stem = f"{started.strftime('%Y-%m-%d')}-foundation"
        md_path = unique_path(outdir, stem, "md")
        md_path.write_text("")  # claim the name
        csv_path = md_path.with_suffix(".csv")
        cols = ["timestamp", "rep", "order", "case", "op", "clients", "pipeline", "requests", "target", "ok",
                "tls", "rps", "ratio_vs_direct", "ratio_vs_allow_all", "ratio_vs_redis_tls", "ratio_vs_plain",
                "avg_latency_ms", "min_latency_ms", "p50_latency_ms",
                "p95_latency_ms", "p99_latency_ms", "max_latency_ms", "wall_s", "proxy_cpu_s",
                "proxy_cpu_us_per_req", "redis_cpu_s", "redis_cpu_us_per_req", "note"]
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in results:
                w.writerow(r)
        written = [md_path, csv_path]
        if hs_results:
            hs_path = md_path.with_name(md_path.stem + "-tls-connections.csv")
            hcols = ["timestamp", "rep", "target", "mode", "ok", "workers", "seconds", "connections", "errors",
                     "conn_per_s", "p50_ms", "p99_ms", "wall_s", "server_cpu_s", "server_cpu_us_per_conn",
                     "redis_cpu_s", "redis_cpu_us_per_conn", "client_cpu_us_per_conn", "note"]
            with open(hs_path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=hcols, extrasaction="ignore")
                w.writeheader()
                for r in hs_results:
                    w.writerow(r)
            written.append(hs_path)
        idle_path = None
        if idle_results:
            idle_path = md_path.with_name(md_path.stem + "-idle-memory.csv")
            icols = ["timestamp", "target", "ok", "connections", "opened", "errors", "open_s", "rss_before_kib",
                     "rss_after_kib", "kib_per_conn", "rss_after_gc_kib", "heap_before_bytes", "heap_after_bytes",
                     "heap_kib_per_conn", "direct_before_bytes", "direct_after_bytes", "fds_before",
                     "fds_after", "fds_per_conn", "redis_rss_before_kib", "redis_rss_after_kib",
                     "redis_kib_per_conn", "note"]
            with open(idle_path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=icols, extrasaction="ignore")
                w.writeheader()
                for r in idle_results:
                    w.writerow(r)
            written.append(idle_path)
        png_path, chart_note = None, None
        if args.no_chart:
            chart_note = "not drawn (--no-chart)"
        else:
            png_path, chart_note = draw_chart(args, csv_path, idle_path, md_path.with_suffix(".png"),
                                              f"RespGate foundation benchmark — {started.strftime('%Y-%m-%d')}"
                                              f"{' (quick)' if args.quick else ''}")
            if png_path:
                written.append(png_path)
        meta["chart"] = png_path.name if png_path else None
        meta["chart_note"] = chart_note
        report = build_report(meta, cases, order, results, args.reps, hs_results, idle_results)
        md_path.write_text(report)
        print(report)
        log("wrote " + ", ".join(str(p) for p in written))
        failed = [r for r in results if not r["ok"] and not r.get("na")]
        if failed:
            for t in sorted({r["target"] for r in failed}):
                if t in targets and targets[t].logpath:
                    log(f"{t} log: {targets[t].logpath}")
            log(f"{len(failed)} run(s) failed: exit status 2")
            return 2
        ok = True
        return 0
    except KeyboardInterrupt as e:
        log(f"\ninterrupted ({e or 'SIGINT'}): stopping everything")
        return 130
    except BenchError as e:
        log(f"\nerror: {e}")
        return 1
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # don't let a second Ctrl-C abort the cleanup
        mgr.stop_all()
        if ok and not args.keep_tmp and not skipped:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"configs and logs kept in {tmp}")


meta_load_start = loadavg()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
