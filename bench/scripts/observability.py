#!/usr/bin/env python3
"""Overhead of RespGate's metrics and audit log on the hot path (issue 5): `bench/run --observability`.

One jar, run as separate JVMs side by side: "off" is that jar with `metrics: {commands: false}` (no
per-command counters, no latency histograms), no audit log and no admin endpoint; "on" is the same
jar with every meter, the audit log and the admin endpoint configured. So on/off is the cost of the
per-command metrics, the audit log and the admin endpoint, and of nothing else. All targets run in
the same run, against the same redis-server, with redis-benchmark GET/SET at c50 P1, c50 P16 and
c1 P1, interleaved and with the target order rotated per repetition. Per case: on/off rps within the
same repetition (median, min-max), proxy CPU µs/req from /proc/PID/stat, and the verdict on the
median against the 5% budget. Each "off" target's start-up log must say that per-command metrics
are off. At the end, one /metrics scrape per "on" target checks that the counters moved as much as
the requests sent, and the audit logs' size and events are reported.

Targets (all plaintext, 127.0.0.1, free ports):
  direct               redis-server (reference only)
  respgate-off         allow-all policy, metrics {commands: false}, no audit, no admin
  respgate-on          allow-all policy, every meter, audit {file, keys: hashed}, admin {127.0.0.1, port}
  respgate-off-policy  the realistic policy of foundation's respgate-policy (AUTH per connection), as respgate-off
  respgate-on-policy   the same realistic policy, as respgate-on

Python 3 standard library only; helpers come from bench/scripts/foundation.py. See bench/README.md.
"""

import argparse
import csv
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import foundation as fd  # noqa: E402  (bench/scripts/foundation.py)

REPO = fd.REPO
TARGETS = ["direct", "respgate-off", "respgate-on", "respgate-off-policy", "respgate-on-policy"]
RESPGATES = TARGETS[1:]
ON = {"respgate-on", "respgate-on-policy"}
POLICY = {"respgate-off-policy", "respgate-on-policy"}
# (on target, its off counterpart): the pairs whose rps quotient is the overhead
PAIRS = [("respgate-on", "respgate-off"), ("respgate-on-policy", "respgate-off-policy")]
OFF_OF = dict(PAIRS)
LIMIT = 0.95  # issue 5: metrics and audit cost under 5%: on/off >= 0.95
# What every "off" target adds to its config, and the start-up log line that proves it took effect.
OFF_CONFIG = "metrics: {commands: false}\n"
OFF_LOG_LINE = "per-command metrics off (metrics.commands: false)"
DEFAULT_REQUESTS, QUICK_REQUESTS = 100000, 40000
DEFAULT_REPS, QUICK_REPS = 3, 2
# Audit events about one command (they carry the command's name); the others (auth, new_source,
# bypass_detected, ...) are about connections or Redis.
COMMAND_EVENTS = {"denial", "guardrail", "would_deny", "sensitive_allowed"}

log = fd.log
BenchError = fd.BenchError


# --------------------------------------------------------------------------- targets

