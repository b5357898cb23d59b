#!/usr/bin/env python3
"""B9 before and after: runs bench/cost_per_order.py for two builds alternately (A, B, A, B, ...) and compares them.

On a shared two-core machine a single B9 run moves by 5-10 % with the machine, more than most single changes; runs of
the two builds alternated within minutes of each other are what can be compared (docs/performance.md, "Cost per order").

  bench/cost_per_order_ab.py snapshot BUILD DIR     copies the service binaries of BUILD into DIR (a later build
                                                    of BUILD then leaves DIR as it was)
  bench/cost_per_order_ab.py run A_DIR B_DIR [--pairs 2] [--duration 15] [--phases place+pay] [--tag T]
                                                    A_DIR and B_DIR are builds or snapshots; writes each run's report
                                                    (cost_per_order.py's, tagged T-a1, T-b1, ...) and T.md, the
                                                    per-process medians of A and B side by side."""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BINARIES = ["order", "product", "marketing", "user", "datahub", "gateway", "payment-simulator"]


def snapshot(build, target):
    for name in BINARIES:
        source = f"{build}/services/{name}/zt-{name}"
        if not os.path.exists(source):
            sys.exit(f"missing {source}: build first")
        os.makedirs(f"{target}/services/{name}", exist_ok=True)
        shutil.copy2(source, f"{target}/services/{name}/zt-{name}")
    print(f"{target}: the service binaries of {build}")


def run_one(build, label, args):
    tag = f"{args.tag}-{label}"
    command = [sys.executable, f"{HERE}/cost_per_order.py", "--build", build, "--duration", str(args.duration),
               "--phases", args.phases, "--tag", tag, "--out", args.out,
               "--note", f" (the checkout; the binaries of {build})"]
    subprocess.run(command, check=True)
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    with open(f"{args.out}/{day}-cost-per-order-{tag}.json") as f:
        return json.load(f)


def compare(args):
    reports = {"a": [], "b": []}
    for i in range(1, args.pairs + 1):
        for side, build in (("a", args.a), ("b", args.b)):
            reports[side].append(run_one(os.path.abspath(build), f"{side}{i}", args))
    lines = [f"# B9 alternated: A = `{args.a}`, B = `{args.b}`", "",
             f"{args.pairs} pairs, run A, B, A, B, ...; each cell the median of its runs (all of them in brackets).", ""]
    for p, phase in enumerate(reports["a"][0]["phases"]):
        label = phase["label"]
        side_phases = {side: [r["phases"][p] for r in reports[side]] for side in reports}
        lines += [f"## {label}", "", "| ms of CPU per order | A | B | B - A |", "|---|---|---|---|"]

        def row(name, value_of):
            values = {side: [value_of(ph) for ph in side_phases[side]] for side in side_phases}
            med = {side: statistics.median(v) for side, v in values.items()}
            cells = [f"{med[s]:.2f} ({', '.join(f'{v:.2f}' for v in values[s])})" for s in ("a", "b")]
            lines.append(f"| {name} | {cells[0]} | {cells[1]} | {med['b'] - med['a']:+.2f} |")

        row("**all server processes**", lambda ph: ph["cpu_ms_per_order"])
        processes = sorted(phase["cpu_ms_per_order_by_process"], key=lambda n: -phase["cpu_ms_per_order_by_process"][n])
        for name in processes:
            if phase["cpu_ms_per_order_by_process"][name] >= 0.1:
                row(name, lambda ph, n=name: ph["cpu_ms_per_order_by_process"].get(n, 0.0))
        for db in sorted(phase["sql"]):
            row(f"statements per order, {db}", lambda ph, d=db: ph["sql"][d]["statements_per_order"])
        row("orders per second", lambda ph: ph["orders"] / ph["load_seconds"])
        lines.append("")
    path = f"{args.out}/{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d')}-cost-per-order-{args.tag}.md"
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("build")
    snap.add_argument("target")
    run = sub.add_parser("run")
    run.add_argument("a")
    run.add_argument("b")
    run.add_argument("--pairs", type=int, default=2)
    run.add_argument("--duration", type=float, default=15)
    run.add_argument("--phases", default="place+pay")
    run.add_argument("--tag", default="ab")
    run.add_argument("--out", default=f"{REPO}/bench/results")
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(os.path.abspath(args.build), os.path.abspath(args.target))
    else:
        compare(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
