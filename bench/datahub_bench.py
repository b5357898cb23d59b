#!/usr/bin/env python3
"""Data hub benchmarks on a fresh local stack (deploy/stack.sh), run by hand, never in the test suite:

  D1  ingestion: behaviour event rows/s through POST /v1/events (gateway -> datahub: validation, COPY into the
      partitioned table (a batch repeating a stored event: staged and deduplicated), hourly rollup with HyperLogLog,
      funnel journeys) against a COPY of the same number of rows of the same shape straight into behaviour_events
      (psql \\copy), alternating A B A B. Target ratio >= 0.75. The rollup rows a batch appends are folded by the
      data hub every second (migration 0009): what is still pending when the load stops is folded by the script
      with the same function (behaviour_hourly_fold) and its time added to the API's seconds, so the rate counts
      the fold's work done during the run and after it.
  D2  funnel: GET /v1/admin/analytics/funnel over every event loaded against SELECT count(*) of the same range of
      behaviour_events (a full scan of the range). Target <= 1.2x.
  D3  dashboard: p99 of GET /v1/admin/analytics/dashboard over the same range (closed loop). Target < 100 ms.

The events are loaded through the API (so that the funnel journeys and rollups are built as in production) until
--events rows are stored; the COPY reference rows are deleted again after each run.

  datahub_bench.py [--build DIR] [--state DIR] [--events N] [--pairs N] [--duration S] [--concurrency N] [--out FILE]

--events defaults to 1000000; 10000000 is the target size (about ten times the loading time)."""
import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import REPO, Stack, call, log  # noqa: E402  (the shared stack and HTTP helpers of bench/run.py)

BATCH = 500
DEVICES_PER_BATCH = 50
# Ten events per device and batch: a visit that views, clicks, adds to the cart and sometimes checks out.
VISIT = ["view", "view", "click", "add_to_cart", "view", "search", "view", "checkout", "share", "view"]
CHANNELS = ["app", "web", "mini_program"]


