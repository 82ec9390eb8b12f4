#!/usr/bin/env python3
"""RespGate "foundation" end-to-end benchmark (python3 standard library only).

Starts its own redis-server, HAProxy (mode tcp, one thread) and two RespGates on free
loopback ports (one with an allow-all policy, one with a realistic policy: default
guardrails, 20 users, AUTH required), runs redis-benchmark against direct Redis, HAProxy
and both RespGates interleaved (target order rotated per repetition) and reports, per
case, the throughput ratio target/direct, the policy cost (respgate-policy rps /
respgate rps in the same repetition), p50/p99 latency and CPU time per request of the
proxy process (utime+stime from /proc/PID/stat).

In the same run, TLS targets (TLS 1.3 on the client side, a throwaway EC P-256 certificate made
with openssl): Redis's own TLS port (redis-tls, the baseline of the TLS ratios), RespGate with
listen.tls, HAProxy with "bind ... ssl" and stunnel, all forwarding to Redis's plaintext port, plus
a TLS connection-rate test (bench/scripts/tls_handshakes.py). Helpers in bench/scripts/tls_setup.py.

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

REPO = Path(__file__).resolve().parents[2]
JAR_REL = "proxy-core/target/proxy-core-0.1.0-SNAPSHOT-all.jar"
BUILD_CMD = ["mvn", "-q", "-B", "-DskipTests", "package", "-pl", "proxy-core", "-am"]
DEFAULT_JVM_OPTS = "-Xms256m -Xmx256m -XX:+UseParallelGC -XX:+AlwaysPreTouch"
PLAIN_TARGETS = ["direct", "haproxy", "respgate", "respgate-policy"]
# TLS on the client side; the proxies forward to Redis's plaintext port. redis-tls (Redis's own
# TLS port) is the baseline of the TLS ratios, as direct is for the plaintext ones.
TLS_TARGETS = ["redis-tls", "haproxy-tls", "respgate-tls", "stunnel"]
ALL_TARGETS = PLAIN_TARGETS + TLS_TARGETS
PROXIES = ["haproxy", "respgate", "respgate-policy"]
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

# (label, clients, pipeline, multiplier of --requests)
SHAPES = [
    ("c50 P1", 50, 1, 1.0),
    ("c50 P16", 50, 16, 8.0),
    ("c1 P1", 1, 1, 0.5),
]
OPS = ["GET", "SET"]

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
    missing = [t for t in need if shutil.which(t) is None]
    if not missing:
        return
    pkgs = ["haproxy", "redis-server", "redis-tools"] + (["openssl"] if "openssl" in need else []) \
        + (["stunnel4"] if "stunnel4" in need else [])
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
    still = [t for t in need if shutil.which(t) is None]
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


def start_redis(mgr, tmp, certs=None):
    """One redis-server for every target: its plaintext port is "direct" and what the proxies
    forward to; with certs it also listens with TLS 1.3 on a second port ("redis-tls")."""
    port = free_port()
    logpath = tmp / "redis.log"
    argv = ["redis-server", "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no",
            "--dir", str(tmp), "--daemonize", "no", "--protected-mode", "yes"]
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
    maxconn 2000

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


def start_haproxy(mgr, tmp, redis_port, certs=None):
    """HAProxy mode tcp, one thread; with certs the "haproxy-tls" target (bind ... ssl crt), its own process."""
    name = "haproxy-tls" if certs else "haproxy"
    port = free_port()
    cfg = tmp / f"{name}.cfg"
    cfg.write_text(tls_setup.haproxy_tls_cfg(certs, port, redis_port) if certs
                   else HAPROXY_CFG.format(addr=LOOPBACK, port=port, redis_port=redis_port))
    r = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise BenchError(f"haproxy rejected generated config {cfg}:\n{r.stdout}{r.stderr}")
    logpath = tmp / f"{name}.log"
    # -db: foreground, no master-worker: the pid we start is the one (single-threaded) worker.
    p = mgr.start(name, ["haproxy", "-db", "-f", str(cfg)], logpath)
    t = Target(name, port, p, [p.pid], logpath, tls=certs)
    wait_ready(name, p, port, logpath, 20, tls=t.tls_context())
    return t


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


def start_respgate(mgr, tmp, redis_port, args, jar, name="respgate", certs=None):
    """respgate / respgate-tls: allow-all policy; respgate-policy: realistic policy. With certs,
    listen.tls (TLS 1.3 only); upstream is always Redis's plaintext port."""
    port = free_port()
    cfg = tmp / f"{name}.yaml"
    # Not "<name>-policy.yaml": that is respgate-policy's config file, and writing it would make the
    # "respgate" target (which watches its policy file) try to reload a config as its policy.
    policy = tmp / f"policy-{name}.yaml"
    auth = None
    if name == "respgate-policy":
        policy.write_text(realistic_policy())
        auth = (POLICY_USER, POLICY_PASSWORD)
    else:
        policy.write_text(ALLOW_ALL_POLICY)
    listen = (tls_setup.respgate_listen_yaml(certs, port) if certs
              else f"listen: {{address: {LOOPBACK}, port: {port}}}\n")
    cfg.write_text(listen
                   + f"upstream: {{address: {LOOPBACK}:{redis_port}}}\n"
                   f"policy: {{file: {policy}}}\n")
    env = dict(os.environ)
    env.pop("RESPGATE_REBUILD", None)
    launcher = REPO / "bin" / "respgate"
    if args.respgate_cmd:
        argv = [a.replace("{config}", str(cfg)) for a in shlex.split(args.respgate_cmd)]
        shown = " ".join(shlex.quote(a) for a in argv)
    elif not args.jar and os.access(launcher, os.X_OK):
        # The project's launcher (it execs java -jar on the same jar); JVM flags via RESPGATE_JAVA_OPTS.
        argv = [str(launcher), "run", "--config", str(cfg)]
        env["RESPGATE_JAVA_OPTS"] = args.jvm_opts
        shown = f"RESPGATE_JAVA_OPTS={shlex.quote(args.jvm_opts)} bin/respgate run --config {cfg}"
    else:
        argv = [java_bin()] + shlex.split(args.jvm_opts) + ["-jar", str(jar), "run", "--config", str(cfg)]
        shown = " ".join(shlex.quote(a) for a in argv)
    logpath = tmp / f"{name}.log"
    log(f"starting {name}: {shown}")
    p = mgr.start(name, argv, logpath, env=env, cwd=str(REPO))
    t = Target(name, port, p, None, logpath, auth, tls=certs)
    wait_ready(name, p, port, logpath, args.startup_timeout, auth, tls=t.tls_context())
    time.sleep(0.2)
    t.cpu_pids = proc_tree(p.pid)
    return t, shown


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


