#!/usr/bin/python3
"""PNG chart of a bench/run result (matplotlib, Agg backend; everything else standard library).

Reads the CSV that bench/scripts/foundation.py writes (one row per run) and, if given, the
idle-memory CSV, and draws, per case and target:

  1. plaintext: throughput ratio to direct Redis (median over the repetitions, min-max as error bar);
  2. plaintext: p99 latency in ms (median; log scale);
  3. TLS: throughput ratio to Redis's own TLS port (redis-tls);
  4. TLS: p99 latency;
  5. idle connections: proxy RSS per connection (and Redis's, for the upstream side), with the goal.

Run by foundation.py with the system Python (/usr/bin/python3), which is the one Debian's
python3-matplotlib is installed for:

  /usr/bin/python3 bench/scripts/chart.py --csv bench/results/X-foundation.csv --out X.png [--idle X-idle-memory.csv]
"""

import argparse
import csv
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PLAIN = ["direct", "haproxy", "twemproxy", "respgate", "respgate-policy"]
TLS = ["redis-tls", "haproxy-tls", "respgate-tls", "stunnel"]
COLORS = {
    "direct": "#7f7f7f", "redis-tls": "#7f7f7f",
    "haproxy": "#1f77b4", "haproxy-tls": "#1f77b4",
    "twemproxy": "#9467bd", "stunnel": "#8c564b",
    "respgate": "#ff7f0e", "respgate-tls": "#ff7f0e",
    "respgate-policy": "#d62728",
}
IDLE_GOAL_KIB = 20.0


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def stats(rows, field):
    xs = [num(r.get(field)) for r in rows]
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs)