def start_target(mgr, tmp, name, jar, redis_port, args):
    """One RespGate: `java <flags> -jar <jar> run --config <yaml>`. "on" targets get audit and admin,
    "off" targets `metrics: {commands: false}` (checked in the start-up log)."""
    port = fd.free_port()
    cfg = tmp / f"{name}.yaml"
    policy = tmp / f"policy-{name}.yaml"  # not "<name>-policy.yaml": that is respgate-on-policy's config file
    auth = None
    if name in POLICY:
        policy.write_text(fd.realistic_policy())
        auth = (fd.POLICY_USER, fd.POLICY_PASSWORD)
    else:
        policy.write_text(fd.ALLOW_ALL_POLICY)
    text = (f"listen: {{address: {fd.LOOPBACK}, port: {port}}}\n"
            f"upstream: {{address: {fd.LOOPBACK}:{redis_port}}}\n"
            f"policy: {{file: {policy}}}\n")
    admin_port = audit = None
    if name in ON:
        admin_port = fd.free_port()
        audit = tmp / f"audit-{name}.jsonl"
        text += (f"audit: {{file: {audit}, keys: hashed}}\n"
                 f"admin: {{address: {fd.LOOPBACK}, port: {admin_port}}}\n")
    else:
        text += OFF_CONFIG
    cfg.write_text(text)
    argv = [fd.java_bin()] + shlex.split(args.jvm_opts) + ["-jar", str(jar), "run", "--config", str(cfg)]
    logpath = tmp / f"{name}.log"
    log(f"starting {name}: {' '.join(shlex.quote(a) for a in argv)}")
    p = mgr.start(name, argv, logpath, cwd=str(REPO))
    t = fd.Target(name, port, p, None, logpath, auth)
    fd.wait_ready(name, p, port, logpath, args.startup_timeout, auth)
    if name not in ON:
        wait_log_line(name, logpath, OFF_LOG_LINE)
    time.sleep(0.2)
    t.cpu_pids = fd.proc_tree(p.pid)
    t.config = text
    t.admin_port = admin_port
    t.audit = audit
    return t


def wait_log_line(name, logpath, line, timeout=10.0):
    """Waits for `line` in a target's log: proof that the config took effect (the jar knows the key)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if line in Path(logpath).read_text(errors="replace"):
                return
        except OSError:
            pass
        if time.monotonic() >= deadline:
            raise BenchError(f"{name}: '{line}' not in its start-up log {logpath}; is the jar older than "
                             "metrics.commands? Last lines:\n" + fd.log_tail(logpath, 10))
        time.sleep(0.1)


def scrape(port, timeout=10):
    with urllib.request.urlopen(f"http://{fd.LOOPBACK}:{port}/metrics", timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


def metric_samples(text, name):
    """[(labels dict, value)] of a Prometheus text exposition's samples called `name`."""
    out = []
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(re.escape(name) + r"(?:\{(.*)\})?\s+(\S+)", line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1) or ""))
        try:
            out.append((labels, float(m.group(2))))
        except ValueError:
            pass
    return out


def metric_sum(text, name, **want):
    vals = [v for labels, v in metric_samples(text, name)
            if all(labels.get(k, "").lower() == str(w).lower() for k, w in want.items())]
    return sum(vals) if vals else None