def run_benchmark(target, case, requests, redis_target, timeout):
    """One redis-benchmark run; returns a dict (ok=False with note on failure)."""
    argv = ["redis-benchmark", "-h", LOOPBACK, "-p", str(target.port), "-t", case.op.lower(),
            "-c", str(case.clients), "-P", str(case.pipeline), "-n", str(requests), "--csv"]
    if target.auth:
        argv += ["--user", target.auth[0], "-a", target.auth[1]]
    if target.tls:
        argv += ["--tls", "--cacert", str(target.tls.ca_crt)]
    row = {"target": target.name, "tls": bool(target.tls), "case": case.name, "op": case.op, "clients": case.clients,
           "pipeline": case.pipeline, "requests": requests, "ok": False, "note": ""}
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
                    row["note"] = f"redis-benchmark timed out after {timeout}s"
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
    row["wall_s"] = round(wall, 3)
    row["redis_cpu_s"] = round(rcpu1 - rcpu0, 3)
    row["redis_cpu_us_per_req"] = round((rcpu1 - rcpu0) * 1e6 / requests, 3)
    if cpu0 is not None:
        row["proxy_cpu_s"] = round(cpu1 - cpu0, 3)
        row["proxy_cpu_us_per_req"] = round((cpu1 - cpu0) * 1e6 / requests, 3)
    parsed = None
    for rec in csv.reader(io.StringIO(r.stdout)):
        if rec and rec[0] == case.op and len(rec) >= len(CSV_FIELDS):
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


# --------------------------------------------------------------------------- report