def grouped(ax, cases, targets, value_of, ylabel, title, log=False, baseline=None, labels=True, missing=None):
    """Grouped bars: one group per case, one bar per target (value_of(case, target) -> (med, lo, hi) or
    None; missing[(case, target)] ("n/a", "skipped", "failed") is written where there is no value)."""
    n = len(targets)
    width = 0.8 / max(1, n)
    xs = range(len(cases))
    labelled = set()
    for j, t in enumerate(targets):
        for i, c in enumerate(cases):
            v = value_of(c, t)
            x = i - 0.4 + width * (j + 0.5)
            if v is None:
                ax.text(x, 0.02, (missing or {}).get((c, t), "-"), rotation=90, ha="center", va="bottom", fontsize=6, color="#555555",
                        transform=ax.get_xaxis_transform())
                continue
            m, lo, hi = v
            ax.bar(x, m, width, color=COLORS.get(t, "#333333"), label=None if t in labelled else t,
                   yerr=[[m - lo], [hi - m]] if hi > lo else None, capsize=1.5, error_kw={"elinewidth": 0.6})
            labelled.add(t)
            if labels:
                ax.text(x, hi if not log else hi * 1.05, f"{m:.2f}" if m < 10 else f"{m:.0f}", rotation=90,
                        ha="center", va="bottom", fontsize=5.5)
    ax.legend(fontsize=7, ncol=max(1, len(labelled)), loc="upper right", framealpha=0.8)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(cases, fontsize=7.5)
    ax.set_xlim(-0.6, len(cases) - 0.4)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=9.5, loc="left")
    ax.tick_params(axis="y", labelsize=7)
    # Head room for the value labels and the legend.
    if log:
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi * 4)
    else:
        lo, hi = ax.get_ylim()
        ax.set_ylim(0, hi * 1.2)
    if baseline is not None:
        ax.axhline(baseline, color="#444444", linewidth=0.8, linestyle="--")
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--idle", help="the idle-memory CSV")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="RespGate benchmark")
    a = ap.parse_args(argv)

    every = load(a.csv)
    rows = [r for r in every if r.get("ok") == "True"]
    cases = []
    for r in every:
        if r["case"] not in cases:
            cases.append(r["case"])
    # Why a (case, target) has no value: not supported (n/a), left out by quick mode, or failed.
    missing = {}
    for r in every:
        if r.get("ok") != "True":
            note = r.get("note", "")
            missing[(r["case"], r["target"])] = ("n/a" if note.startswith("n/a") else
                                                 "skipped" if note.startswith("skipped") else "failed")
    by = {}
    for r in rows:
        by.setdefault((r["case"], r["target"]), []).append(r)
    present = {r["target"] for r in rows}
    plain = [t for t in PLAIN if t in present]
    tls = [t for t in TLS if t in present]
    idle = [r for r in load(a.idle) if r.get("ok") == "True"] if a.idle else []

    panels = [("plain-ratio", plain), ("plain-p99", plain)] if plain else []
    if tls:
        panels += [("tls-ratio", tls), ("tls-p99", tls)]
    if idle:
        panels.append(("idle", None))
    if not panels:
        print("chart.py: no successful runs in the CSV", file=sys.stderr)
        return 1
    heights = [3.2 if p[0] != "idle" else 2.8 for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(14, sum(heights) + 1.0),
                             gridspec_kw={"height_ratios": heights})
    if len(panels) == 1:
        axes = [axes]
    reps = len({r["rep"] for r in rows})
    for ax, (kind, targets) in zip(axes, panels):
        if kind == "plain-ratio":
            grouped(ax, cases, [t for t in targets if t != "direct"],
                    lambda c, t: stats(by.get((c, t), []), "ratio_vs_direct"), "rps / direct rps",
                    "Plaintext: throughput ratio to direct Redis (same repetition; median, bar = min-max)",
                    baseline=1.0, missing=missing)
        elif kind == "plain-p99":
            grouped(ax, cases, targets, lambda c, t: stats(by.get((c, t), []), "p99_latency_ms"), "p99 ms (log)",
                    "Plaintext: p99 latency (median over repetitions)", log=True, missing=missing)
        elif kind == "tls-ratio":
            grouped(ax, cases, [t for t in targets if t != "redis-tls"],
                    lambda c, t: stats(by.get((c, t), []), "ratio_vs_redis_tls"), "rps / redis-tls rps",
                    "TLS 1.3: throughput ratio to Redis's own TLS port (same repetition; median, bar = min-max)",
                    baseline=1.0, missing=missing)
        elif kind == "tls-p99":
            grouped(ax, cases, targets, lambda c, t: stats(by.get((c, t), []), "p99_latency_ms"), "p99 ms (log)",
                    "TLS 1.3: p99 latency (median over repetitions)", log=True, missing=missing)
        else:
            names = [r["target"] for r in idle]
            conns = max(int(num(r.get("opened")) or 0) for r in idle)
            x = range(len(names))
            proxy = [num(r.get("kib_per_conn")) or 0.0 for r in idle]
            redis = [num(r.get("redis_kib_per_conn")) or 0.0 for r in idle]
            ax.bar([i - 0.2 for i in x], proxy, 0.4, color=[COLORS.get(n, "#333333") for n in names])
            via = [i for i, n in enumerate(names) if n != "direct"]  # direct: the target is Redis
            ax.bar([i + 0.2 for i in via], [redis[i] for i in via], 0.4, color="#dddddd", edgecolor="#888888",
                   hatch="///")
            for i, v in enumerate(proxy):
                ax.text(i - 0.2, v, f"{v:.1f}", ha="center", va="bottom", fontsize=7)
            for i, (n, v) in enumerate(zip(names, redis)):
                if n != "direct":
                    ax.text(i + 0.2, v, f"{v:.1f}", ha="center", va="bottom", fontsize=7)
            ax.axhline(IDLE_GOAL_KIB, color="#d62728", linewidth=0.8, linestyle="--")
            ax.text(len(names) - 0.5, IDLE_GOAL_KIB, f"goal for RespGate: {IDLE_GOAL_KIB:.0f} KiB", color="#d62728",
                    fontsize=7, ha="right", va="bottom")
            ax.set_xticks(list(x))
            ax.set_xticklabels(names, fontsize=8)
            ax.set_ylabel("KiB per connection", fontsize=8)
            ax.set_title(f"Memory per idle connection ({conns:,} connections, AUTH where needed + one GET; "
                         "RSS after - before)", fontsize=9.5, loc="left")
            from matplotlib.patches import Patch
            ax.legend(handles=[Patch(facecolor="#999999", label="target RSS (colour = target)"),
                               Patch(facecolor="#dddddd", edgecolor="#888888", hatch="///",
                                     label="Redis RSS (upstream connections)")], fontsize=7, loc="upper left")
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    fig.suptitle(a.title + (f" ({reps} repetition{'s' if reps != 1 else ''})" if reps else ""), fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    fig.savefig(a.out, dpi=110)
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