def audit_summary(path):
    """(bytes, lines, {event: count}, command events naming GET or SET, unparsable lines)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    events, getset, bad = {}, 0, 0
    for line in data.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            bad += 1
            continue
        ev = d.get("event", "?")
        events[ev] = events.get(ev, 0) + 1
        if ev in COMMAND_EVENTS and str(d.get("command", "")).lower() in ("get", "set"):
            getset += 1
    nlines = sum(events.values()) + bad
    return len(data), nlines, events, getset, bad


# --------------------------------------------------------------------------- report

def build_report(meta, cases, order, results, reps, checks):
    by = {}
    for r in results:
        by.setdefault((r["case"], r["target"]), []).append(r)

    def ok_rows(c, t):
        return [r for r in by.get((c.name, t), []) if r["ok"]]

    def per_rep(c, t, field):
        return {r["rep"]: r[field] for r in ok_rows(c, t) if r.get(field) is not None}

    def lat(c, t, p):
        v = fd.med([r.get(f"{p}_latency_ms") for r in ok_rows(c, t)])
        return "-" if v is None else f"{v:.3f}"

    lines = [f"# RespGate observability overhead (metrics + audit, on vs off) — {meta['date']}", ""]
    for k, v in meta["header"]:
        lines.append(f"- **{k}**: {v}")
    lines.append("")
    verdicts = []
    for on, off in PAIRS:
        if on not in order or off not in order:
            continue
        title = "allow-all policy" if on == "respgate-on" else "realistic policy: AUTH per connection, 20 users"
        lines += [f"## {on} vs {off} ({title})", "",
                  f"| case | direct rps | {off} rps | {on} rps | on/off median (min-max) | reps >= {LIMIT:.2f} | "
                  f"p50 ms off / on | p99 ms off / on | CPU µs/req off / on | CPU on − off µs/req | CPU on/off | met |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for c in cases:
            q = per_rep(c, on, "ratio_on_off")
            co, cn = per_rep(c, off, "proxy_cpu_us_per_req"), per_rep(c, on, "proxy_cpu_us_per_req")
            common = sorted(set(co) & set(cn))
            dcpu = fd.med([cn[k] - co[k] for k in common])
            rcpu = fd.med([cn[k] / co[k] for k in common if co[k]])
            m = fd.med(list(q.values()))
            met = m is not None and m >= LIMIT
            verdicts.append((on, c.name, m, met, rcpu))
            lines.append(
                f"| {c.name} | {fd.fmt_rps(fd.med([r['rps'] for r in ok_rows(c, 'direct')]))} | "
                f"{fd.fmt_rps(fd.med([r['rps'] for r in ok_rows(c, off)]))} | "
                f"{fd.fmt_rps(fd.med([r['rps'] for r in ok_rows(c, on)]))} | {fd.fmt_ratio(list(q.values()), 3)} | "
                f"{sum(1 for v in q.values() if v >= LIMIT)}/{len(q)} | "
                f"{lat(c, off, 'p50')} / {lat(c, on, 'p50')} | {lat(c, off, 'p99')} / {lat(c, on, 'p99')} | "
                f"{fd.fmt_us(fd.med(list(co.values())))} / {fd.fmt_us(fd.med(list(cn.values())))} | "
                f"{'-' if dcpu is None else f'{dcpu:+.2f}'} | {'-' if rcpu is None else f'{rcpu:.3f}'} | "
                f"{'yes' if met else '**no**'} |")
        lines.append("")
        lines.append(f"on/off = {on} rps / {off} rps within the same repetition, median (min-max) over {reps} "
                     f"repetition(s); **met** = on/off >= {LIMIT:.2f} in the median. CPU µs/req = utime+stime of the "
                     "proxy process during the run / requests (median); CPU on − off and on/off are taken per "
                     "repetition, then the median. rps and latency are medians.")
        lines.append("")
    if verdicts:
        lines.append(f"## Verdict: on/off >= {LIMIT:.2f} in the median (metrics and audit cost under "
                     f"{100 * (1 - LIMIT):.0f}%)")
        lines.append("")
        for on, cname, m, met, rcpu in verdicts:
            lines.append(f"- {on} / {OFF_OF[on]}, {cname}: on/off {'-' if m is None else f'{m:.3f}'} — "
                         f"**{'met' if met else 'not met'}** (proxy CPU per request on/off "
                         f"{'-' if rcpu is None else f'{rcpu:.3f}'})")
        n_met = sum(1 for v in verdicts if v[3])
        lines.append("")
        lines.append(f"Overall: **{'met' if n_met == len(verdicts) else 'not met'}** "
                     f"({n_met}/{len(verdicts)} cases).")
        lines.append("")
    if checks:
        lines += ["## Counters and audit log (one /metrics scrape per \"on\" target after the last run)", ""]
        lines += checks
        lines.append("")
    failed = [r for r in results if not r["ok"]]
    if failed:
        lines += [f"## Failed runs ({len(failed)})", ""]
        lines += [f"- rep {r['rep']} {r['case']} {r['target']}: {r['note']}" for r in failed[:50]]
        lines.append("")
    notes = sorted({(r["target"], r["note"]) for r in results if r["ok"] and r["note"]})
    if notes:
        lines += ["## redis-benchmark warnings", ""]
        lines += [f"- {t}: {n}" for t, n in notes[:20]]
        lines.append("")
    return "\n".join(lines)


def metrics_and_audit(targets, order, sent, sanity):
    """Markdown lines: scraped counters vs the requests sent, and the audit logs."""
    out = []
    for name in [t for t in order if t in ON]:
        t = targets[name]
        try:
            text = scrape(t.admin_port)
        except (OSError, ValueError) as e:
            out.append(f"- **{name}**: /metrics on {fd.LOOPBACK}:{t.admin_port} failed: {e} — **check failed**")
            continue
        parts = []
        ok = True
        for op in fd.OPS:
            expected = sent.get((name, op), 0) + sanity.get((name, op), 0)
            got = metric_sum(text, "respgate_commands_total", command=op.lower(), outcome="forwarded")
            if got is None:
                parts.append(f"`respgate_commands_total{{command=\"{op.lower()}\",outcome=\"forwarded\"}}` missing")
                ok = False
                continue
            diff = got - expected
            good = abs(diff) <= max(10, expected * 0.001)
            ok &= good
            parts.append(f"`respgate_commands_total{{command=\"{op.lower()}\",outcome=\"forwarded\"}}` = {got:,.0f}, "
                         f"sent {expected:,} (timed + warm-up + sanity check; difference {diff:+,.0f})")
        hist = metric_sum(text, "respgate_command_duration_seconds_count")
        parts.append(f"`respgate_command_duration_seconds_count` = {'-' if hist is None else f'{hist:,.0f}'} "
                     "(sampled: one command in flight per connection)")
        if hist is None or hist <= 0:
            ok = False
        if name in POLICY:
            auths = metric_sum(text, "respgate_auth_total", result="success")
            parts.append(f"`respgate_auth_total{{result=\"success\"}}` = {'-' if auths is None else f'{auths:,.0f}'} "
                         f"(redis-benchmark connections opened: {sent.get((name, 'conns'), 0):,} plus its CONFIG "
                         "connection per run and the sanity checks)")
            denied = [(l, v) for l, v in metric_samples(text, "respgate_commands_total")
                      if l.get("outcome") not in ("forwarded", None) and v]
            if denied:
                parts.append("not forwarded: " + ", ".join(
                    f"{l.get('command')}/{l.get('outcome')} {v:,.0f}" for l, v in sorted(denied, key=str)))
        out.append(f"- **{name}** counters: " + "; ".join(parts)
                   + f" — **{'moved as expected' if ok else 'check failed'}**")
    for name in [t for t in order if t in RESPGATES and t not in ON]:
        out.append(f"- **{name}**: its start-up log says \"{OFF_LOG_LINE}\" (checked before measuring); no admin "
                   "endpoint to scrape, no audit log")
    for name in [t for t in order if t in ON]:
        t = targets[name]
        s = audit_summary(t.audit)
        if s is None:
            out.append(f"- **{name}** audit log {t.audit.name}: missing")
            continue
        size, nlines, events, getset, bad = s
        ev = ", ".join(f"{k} {v:,}" for k, v in sorted(events.items(), key=lambda kv: -kv[1])) or "none"
        out.append(f"- **{name}** audit log: {size:,} bytes, {nlines:,} lines ({ev}"
                   + (f", {bad} unparsable" if bad else "") + f"); command events naming GET or SET: {getset}")
    if any(t in ON for t in order):
        out.append("")
        out.append("Allowed GET and SET produce no audit line (the audit log records authentication, denials, "
                   "guardrails, allowed sensitive commands such as redis-benchmark's start-up `CONFIG GET`, new "
                   "sources and the upstream watcher's findings, never a routine allowed command), so in these "
                   "runs the audit appender is off the per-command path: \"on\" measures the metrics (a counter "
                   "increment per command, sampled latency histograms) plus the audit checks, and, with the "
                   "realistic policy, one `auth_success` line per connection. GET/SET lines in the policy "
                   "target's log come from the sanity check's deliberate denials. `bypass_detected` lines are "
                   "the upstream watcher (on by default, every 30 s) seeing redis-benchmark's direct connections "
                   "and the other proxies' upstream connections to the shared Redis.")
    return out


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run --observability",
        description="Overhead of metrics and audit on the hot path: one RespGate jar with metrics.commands false, "
                    "no audit log and no admin endpoint ('off') against the same jar with every meter, audit log "
                    "and admin endpoint ('on'), same run, redis-benchmark GET/SET at c50 P1, c50 P16 and c1 P1.")
    ap.add_argument("--quick", action="store_true",
                    help=f"short run: {QUICK_REQUESTS} requests, {QUICK_REPS} reps (about 3 minutes)")
    ap.add_argument("--reps", type=int, help=f"repetitions (default {DEFAULT_REPS}, quick {QUICK_REPS})")
    ap.add_argument("--requests", type=int,
                    help=f"requests of a c50 P1 run (default {DEFAULT_REQUESTS}, quick {QUICK_REQUESTS}); "
                         "c50 P16 runs 8x, c1 P1 0.5x")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"), help="output directory (default bench/results/)")
    ap.add_argument("--targets", default=",".join(TARGETS),
                    help="comma-separated subset of " + ",".join(TARGETS) + " (direct is always included)")
    ap.add_argument("--ops", default=",".join(fd.OPS), help="comma-separated subset of GET,SET")
    ap.add_argument("--jar", help=f"the jar of every RespGate, 'off' and 'on' (default {fd.JAR_REL}; "
                                  "never built by this mode)")
    ap.add_argument("--jvm-opts", default=os.environ.get("RESPGATE_BENCH_JVM_OPTS", fd.DEFAULT_JVM_OPTS),
                    help=f"JVM flags of every RespGate (default: $RESPGATE_BENCH_JVM_OPTS or '{fd.DEFAULT_JVM_OPTS}')")
    ap.add_argument("--warmup", type=int, help="requests per case of the untimed warm-up pass (default = --requests)")
    ap.add_argument("--run-timeout", type=int, default=300, help="timeout per redis-benchmark run, seconds")
    ap.add_argument("--startup-timeout", type=int, default=60, help="seconds to wait for RespGate to answer PING")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (configs, logs, audit logs)")
    a = ap.parse_args(argv)
    a.reps = a.reps if a.reps is not None else (QUICK_REPS if a.quick else DEFAULT_REPS)
    a.requests = a.requests if a.requests is not None else (QUICK_REQUESTS if a.quick else DEFAULT_REQUESTS)
    if not 1 <= a.reps <= 100:
        ap.error("--reps must be in 1..100")
    if a.requests < 100:
        ap.error("--requests must be >= 100")
    a.warmup = a.warmup if a.warmup is not None else a.requests
    ts = [t.strip().lower() for t in a.targets.split(",") if t.strip()]
    bad = [t for t in ts if t not in TARGETS]
    if bad:
        ap.error(f"unknown target(s): {', '.join(bad)}")
    a.targets = [t for t in TARGETS if t in ts or t == "direct"]
    ops = [o.strip().upper() for o in a.ops.split(",") if o.strip()]
    if not ops or any(o not in fd.OPS for o in ops):
        ap.error("--ops must be a subset of GET,SET")
    a.ops = [o for o in fd.OPS if o in ops]
    return a


def main(argv):
    args = parse_args(argv)
    started = datetime.datetime.now()
    load_start = fd.loadavg()
    mgr = fd.Managed()
    tmp = Path(tempfile.mkdtemp(prefix="respgate-obs-"))
    ok = False

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        fd.ensure_tools(["direct"])
        header_jars = []
        wanted = list(args.targets)
        run_jar = None
        if any(t in wanted for t in RESPGATES):
            jar = Path(args.jar) if args.jar else REPO / fd.JAR_REL
            if not jar.is_file():
                raise BenchError(f"{jar} is missing: build it with '{' '.join(fd.BUILD_CMD)}' (this mode does not)")
            # A copy, so that a rebuild during the run cannot change what runs; every RespGate runs it.
            run_jar = tmp / "respgate.jar"
            shutil.copy2(jar, run_jar)
            head = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True,
                                  text=True, timeout=30).stdout.strip()
            mtime = datetime.datetime.fromtimestamp(jar.stat().st_mtime).isoformat(timespec="seconds")
            header_jars.append(("jar", f"{jar} (built {mtime}; HEAD at run time: {head[:90]}), the same for "
                                       "'off' and 'on'"))
            stale = None if args.jar else fd.jar_staleness(jar)
            if stale:
                log(f"warning: {stale}")
                header_jars.append(("warning", stale))
        cases = [fd.Case(op, label, c, p, max(1, int(round(args.requests * mult))))
                 for op in args.ops for (label, c, p, mult) in fd.SHAPES]

        log(f"temp dir {tmp}")
        redis, _ = fd.start_redis(mgr, tmp, None)
        fd.resp_exchange(redis.port, fd.resp_cmd("SET", fd.BENCH_KEY, "xxx"), b"+OK\r\n")
        targets = {"direct": redis}
        for name in [t for t in wanted if t in RESPGATES]:
            targets[name] = start_target(mgr, tmp, name, run_jar, redis.port, args)
        sanity = {}
        for name in wanted:
            t = targets[name]
            fd.sanity_check(name, t.port, t.auth)
            sanity[(name, "GET")] = 1
            sanity[(name, "SET")] = 1
            if name in ON:
                scrape(t.admin_port)  # the admin endpoint answers before anything is measured
        order = wanted
        log("targets: " + ", ".join(f"{t}={fd.LOOPBACK}:{targets[t].port}" for t in order))

        sent = {}  # (target, op) -> GET/SET requests sent; (target, "conns") -> connections opened

        def count(t, c, n):
            sent[(t, c.op)] = sent.get((t, c.op), 0) + n
            sent[(t, "conns")] = sent.get((t, "conns"), 0) + c.clients

        log("warm-up pass ...")
        for t in order:
            for c in cases:
                n = args.warmup if t in RESPGATES else max(100, args.warmup // 10)
                n = max(100, int(n * c.requests / args.requests))
                r = fd.run_benchmark(targets[t], c, n, redis, args.run_timeout)
                count(t, c, n)
                if not r["ok"]:
                    log(f"  warm-up {t} {c.name}: FAILED {r['note']}")

        results = []
        total = args.reps * len(cases) * len(order)
        i = 0
        for rep in range(1, args.reps + 1):
            k = (rep - 1) % len(order)
            rot = order[k:] + order[:k]
            for c in cases:
                rep_rows = []
                for t in rot:
                    i += 1
                    r = fd.run_benchmark(targets[t], c, c.requests, redis, args.run_timeout)
                    count(t, c, c.requests)
                    r.update(rep=rep, order=rot.index(t), timestamp=datetime.datetime.now().isoformat(timespec="seconds"))
                    rep_rows.append(r)
                    if r["ok"]:
                        cpu = r.get("proxy_cpu_us_per_req")
                        log(f"[{i}/{total}] rep {rep} {c.name:<12} {t:<20} {r['rps']:>11,.0f} rps  "
                            f"p50 {r['p50_latency_ms']:.3f} p99 {r['p99_latency_ms']:.3f} ms  "
                            + (f"proxy {cpu:.2f} " if cpu is not None else "")
                            + f"redis {r['redis_cpu_us_per_req']:.2f} µs/req")
                    else:
                        log(f"[{i}/{total}] rep {rep} {c.name:<12} {t:<20} FAILED: {r['note']}")
                rps_of = {r["target"]: r["rps"] for r in rep_rows if r["ok"]}
                for r in rep_rows:
                    if not r["ok"]:
                        continue
                    if rps_of.get("direct"):
                        r["ratio_vs_direct"] = round(r["rps"] / rps_of["direct"], 4)
                    off = OFF_OF.get(r["target"])
                    if off and rps_of.get(off):
                        r["ratio_on_off"] = round(r["rps"] / rps_of[off], 4)
                results.extend(rep_rows)

        # Let the audit appenders drain before the files are read.
        time.sleep(1.0)
        checks = metrics_and_audit(targets, order, sent, sanity)

        finished = datetime.datetime.now()
        info = fd.machine_info()
        header = [
            ("date", f"{started.isoformat(timespec='seconds')} to {finished.isoformat(timespec='seconds')}"),
            ("machine", f"{info['host']}, nproc {info['nproc']}, {info['cpu']}, kernel {info['kernel']}"),
            ("load average", f"{load_start} at start, {fd.loadavg()} at end"),
            ("redis", fd.cmd_version(["redis-server", "--version"])),
            ("redis-benchmark", fd.cmd_version(["redis-benchmark", "--version"])),
            ("java", fd.cmd_version([fd.java_bin(), "-version"])),
        ] + header_jars + [
            ("JVM flags", f"{args.jvm_opts} (every RespGate, `java <flags> -jar <jar> run --config <yaml>`)"),
            ("off", "`metrics: {commands: false}` (no per-command counters, no latency histograms; confirmed by "
                    "each off target's start-up log), no audit, no admin endpoint; connection-level meters and "
                    "upstream byte counters as in 'on'; upstream watcher at its default (on, 30 s)"),
            ("on", "every meter (a counter per command and outcome, sampled latency histograms), plus "
                   "`audit: {file: <tmp>/audit-<target>.jsonl, keys: hashed}` and "
                   "`admin: {address: 127.0.0.1, port: <free>}`; upstream watcher at its default (on, 30 s)"),
            ("policies", "respgate-off, respgate-on: allow-all (guardrails lifted, open default user); "
                         "respgate-off-policy, respgate-on-policy: foundation's realistic policy (default "
                         f"guardrails, default off, user {fd.POLICY_USER} '~key:* ~counter:* ~mylist ~myset:* &* "
                         "+@all -@dangerous', 19 more users of 10 key patterns; redis-benchmark AUTHs on every "
                         "connection)"),
            ("parameters", f"reps {args.reps}{' (quick)' if args.quick else ''}; requests per run: "
                           + ", ".join(f"{lab} {max(1, int(round(args.requests * m)))}" for lab, _, _, m in fd.SHAPES)
                           + f"; warm-up {args.warmup}/case (scaled like the runs) for every RespGate; 3-byte value, "
                             f"one key; targets in rotated order per repetition: {', '.join(order)}; plaintext, "
                             f"all on {fd.LOOPBACK}, no CPU pinning; CPU from /proc/PID/stat (CLK_TCK {fd.CLK_TCK})"),
        ]
        meta = {"date": started.strftime("%Y-%m-%d"), "header": header}
        report = build_report(meta, cases, order, results, args.reps, checks)

        outdir = Path(args.out)
        outdir.mkdir(parents=True, exist_ok=True)
        md_path = fd.unique_path(outdir, f"{started.strftime('%Y-%m-%d')}-observability", "md")
        csv_path = md_path.with_suffix(".csv")
        md_path.write_text(report)
        cols = ["timestamp", "rep", "order", "case", "op", "clients", "pipeline", "requests", "target", "ok", "rps",
                "ratio_vs_direct", "ratio_on_off", "avg_latency_ms", "min_latency_ms", "p50_latency_ms",
                "p95_latency_ms", "p99_latency_ms", "max_latency_ms", "wall_s", "proxy_cpu_s", "proxy_cpu_us_per_req",
                "redis_cpu_s", "redis_cpu_us_per_req", "note"]
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in results:
                w.writerow(r)
        print(report)
        log(f"wrote {md_path}, {csv_path}")
        failed = [r for r in results if not r["ok"]]
        if failed or any("check failed" in line for line in checks):
            log(f"{len(failed)} run(s) failed or a counter check failed: exit status 2")
            return 2
        ok = True
        return 0
    except KeyboardInterrupt as e:
        log(f"\ninterrupted ({e or 'SIGINT'}): stopping everything")
        return 130
    except (BenchError, OSError, ssl.SSLError) as e:
        log(f"\nerror: {e}")
        return 1
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        mgr.stop_all()
        if ok and not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"configs, logs and audit logs kept in {tmp}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
