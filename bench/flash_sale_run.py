#!/usr/bin/env python3
"""The large flash-sale run (B6 of docs/performance.md): one sale of --quantity units, --attempts purchase attempts
of --buyers buyers with --concurrency in flight through the marketing service's PurchaseFlashSale (gRPC, as the
gateway calls it), the orders created by the order service from the winners' stream; then redis-benchmark running the
same admission script (EVALSHA) on a sale of the same shape in the same Redis. Writes
bench/results/<date>-flash-sale.md and .json and exits non-zero when the counts are wrong (winners != quantity,
orders != winners, a buyer over the limit).

Only what the purchase path touches runs: PostgreSQL and Redis (tests/harness/stores.sh), zt-marketing and zt-order.
The sale is written to marketing's database as an ACTIVE sale (its product reservation is the product service's part,
tested there), so the first purchase also exercises the rebuild of a sale missing from Redis.
  flash_sale_run.py [--build DIR] [--attempts 1000000] [--buyers 10000] [--quantity 1000] [--concurrency 32]
                    [--pairs N] [--threads] [--label NAME] [--tag TAG]
With --pairs N the system and the reference alternate N times (the machine is shared: the ratio of each pair is the
figure, and their range says how much the load moved). The counts are checked on every system sale."""
import argparse
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import FLASH_PAYLOAD, tree_cpu_seconds, versions  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql(dsn, sql):
    return subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ZT_BUILD_DIR", f"{REPO}/build"))
    p.add_argument("--attempts", type=int, default=1000000)
    p.add_argument("--buyers", type=int, default=10000)
    p.add_argument("--quantity", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--state", default=f"{REPO}/.state/flash-bench")
    p.add_argument("--out", default=f"{REPO}/bench/results")
    p.add_argument("--tag", default="flash-sale")
    p.add_argument("--pairs", type=int, default=1,
                   help="system runs, each followed by a redis-benchmark run; each on a sale of its own")
    p.add_argument("--threads", action="store_true",
                   help="the load generator with a blocking thread per call in flight (the first B6 runs)")
    p.add_argument("--client", default="", help="the load generator binary (default: BUILD/bench/zt-flash-bench)")
    p.add_argument("--label", default="", help="what the service binary is (baseline, ...), in the report")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    client = os.path.abspath(a.client) if a.client else f"{build}/bench/zt-flash-bench"
    os.makedirs(a.state, exist_ok=True)
    subprocess.run([f"{REPO}/tests/harness/stores.sh", "start", f"{a.state}/stores"], check=True,
                   stdout=subprocess.DEVNULL)
    env_stores = dict(re.findall(r'export (\w+)="?([^"\n]*)"?', open(f"{a.state}/stores/stores.env").read()))
    admin_dsn, redis_addr = env_stores["ZT_TEST_PG_DSN"], env_stores["ZT_TEST_REDIS_ADDR"]
    subprocess.run([f"{REPO}/deploy/tls/make-credentials.sh", f"{a.state}/tls"], check=True, stdout=subprocess.DEVNULL)
    run_id = str(int(time.time()))
    token_time = int(time.time())
    dsn = {}
    for name in ("marketing", "order"):
        db = f"flash_{name}_{run_id}"
        psql(admin_dsn, f"CREATE DATABASE {db}")
        dsn[name] = admin_dsn.rsplit("/", 1)[0] + "/" + db
    host, port = redis_addr.rsplit(":", 1)
    subprocess.run(["redis-cli", "-h", host, "-p", port, "FLUSHALL"], check=True, stdout=subprocess.DEVNULL)

    public_key = open(f"{a.state}/tls/token.public-key").read().strip()
    grpc = {n: free_port() for n in ("marketing", "order")}
    procs = {}
    logs = tempfile.mkdtemp(prefix="zt-flash-bench-")
    for name in ("marketing", "order"):
        up = name.upper()
        env = dict(os.environ, ZT_DEV_PLAINTEXT="true", ZT_AUTH_PUBLIC_KEY=public_key,
                   **{f"ZT_{up}_PG_DSN": dsn[name], f"ZT_{up}_REDIS_ADDR": redis_addr,
                      f"ZT_{up}_GRPC_PORT": str(grpc[name]), f"ZT_{up}_METRICS_PORT": str(free_port()),
                      f"ZT_{up}_PRODUCT_ADDR": "127.0.0.1:1"})
        if name == "order":
            env["ZT_ORDER_MARKETING_ADDR"] = f"127.0.0.1:{grpc['marketing']}"
        procs[name] = subprocess.Popen([f"{build}/services/{name}/zt-{name}"], env=env,
                                       stdout=open(f"{logs}/{name}.log", "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                psql(dsn["marketing"], "SELECT 1 FROM flash_sales LIMIT 1")
                psql(dsn["order"], "SELECT 1 FROM orders LIMIT 1")
                break
            except subprocess.CalledProcessError:
                if time.time() > deadline:
                    sys.exit(f"services did not start; logs in {logs}")
                time.sleep(0.5)
        time.sleep(1)

        def sale(sale_id, quantity, window="now() - interval '5 seconds', now() + interval '30 minutes'"):
            psql(dsn["marketing"],
                 "INSERT INTO flash_sales (sale_id, request_id, name, sku_id, sale_price_minor, currency, quantity, "
                 "per_user_limit, start_at, end_at, status, created_at, updated_at) VALUES "
                 f"('{sale_id}', 'req-{sale_id}', 'bench', 'sku_bench', 100, 'CNY', {quantity}, 1, "
                 f"{window}, 'ACTIVE', now(), now())")

        def flash_bench(sale_id, attempts, out):
            cmd = [client, "--target", f"127.0.0.1:{grpc['marketing']}",
                   "--signing-key-file", f"{a.state}/tls/token.signing-key", "--sale-id", sale_id,
                   "--attempts", str(attempts), "--buyers", str(a.buyers), "--concurrency", str(a.concurrency),
                   "--json", out]
            if a.threads:
                cmd += ["--threads", "1"]
            cmd += ["--token-time", str(token_time)]
            started = time.time()
            proc = subprocess.Popen(cmd)
            client_cpu = 0.0
            while proc.poll() is None:
                client_cpu = tree_cpu_seconds([proc.pid]) or client_cpu
                time.sleep(1)
            if proc.returncode != 0:
                sys.exit(f"zt-flash-bench failed ({proc.returncode})")
            with open(out) as f:
                r = json.load(f)
            r["wall_seconds"] = time.time() - started
            r["client_cpu_seconds_at_least"] = client_cpu
            return r

        script = re.search(r'kAdmit\[\] = R"lua\((.*?)\)lua"',
                           open(f"{REPO}/services/marketing/store/flash_admission_scripts.h").read(), re.S).group(1)
        load_script = re.search(r'kLoad\[\] = R"lua\((.*?)\)lua"',
                                open(f"{REPO}/services/marketing/store/flash_admission_scripts.h").read(), re.S).group(1)
        sha = subprocess.run(["redis-cli", "-h", host, "-p", port, "SCRIPT", "LOAD", script], check=True,
                             capture_output=True, text=True).stdout.strip()
        server_pids = [procs["marketing"].pid, int(open(f"{a.state}/stores/redis/redis.pid").read())]

        def reference_run(i):
            # The same script by redis-benchmark on a sale of the same shape (loaded by one purchase).
            sale_id = f"fs_reference_{i}"
            base = "zt:fs:{" + sale_id + "}:"
            # Loaded as the service loads a sale (its load script), with no purchase: nothing of it reaches the orders.
            now_us = int(time.time() * 1e6)
            subprocess.run(["redis-cli", "-h", host, "-p", port, "EVAL", load_script, "6",
                            *[base + k for k in ("meta", "remaining", "users", "requests", "buyers", "released")],
                            str(now_us - 5_000_000), str(now_us + 1_800_000_000), "1", str(a.quantity),
                            str(now_us // 1000 + 3_600_000)], check=True, capture_output=True)
            stream = f"zt.flash.bench-reference-{i}"
            keys = [base + k for k in ("meta", "remaining", "users", "requests", "buyers")] + [stream]
            cpu0 = tree_cpu_seconds(server_pids[1:])
            started = time.time()
            out = subprocess.run(["redis-benchmark", "-h", host, "-p", port, "-c", str(a.concurrency), "-n",
                                  str(a.attempts), "-r", str(a.buyers), "-q", "EVALSHA", sha, "6", *keys,
                                  str(int(time.time() * 1e6)), "u__rand_int__", "k__rand_int__", "fp__rand_int__",
                                  sale_id, "zhongtai.marketing.v1.FlashSaleWon", FLASH_PAYLOAD,
                                  "2026-12-03T00:00:00Z"], check=True, capture_output=True, text=True).stdout
            return {"rps": float(re.findall(r"([0-9.]+) requests per second", out)[-1]),
                    "seconds": time.time() - started,
                    "server_cpu_seconds": tree_cpu_seconds(server_pids[1:]) - cpu0,
                    "admitted": int(subprocess.run(["redis-cli", "-h", host, "-p", port, "XLEN", stream],
                                                   capture_output=True, text=True).stdout.strip())}

        # Every buyer's token checked once before the timed runs (an attempt on a sale that has ended: answered by the
        # script, nothing sold), as in a long sale where each buyer tries many times: the service's verified-token
        # cache holds them all (10,000 by default), and each pair pays the same.
        sale("fs_warmup", 1, "now() - interval '10 minutes', now() - interval '5 minutes'")
        flash_bench("fs_warmup", a.buyers, f"{logs}/warmup.json")
        pairs = []
        orders_before = 0
        for i in range(a.pairs):
            sale_id = f"fs_system_{i}"
            sale(sale_id, a.quantity)
            load = os.getloadavg()[0]
            pg_started = psql(dsn["order"], "SELECT now()")
            cpu0 = tree_cpu_seconds(server_pids)
            system = flash_bench(sale_id, a.attempts, f"{logs}/system-{i}.json")
            system["server_cpu_seconds"] = tree_cpu_seconds(server_pids) - cpu0
            system["load_average_1m_before"] = load
            winners = system.pop("winners")
            deadline = time.time() + 180
            while True:
                orders = int(psql(dsn["order"], "SELECT count(*) FROM orders WHERE channel = 'flash_sale'"))
                if orders - orders_before >= system["admitted"] or time.time() > deadline:
                    break
                time.sleep(0.5)
            new_orders = orders - orders_before
            orders_before = orders
            span = float(psql(dsn["order"], "SELECT coalesce(extract(epoch FROM max(created_at) - min(created_at)), 0) "
                                            f"FROM orders WHERE channel = 'flash_sale' AND created_at >= '{pg_started}'"))
            reference = reference_run(i)
            pairs.append({"system": system, "reference": reference, "ratio": system["attempts_per_second"] / reference["rps"],
                          "winners": system["admitted"], "distinct_winning_buyers": len({w.split(" ")[0] for w in winners}),
                          "orders": new_orders, "orders_span_seconds": span,
                          "orders_per_second": new_orders / span if span > 0 else 0})
            print(f"pair {i}: {system['attempts_per_second']:.0f}/s vs {reference['rps']:.0f}/s = "
                  f"{pairs[-1]['ratio']:.2f}; winners {system['admitted']}, orders {new_orders} "
                  f"({pairs[-1]['orders_per_second']:.0f}/s), load {load:.1f}", flush=True)

        over = int(psql(dsn["order"], "SELECT count(*) FROM (SELECT user_id FROM orders WHERE channel = 'flash_sale' "
                                      "GROUP BY user_id HAVING count(*) > a_limit) o".replace("a_limit", str(a.pairs))))
        priced = int(psql(dsn["order"], "SELECT count(*) FROM orders WHERE channel = 'flash_sale' AND total = 100"))
        streamed = int(subprocess.run(["redis-cli", "-h", host, "-p", port, "XLEN", "zt.flash.winners"],
                                      capture_output=True, text=True).stdout.strip())
        time.sleep(2)
        recorded = int(psql(dsn["marketing"], "SELECT count(*) FROM flash_purchases WHERE sale_id LIKE 'fs_system_%'"))
        # No buyer over the limit of 1 in any one sale: the winners' stream has each (sale, buyer) once.
        over_in_a_sale = int(psql(dsn["marketing"], "SELECT count(*) FROM (SELECT sale_id, user_id FROM flash_purchases "
                                                    "GROUP BY sale_id, user_id HAVING count(*) > 1) p"))
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=30)
        subprocess.run([f"{REPO}/tests/harness/stores.sh", "stop", f"{a.state}/stores"], check=False,
                       stdout=subprocess.DEVNULL)

    ratios = [p["ratio"] for p in pairs]
    total_orders = sum(p["orders"] for p in pairs)
    result = {"attempts": a.attempts, "buyers": a.buyers, "quantity": a.quantity, "concurrency": a.concurrency,
              "label": a.label, "load_generator": "threads" if a.threads else "callback", "pairs": pairs,
              "ratio_min": min(ratios), "ratio_max": max(ratios), "ratio_median": sorted(ratios)[len(ratios) // 2],
              "winners_streamed": streamed, "purchases_recorded": recorded, "orders": total_orders,
              "orders_at_sale_price": priced, "buyers_over_limit": over, "buyers_over_limit_in_a_sale": over_in_a_sale}
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": versions(), "result": result}
    os.makedirs(a.out, exist_ok=True)
    base = f"{a.out}/{now.strftime('%Y-%m-%d')}-{a.tag}"
    with open(base + ".json", "w") as f:
        json.dump(report, f, indent=1)
    m = report["machine"]
    ok = (all(p["winners"] == a.quantity and p["orders"] == a.quantity and p["distinct_winning_buyers"] == a.quantity
              for p in pairs) and over == 0 and over_in_a_sale == 0 and priced == total_orders
          and streamed == a.quantity * a.pairs and recorded == a.quantity * a.pairs)
    md = [f"# Flash sale run {report['date']}" + (f" ({a.label})" if a.label else ""), "",
          f"Commit `{m['commit']}`, {m['cores']} cores ({m['cpu']}), {m['postgres']}, {m['redis']}. Shared machine; "
          "the load generator and redis-benchmark on the same cores.", "",
          f"{a.attempts} purchase attempts of {a.buyers} buyers on {a.quantity} units (limit 1), {a.concurrency} in "
          "flight, through zt-marketing's PurchaseFlashSale (gRPC, plaintext, each buyer's own token; load generator: "
          + ("a blocking thread per call" if a.threads else "gRPC callback API, each call started by the last one's completion")
          + "); the reference is redis-benchmark sending the same admission script (EVALSHA) with the same count and "
          f"concurrency, right after. {a.pairs} pair(s), each on sales of their own.", "",
          "| pair | admissions/s through the service | redis-benchmark EVALSHA/s | ratio (target >= 0.6) | server CPU per attempt (zt-marketing + Redis) | Redis CPU per script run (reference) | winners / distinct buyers | orders (per s) | load avg before |",
          "|---|---|---|---|---|---|---|---|---|"]
    for i, p in enumerate(pairs):
        md.append(f"| {i + 1} | {p['system']['attempts_per_second']:.0f} | {p['reference']['rps']:.0f} | **{p['ratio']:.2f}** | "
                  f"{1e6 * p['system']['server_cpu_seconds'] / a.attempts:.0f} µs | "
                  f"{1e6 * p['reference']['server_cpu_seconds'] / a.attempts:.1f} µs | "
                  f"{p['winners']} / {p['distinct_winning_buyers']} | {p['orders']} ({p['orders_per_second']:.0f}/s) | "
                  f"{p['system']['load_average_1m_before']:.1f} |")
    md += ["", f"Ratio: median {result['ratio_median']:.2f}, range {result['ratio_min']:.2f}–{result['ratio_max']:.2f}.", "",
           f"Entries on zt.flash.winners / purchases recorded / orders (at the sale price): {streamed} / {recorded} / "
           f"{total_orders} ({priced}); buyers with more than one unit in a sale: {over_in_a_sale}.", "",
           "Answers by code and message (first pair): " + ", ".join(
               f"{k} {v}" for k, v in sorted(pairs[0]["system"]["outcomes"].items())),
           "", "counts: " + ("as required" if ok else "WRONG"), ""]
    with open(base + ".md", "w") as f:
        f.write("\n".join(md))
    print(base + ".md")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