def batch_body(now):
    """A POST /v1/events body of BATCH events; {seq} (unique per request, zt-loadgen) makes ids and devices new."""
    events = []
    for i in range(BATCH):
        device = i % DEVICES_PER_BATCH
        kind = VISIT[i // DEVICES_PER_BATCH % len(VISIT)]
        at = now - datetime.timedelta(hours=2) + datetime.timedelta(seconds=device * 60 + i // DEVICES_PER_BATCH * 20)
        event = {"eventId": "e{seq}-%d" % i, "type": kind, "occurTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "deviceId": "d{seq}-%d" % device, "sessionId": "s{seq}-%d" % device,
                 "channel": CHANNELS[device % len(CHANNELS)], "productId": "p%d" % (device % 97),
                 "skuId": "s%d" % (device % 97)}
        if kind == "search":
            event["query"] = "green tea"
        events.append(event)
    return json.dumps({"events": events})


def copy_rows(path, rows, now, tag):
    """The reference rows, shaped like the API's (same types, devices per batch, times, channels), as COPY text."""
    received = now.strftime("%Y-%m-%d %H:%M:%S+00")
    with open(path, "w") as f:
        for n in range(rows):
            b, i = divmod(n, BATCH)
            device = i % DEVICES_PER_BATCH
            kind = VISIT[i // DEVICES_PER_BATCH % len(VISIT)]
            at = now - datetime.timedelta(hours=2) + datetime.timedelta(seconds=device * 60 + i // DEVICES_PER_BATCH * 20)
            type_number = {"view": 1, "search": 2, "click": 3, "add_to_cart": 4, "checkout": 5, "share": 6}[kind]
            f.write("\t".join([f"{tag}{b}-{i}", at.strftime("%Y-%m-%d %H:%M:%S+00"), received, str(type_number),
                               f"{tag}d{b}-{device}", "\\N", f"{tag}s{b}-{device}", CHANNELS[device % 3],
                               f"p{device % 97}", f"s{device % 97}", "green tea" if kind == "search" else "\\N"]) + "\n")


def psql_timed(stack, database, sql):
    """Runs sql in one psql session with \\timing; returns the server-side milliseconds psql reports."""
    out = subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", stack.dsn(database)],
                         input="\\timing on\n" + sql + "\n", check=True, capture_output=True, text=True).stdout
    times = [float(m) for m in re.findall(r"Time: ([\d.]+) ms", out)]
    return times[-1], out


def has_fold(stack):
    return stack.psql("datahub", "SELECT to_regprocedure('behaviour_hourly_fold(integer)') IS NOT NULL") == "t"


def fold_pending(stack):
    """Folds the rollup rows still pending (a build with migration 0009) as the data hub does; the seconds it took."""
    if not has_fold(stack):
        return 0.0
    ms, _ = psql_timed(stack, "datahub", "SELECT behaviour_hourly_fold(2000000000);")
    return ms / 1000


def loadgen(build, args, label, flags, duration, seq_base):
    out = tempfile.mktemp(suffix=".json")
    cmd = [f"{build}/bench/zt-loadgen", "--label", label, "--json", out, "--seq-base", str(seq_base),
           "--duration", str(duration), "--warmup", "1"] + flags
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    with open(out) as f:
        result = json.load(f)
    os.unlink(out)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(REPO, "build-bench"))
    parser.add_argument("--state", default=os.path.join(REPO, ".state", "bench-datahub"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", default=os.path.join(HERE, "results",
                                                      datetime.date.today().isoformat() + "-datahub.md"))
    args = parser.parse_args()
    stack = Stack(args.build, args.state)
    try:
        run(stack, args)
    finally:
        stack.stop()


def run(stack, args):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    body = batch_body(now)
    gateway = stack.gateway
    target = urllib.parse.urlparse(gateway).netloc
    admin = call(gateway, "POST", "/v1/sessions", {"login": stack.env["ZT_STACK_ADMIN_LOGIN"],
                                                   "password": stack.env["ZT_STACK_ADMIN_PASSWORD"]})
    token = admin["tokens"]["accessToken"]
    stored = lambda: int(stack.psql("datahub", "SELECT count(*) FROM behaviour_events"))  # noqa: E731
    post_flags = ["--proto", "http", "--target", target, "--http-method", "POST", "--path", "/v1/events",
                  "--body", body, "--mode", "closed", "--concurrency", str(args.concurrency)]
    seq = 1_000_000

    # D1: A (API) and B (COPY of as many rows) alternate.
    pairs = []
    for p in range(args.pairs):
        seq += 10_000_000
        before = stored()
        a = loadgen(args.build, args, "events", post_flags, args.duration, seq)
        fold_seconds = fold_pending(stack)
        rows = stored() - before
        seconds = a["seconds"] + fold_seconds
        api_rate = rows / seconds if seconds else 0
        log(f"D1 pair {p}: API {rows} rows in {a['seconds']:.1f}s + {fold_seconds:.2f}s folding what was pending = "
            f"{api_rate:.0f} rows/s, codes {a['codes']}")
        path = tempfile.mktemp(suffix=".copy")
        copy_rows(path, rows, now, f"ref{p}-")
        started = time.monotonic()
        subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", stack.dsn("datahub"), "-c",
                        f"\\copy behaviour_events (event_id, occurred_at, received_at, event_type, device_id, user_id, "
                        f"session_id, channel, product_id, sku_id, query) FROM '{path}'"], check=True)
        copy_seconds = time.monotonic() - started
        os.unlink(path)
        copy_rate = rows / copy_seconds
        log(f"D1 pair {p}: COPY {rows} rows in {copy_seconds:.1f}s = {copy_rate:.0f} rows/s")
        stack.psql("datahub", f"DELETE FROM behaviour_events WHERE event_id LIKE 'ref{p}-%'")
        pairs.append((api_rate, copy_rate))

    # Load the rest through the API.
    while stored() < args.events:
        seq += 10_000_000
        left = args.events - stored()
        rate = max(statistics.median(a for a, _ in pairs), 1000)
        loadgen(args.build, args, "load", post_flags, min(120, max(5, int(left / rate) + 1)), seq)
        log(f"loaded {stored()} of {args.events}")
    rollup = "behaviour_hourly_folded" if has_fold(stack) else "behaviour_hourly"  # a table since migration 0009
    for table in ("behaviour_events", "funnel_journeys", rollup):
        stack.psql("datahub", f"VACUUM ANALYZE {table}")  # one statement a call: VACUUM refuses a transaction
    total = stored()

    # D2: the funnel over everything loaded against count(*) of the same range.
    start = (now - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    funnel_path = f"/v1/admin/analytics/funnel?startTime={start}&endTime={end}"
    funnel_ms, count_ms = [], []
    for _ in range(5):
        started = time.monotonic()
        funnel = call(gateway, "GET", funnel_path, token=token)
        funnel_ms.append((time.monotonic() - started) * 1000)
        ms, out = psql_timed(stack, "datahub", "SELECT count(*) FROM behaviour_events WHERE occurred_at >= "
                             f"'{start}' AND occurred_at < '{end}';")
        count_ms.append(ms)
    log("D2 funnel", funnel["steps"][:2], "ms", funnel_ms, "count(*) ms", count_ms)

    # D3: dashboard p99, closed loop.
    dashboard_path = f"/v1/admin/analytics/dashboard?startTime={start}&endTime={end}"
    d = loadgen(args.build, args, "dashboard",
                ["--proto", "http", "--target", target, "--http-method", "GET", "--path", dashboard_path,
                 "--header", f"Authorization: Bearer {token}", "--mode", "closed", "--concurrency", "4"],
                args.duration, seq + 10_000_000)
    log("D3 dashboard", d["latency_us"], d["codes"])

    ratios = [a / b for a, b in pairs]
    lines = [
        f"# Data hub benchmark {datetime.date.today().isoformat()}",
        "",
        f"`bench/datahub_bench.py --events {args.events} --pairs {args.pairs} --duration {args.duration} "
        f"--concurrency {args.concurrency}`; {total} behaviour events stored through the API. Machine: "
        f"{os.cpu_count()} cores, shared.",
        "",
        "| scenario | system | reference | ratio median (min-max) | target | met |",
        "|---|---|---|---|---|---|",
        f"| D1 ingestion rows/s, POST /v1/events vs COPY | {statistics.median(a for a, _ in pairs):.0f} | "
        f"{statistics.median(b for _, b in pairs):.0f} | {statistics.median(ratios):.2f} "
        f"({min(ratios):.2f}-{max(ratios):.2f}) | >= 0.75 | {'yes' if statistics.median(ratios) >= 0.75 else 'no'} |",
        f"| D2 funnel over {total} events vs count(*) of the range, ms | {statistics.median(funnel_ms):.1f} | "
        f"{statistics.median(count_ms):.1f} | {statistics.median(funnel_ms) / statistics.median(count_ms):.2f} | "
        f"<= 1.2 | {'yes' if statistics.median(funnel_ms) <= 1.2 * statistics.median(count_ms) else 'no'} |",
        f"| D3 dashboard p99 over {total} events (4 in flight) | {d['latency_us']['p99'] / 1000:.1f} ms | | | "
        f"< 100 ms | {'yes' if d['latency_us']['p99'] < 100_000 else 'no'} |",
        "",
        "Raw: " + json.dumps({"d1_pairs": pairs, "funnel_ms": funnel_ms, "count_ms": count_ms,
                              "dashboard_latency_us": d["latency_us"], "dashboard_codes": d["codes"]}),
    ]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