def build_report(meta, cases, order, results, reps, hs_results=()):
    by = {}
    for r in results:
        by.setdefault((r["case"], r["target"]), []).append(r)
    targets = [t for t in order if t in PLAIN_TARGETS]
    tls = [t for t in order if t in TLS_TARGETS]

    def ok_rows(case, target):
        return [r for r in by.get((case.name, target), []) if r["ok"]]

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
            row = [c.name, fmt_rps(med([r["rps"] for r in ok_rows(c, base)])), fmt_lat(ok_rows(c, base))]
            for t in proxies:
                rows = ok_rows(c, t)
                row += [fmt_rps(med([r["rps"] for r in rows])), fmt_ratio(list(ratios(c, t, field).values())),
                        fmt_lat(rows)]
            if extra_policy:
                row.append(fmt_ratio(list(policy_costs(c).values()), 3))
            for t in proxies:
                row.append(fmt_us(med([r.get("proxy_cpu_us_per_req") for r in ok_rows(c, t)])))
            row.append("/".join(fmt_us(med([r.get("redis_cpu_us_per_req") for r in ok_rows(c, t)]))
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
    if tls:
        lines.append("## Plaintext targets")
        lines.append("")
    lines += main_table("direct", [t for t in PROXIES if t in targets], "ratio_vs_direct", with_policy)
    lines.append("")
    lines.append("Ratio = target rps / direct rps within the same repetition; shown as median (min-max) "
                 f"over {reps} repetition(s). rps, latency and CPU columns are medians. p50/p99 are "
                 "redis-benchmark's per-request latency (with pipelining: the pipeline round trip). "
                 "CPU µs/req = (utime+stime of the proxy process during the run) / requests."
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
                     "CPU µs/req includes the TLS handshakes of the run's connections (one per client).")
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

    failed = [r for r in results if not r["ok"]]
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


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="End-to-end benchmark: direct Redis vs HAProxy (mode tcp, 1 thread) vs RespGate "
                    "(allow-all policy) vs RespGate with a realistic policy, and with TLS 1.3: Redis's TLS port "
                    "vs HAProxy (ssl) vs RespGate (listen.tls) vs stunnel, with redis-benchmark GET/SET "
                    "at 50 clients P1, 50 clients P16 and 1 client P1, plus a TLS connection-rate test.")
    ap.add_argument("--observability", action="store_true",
                    help="run the metrics/audit overhead benchmark instead (RespGate built from the commit before "
                         "metrics and audit vs the current jar with audit log and admin endpoint; "
                         "bench/scripts/observability.py; options: bench/run --observability --help)")
    ap.add_argument("--quick", action="store_true",
                    help="short run (about 3 minutes with the TLS targets, < 2 with --no-tls): fewer requests, "
                         "2 reps, 1 s connection-rate runs")
    ap.add_argument("--reps", type=int, help="repetitions (default 3, quick 2)")
    ap.add_argument("--requests", type=int,
                    help="requests for the 50-client P1 case (default 200000, quick 40000); "
                         "50-client P16 runs 8x this, 1-client P1 runs 0.5x")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"),
                    help="output directory (default bench/results/)")
    ap.add_argument("--targets", default=",".join(ALL_TARGETS),
                    help="comma-separated subset of " + ",".join(ALL_TARGETS) + " (direct is always included, "
                         "redis-tls whenever a TLS target is)")
    ap.add_argument("--no-tls", action="store_true", help="leave out the TLS targets (the run before TLS)")
    ap.add_argument("--handshake-seconds", type=float,
                    help="seconds per TLS connection-rate run (default 3, quick 1; 0 = skip the test)")
    ap.add_argument("--handshake-workers", type=int, default=4,
                    help="client processes of the TLS connection-rate test (default 4)")
    ap.add_argument("--ops", default=",".join(OPS), help="comma-separated subset of GET,SET")
    ap.add_argument("--jar", help=f"RespGate jar (default {JAR_REL}, built if missing)")
    ap.add_argument("--no-build", action="store_true", help="never run maven; skip RespGate if the jar is missing")
    ap.add_argument("--respgate-cmd",
                    help="command to start RespGate instead of java -jar; '{config}' is replaced by the "
                         "generated YAML path")
    ap.add_argument("--jvm-opts", default=os.environ.get("RESPGATE_BENCH_JVM_OPTS", DEFAULT_JVM_OPTS),
                    help=f"JVM flags for RespGate (default: $RESPGATE_BENCH_JVM_OPTS or '{DEFAULT_JVM_OPTS}')")
    ap.add_argument("--warmup", type=int,
                    help="requests per case for the untimed warm-up pass against RespGate "
                         "(default = --requests; direct/haproxy get a 1/10 pass)")
    ap.add_argument("--run-timeout", type=int, default=300, help="timeout per redis-benchmark run, seconds")
    ap.add_argument("--startup-timeout", type=int, default=60, help="seconds to wait for RespGate to answer PING")
    ap.add_argument("--build-timeout", type=int, default=900, help="seconds allowed for the maven build")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir with configs and logs")
    a = ap.parse_args(argv)
    a.reps = a.reps if a.reps is not None else (2 if a.quick else 3)
    a.requests = a.requests if a.requests is not None else (40000 if a.quick else 200000)
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
    a.handshake_seconds = (a.handshake_seconds if a.handshake_seconds is not None
                           else (1.0 if a.quick else 3.0))
    if a.handshake_seconds < 0 or a.handshake_workers < 1 or a.handshake_workers > 64:
        ap.error("--handshake-seconds must be >= 0 and --handshake-workers in 1..64")
    ops = [o.strip().upper() for o in a.ops.split(",") if o.strip()]
    if not ops or any(o not in OPS for o in ops):
        ap.error("--ops must be a subset of GET,SET")
    a.ops = [o for o in OPS if o in ops]
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
    try:
        ensure_tools(args.targets)
        targets_wanted = list(args.targets)
        jar = None
        if any(t in targets_wanted for t in RESPGATES) and not args.respgate_cmd:
            jar, why = find_or_build_jar(args, tmp)
            if jar is None:
                for t in RESPGATES:
                    if t in targets_wanted:
                        skipped[t] = why
                        targets_wanted.remove(t)
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
                 for op in args.ops for (label, c, p, mult) in SHAPES]

        log(f"temp dir {tmp}")
        try:
            redis, redis_tls = start_redis(mgr, tmp, certs)
        except BenchError as e:
            if certs is None:
                raise
            mgr.stop_all()
            skip_tls(f"redis-server with --tls-port failed: {e}")
            certs = None
            redis, redis_tls = start_redis(mgr, tmp, None)
        resp_exchange(redis.port, resp_cmd("SET", BENCH_KEY, "xxx"), b"+OK\r\n")
        targets = {"direct": redis}
        if redis_tls is not None:
            targets["redis-tls"] = redis_tls
        if "haproxy" in targets_wanted:
            targets["haproxy"] = start_haproxy(mgr, tmp, redis.port)
        for name, starter in (("haproxy-tls", lambda: start_haproxy(mgr, tmp, redis.port, certs)),
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
        for name in RESPGATES:
            if name not in targets_wanted:
                continue
            try:
                targets[name], respgate_argvs[name] = start_respgate(
                    mgr, tmp, redis.port, args, jar, name, certs if name == "respgate-tls" else None)
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
        log("warm-up pass ...")
        for t in order:
            for c in cases:
                n = args.warmup if t in RESPGATES else max(100, args.warmup // 10)
                n = max(100, int(n * c.requests / args.requests))
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
                r = run_handshakes(targets[t], redis, "ping", HANDSHAKE_WARMUP_S, args.handshake_workers,
                                   args.run_timeout)
                if not r["ok"]:
                    log(f"  warm-up {t} connection rate: FAILED {r['note']}")

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
                    r = run_benchmark(targets[t], c, c.requests, redis, args.run_timeout)
                    r["rep"] = rep
                    r["order"] = rot.index(t)
                    r["timestamp"] = datetime.datetime.now().isoformat(timespec="seconds")
                    rep_rows.append(r)
                    if r["ok"]:
                        cpu = r.get("proxy_cpu_us_per_req")
                        log(f"[{i}/{total}] rep {rep} {c.name:<12} {t:<15} {r['rps']:>11,.0f} rps  "
                            f"p50 {r['p50_latency_ms']:.3f} p99 {r['p99_latency_ms']:.3f} ms  "
                            + (f"proxy {cpu:.2f} " if cpu is not None else "")
                            + f"redis {r['redis_cpu_us_per_req']:.2f} µs/req")
                    else:
                        log(f"[{i}/{total}] rep {rep} {c.name:<12} {t:<15} FAILED: {r['note']}")
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

        finished = datetime.datetime.now()
        info = machine_info()
        header = [
            ("date", f"{started.isoformat(timespec='seconds')} to {finished.isoformat(timespec='seconds')}"),
            ("machine", f"{info['host']}, nproc {info['nproc']}, {info['cpu']}, kernel {info['kernel']}"),
            ("load average", f"{meta_load_start} at start, {loadavg()} at end"),
            ("redis", cmd_version(["redis-server", "--version"])),
            ("redis-benchmark", cmd_version(["redis-benchmark", "--version"])),
        ]
        if "haproxy" in order or "haproxy-tls" in order:
            header.append(("haproxy", cmd_version(["haproxy", "-v"]) + "; mode tcp, nbthread 1, timeouts 1h"
                           + ("; haproxy-tls: its own process, 'bind ... ssl crt <cert+key> ssl-min-ver TLSv1.3 "
                              "ssl-max-ver TLSv1.3', " + haproxy_ssl_lib() if "haproxy-tls" in order else "")))
        if any(t in order for t in RESPGATES):
            if not args.respgate_cmd:
                header.append(("java", cmd_version([java_bin(), "-version"])))
            for t in RESPGATES:
                if t in order:
                    header.append((t, respgate_argvs[t]))
            header.append(("JVM flags", args.jvm_opts if not args.respgate_cmd else "(custom --respgate-cmd)"))
            if "respgate" in order or "respgate-tls" in order:
                header.append((", ".join(t for t in ("respgate", "respgate-tls") if t in order) + " policy",
                               "allow-all: guardrails lifted, open default user"))
            if "respgate-tls" in order:
                header.append(("respgate-tls TLS", "listen.tls {cert_file, key_file, protocols: [TLSv1.3]}, "
                               "no client certificates, upstream plaintext; its log says: "
                               + respgate_tls_line(targets["respgate-tls"].logpath)))
            if "respgate-policy" in order:
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
                               f"{HANDSHAKE_WARMUP_S:g} s warm-up against respgate-tls); "
                               "bench/scripts/tls_handshakes.py"))
        if jar_warning:
            header.append(("warning", jar_warning))
        for t, why in skipped.items():
            # First line, plus the last line of a quoted log tail (the error itself).
            lines_ = [l.strip() for l in why.splitlines() if l.strip()]
            header.append((f"{t} skipped", lines_[0] + (f" … {lines_[-1]}" if len(lines_) > 1 else "")))
        header.append(("parameters",
                       f"reps {args.reps}{' (quick)' if args.quick else ''}; requests per run: "
                       + ", ".join(f"{lab} {max(1, int(round(args.requests * m)))}" for lab, _, _, m in SHAPES)
                       + f"; warm-up {args.warmup}/case for respgate targets; value size 3 B, one key (no -r); "
                         f"targets in rotated order per repetition: {', '.join(order)}; "
                         f"all on {LOOPBACK}, no CPU pinning; CPU from /proc/PID/stat (CLK_TCK {CLK_TCK})"))
        meta = {"date": started.strftime("%Y-%m-%d"), "header": header}
        report = build_report(meta, cases, order, results, args.reps, hs_results)

        outdir.mkdir(parents=True, exist_ok=True)
        stem = f"{started.strftime('%Y-%m-%d')}-foundation"
        md_path = unique_path(outdir, stem, "md")
        csv_path = md_path.with_suffix(".csv")
        md_path.write_text(report)
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
        print(report)
        log("wrote " + ", ".join(str(p) for p in written))
        failed = [r for r in results if not r["ok"]]
        if failed:
            for t in sorted({r["target"] for r in failed}):
                if targets[t].logpath:
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
