#!/usr/bin/env python3
"""Runs the benchmark scenarios against a fresh local stack and writes bench/results/<date>.md and .json.

Every figure is a ratio against a reference measured in the same invocation on the same machine: the
system (A) and its reference (B) run alternately, A B A B ..., after one warm-up run of each, and the
report gives the median ratio with its min and max. Usage (bench/run.sh passes these through):
  run.py [--build DIR] [--pairs N] [--duration S] [--smoke] [--only B1,B3] [--out DIR] [--state DIR]
--smoke runs each scenario once for about a second (the CTest smoke); it never judges speed."""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = "/usr/lib/postgresql/15/bin"


def log(*parts):
    print("bench:", *parts, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ processes
def tree_cpu_seconds(roots):
    """utime+stime of the process trees under roots (plus the roots' reaped children), as zt-loadgen does."""
    stats = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                line = f.read()
        except OSError:
            continue
        fields = line[line.rfind(")") + 2:].split()
        stats[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]))
    tree = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _, _) in stats.items():
            if pid not in tree and ppid in tree:
                tree.add(pid)
                grew = True
    ticks = sum(stats[p][1] + (stats[p][2] if p in roots else 0) for p in tree if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


class Stack:
    def __init__(self, build, state):
        self.build, self.state = build, state
        # Development plaintext, so that the direct gRPC scenarios compare like with like against the plaintext
        # echo reference; the loadgen names itself the gateway (x-zt-caller), as plaintext mode allows.
        # One bench buyer places thousands of orders it never pays: the open-orders cap (OWASP API6) is off here.
        env = dict(os.environ, ZT_BUILD_DIR=build, ZT_STACK_FREE_PORTS="1", ZT_DEV_PLAINTEXT="true",
                   ZT_ORDER_MAX_OPEN_ORDERS="0")
        log("starting the stack in", state)
        subprocess.run([f"{REPO}/deploy/stack.sh", "start", state], env=env, check=True, stdout=subprocess.DEVNULL)
        self.env = {}
        with open(f"{state}/stack.env") as f:
            for line in f:
                m = re.match(r"export (\w+)=(.*)", line.strip())
                if m:
                    self.env[m.group(1)] = m.group(2)
        self.pids = {}
        for name in ("product", "order", "marketing", "user", "datahub", "gateway"):
            with open(f"{state}/run/{name}.pid") as f:
                self.pids[name] = int(f.read())
        with open(f"{state}/stores/pg/postmaster.pid") as f:
            self.pids["postgres"] = int(f.readline())
        with open(f"{state}/stores/redis/redis.pid") as f:
            self.pids["redis"] = int(f.read())
        self.gateway = self.env["ZT_STACK_GATEWAY"]
        self.pg_dsn = self.env["ZT_STACK_PG_DSN"]  # superuser, database postgres

    def dsn(self, database):
        return self.pg_dsn.rsplit("/", 1)[0] + "/" + database

    def stop(self):
        subprocess.run([f"{REPO}/deploy/stack.sh", "stop", self.state], check=False, stdout=subprocess.DEVNULL)

    def psql(self, database, sql):
        out = subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", self.dsn(database), "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()


# ------------------------------------------------------------------------------------------ HTTP seeding
def call(gateway, method, path, body=None, token=None, key=None):
    request = urllib.request.Request(gateway + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        sys.exit(f"bench: seeding {method} {path} -> {error.code} {error.read().decode()}")


def seed(stack):
    """One catalogue product with three SKUs and one hot single-SKU product, stock large enough never to run out,
    and one customer. Everything through the gateway, as a user would."""
    g, run = stack.gateway, str(time.time_ns())
    admin = call(g, "POST", "/v1/sessions", {"login": stack.env["ZT_STACK_ADMIN_LOGIN"],
                                            "password": stack.env["ZT_STACK_ADMIN_PASSWORD"]})["tokens"]["accessToken"]
    category = call(g, "POST", "/v1/admin/categories", {"name": "bench " + run}, admin, "bench-cat-" + run)
    category_id = category["category"]["categoryId"]

    def product(title, specs):
        skus = [{"skuCode": f"BENCH-{run}-{title}-{i}", "spec": spec,
                 "price": {"currency": "CNY", "amountMinor": str(9900 + 100 * i)}, "initialStock": "1000000000"}
                for i, spec in enumerate(specs)]
        created = call(g, "POST", "/v1/admin/products", {"title": f"Bench {title}", "description": "benchmark product",
                                                         "categoryId": category_id, "skus": skus},
                       admin, f"bench-{title}-{run}")["product"]
        call(g, "POST", f"/v1/admin/products/{created['productId']}:publish", {}, admin)  # drafts are not for sale
        return created["productId"], [s["skuId"] for s in created["skus"]]

    product_id, sku_ids = product("tea", ["250g", "500g", "1kg"])
    _, hot_skus = product("hot", ["one size"])
    email = f"bench-{run}@example.com"
    call(g, "POST", "/v1/users", {"email": email, "password": "bench-pass-1", "nickname": "bench"})
    token = call(g, "POST", "/v1/sessions", {"login": email, "password": "bench-pass-1"})["tokens"]["accessToken"]
    address = call(g, "POST", "/v1/users/me/addresses", {"address": {
        "recipientName": "Bench", "recipientPhone": "13800000000", "provinceCode": "440000", "cityCode": "440300",
        "districtCode": "440305", "detail": "Keyuan Rd 1"}}, token, "bench-address-" + run)["address"]["addressId"]
    return {"product_id": product_id, "sku_ids": sku_ids, "hot_sku": hot_skus[0], "token": token,
            "address_id": address, "admin": admin}


# ------------------------------------------------------------------------------------------ load
class Bench:
    def __init__(self, args, stack, data):
        self.args, self.stack, self.data = args, stack, data
        self.loadgen = f"{args.build}/bench/zt-loadgen"
        self.tmp = tempfile.mkdtemp(prefix="zt-bench-")
        self.seq = time.time_ns() // 1000

    def loadgen_run(self, label, flags, pids, duration=None, warmup=None, seq_floor=0):
        """seq_floor: every {seq} of the run is at least this (B7 puts {seq} in priceMax, which must match every price)."""
        out = f"{self.tmp}/run.json"
        self.seq = max(self.seq + 10_000_000, seq_floor)
        cmd = [self.loadgen, "--label", label, "--json", out, "--seq-base", str(self.seq),
               "--duration", str(duration or self.args.duration), "--warmup", str(self.args.warmup if warmup is None else warmup),
               "--pids", ",".join(str(p) for p in pids)] + flags
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL if not self.args.verbose else None)
        with open(out) as f:
            return json.load(f)

    def pgbench_run(self, label, database, script, clients, pids, duration=None):
        path = f"{self.tmp}/{label}.sql"
        with open(path, "w") as f:
            f.write(script)
        seconds = max(1, int(round(duration or self.args.duration)))
        cpu0 = tree_cpu_seconds(pids)
        out = subprocess.run([f"{PG_BIN}/pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", path,
                              self.stack.dsn(database)], check=True, capture_output=True, text=True).stdout
        cpu = tree_cpu_seconds(pids) - cpu0
        tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
        failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0
        done = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
        return {"label": label, "tool": "pgbench", "clients": clients, "seconds": seconds, "tps": tps, "ok": done,
                "failed": failed, "server_cpu_seconds": cpu, "tps_per_server_cpu_second": done / cpu if cpu > 0 else 0}

    def alternate(self, name, run_a, run_b, metric):
        """Warm-up of each, then pairs A B; the ratio is metric(A)/metric(B) per pair."""
        if not self.args.smoke:
            run_a()
            run_b()
        pairs = []
        for i in range(self.args.pairs):
            a, b = run_a(), run_b()
            ratio = metric(a) / metric(b) if metric(b) else 0.0
            pairs.append({"system": a, "reference": b, "ratio": ratio})
            log(f"{name} pair {i + 1}: {metric(a):.1f} / {metric(b):.1f} = {ratio:.3f}")
        ratios = [p["ratio"] for p in pairs]
        return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "pairs": pairs}


def grpc_get_product_hex(product_id):
    raw = product_id.encode()
    return (bytes([0x0A, len(raw)]) + raw).hex()


def med(runs, key):
    return statistics.median(key(r) for r in runs)


def b1_b2(bench, results):
    s, d = bench.stack, bench.data
    product_addr = s.env["ZT_STACK_PRODUCT_GRPC"]
    grpc_flags = ["--proto", "grpc", "--metadata", "x-zt-caller=gateway",
                  "--method", "/zhongtai.product.v1.ProductService/GetProduct",
                  "--request-hex", grpc_get_product_hex(d["product_id"])]
    response_file = f"{bench.tmp}/get_product_response.bin"
    bench.loadgen_run("capture", grpc_flags + ["--target", product_addr, "--mode", "closed", "--concurrency", "1",
                                               "--save-response", response_file], [], duration=0.2, warmup=0)
    echo = subprocess.Popen([f"{bench.args.build}/bench/zt-bench-echo", "--port", "0", "--response-file", response_file],
                            stdout=subprocess.PIPE, text=True)
    echo_addr = echo.stdout.readline().split()[-1]
    bench.echo_addr = echo_addr
    try:
        sys_pids = [s.pids["product"], s.pids["postgres"], s.pids["redis"]]
        closed = ["--mode", "closed", "--concurrency", str(bench.args.concurrency)]
        run_a = lambda: bench.loadgen_run("B1 zt-product", grpc_flags + closed + ["--target", product_addr], sys_pids)
        run_b = lambda: bench.loadgen_run("B1 echo", grpc_flags + closed + ["--target", echo_addr], [echo.pid])
        per_cpu = lambda r: r["qps_per_server_cpu_second"]
        b1 = bench.alternate("B1", run_a, run_b, per_cpu)
        b1["metric"] = "GetProduct QPS per server CPU-second, zt-product (+PostgreSQL, Redis) / echo server"
        b1["wall_qps_ratio"] = med([p["system"] for p in b1["pairs"]], lambda r: r["qps"]) / \
            med([p["reference"] for p in b1["pairs"]], lambda r: r["qps"])
        results["B1"] = b1
        bench.b1_direct = [p["system"] for p in b1["pairs"]]

        max_rate = med([p["reference"] for p in b1["pairs"]], lambda r: r["qps"])
        b2 = {"reference_max_qps": max_rate, "metric": "open-loop p99 and p99.9, zt-product / echo server at the same rate"}
        for share in (0.5, 0.8):
            rate = max(50.0, share * max_rate)
            opened = ["--mode", "open", "--rate", f"{rate:.0f}"]
            ra = lambda: bench.loadgen_run(f"B2 zt-product {share:.0%}", grpc_flags + opened + ["--target", product_addr], sys_pids)
            rb = lambda: bench.loadgen_run(f"B2 echo {share:.0%}", grpc_flags + opened + ["--target", echo_addr], [echo.pid])
            p99 = bench.alternate(f"B2 {share:.0%} p99", ra, rb, lambda r: r["latency_us"]["p99"])
            p999 = [p["system"]["latency_us"]["p999"] / p["reference"]["latency_us"]["p999"] for p in p99["pairs"]
                    if p["reference"]["latency_us"]["p999"]]
            b2[f"{int(share * 100)}%"] = {"rate": rate, "p99": p99,
                                          "p999": {"median": statistics.median(p999), "min": min(p999), "max": max(p999)}
                                          if p999 else None}
        results["B2"] = b2
    finally:
        echo.terminate()
        echo.wait()


def b3(bench, results):
    s, d = bench.stack, bench.data
    gateway = s.gateway.replace("http://", "")
    conc = str(bench.args.concurrency)
    http_pids = [s.pids["gateway"], s.pids["product"], s.pids["postgres"], s.pids["redis"]]
    grpc_pids = [s.pids["product"], s.pids["postgres"], s.pids["redis"]]
    run_a = lambda: bench.loadgen_run("B3 gateway", ["--proto", "http", "--target", gateway, "--path",
                                                     f"/v1/products/{d['product_id']}", "--mode", "closed",
                                                     "--concurrency", conc], http_pids)
    run_b = lambda: bench.loadgen_run("B3 direct gRPC", [
        "--proto", "grpc", "--metadata", "x-zt-caller=gateway", "--target", s.env["ZT_STACK_PRODUCT_GRPC"], "--method",
        "/zhongtai.product.v1.ProductService/GetProduct", "--request-hex", grpc_get_product_hex(d["product_id"]),
        "--mode", "closed", "--concurrency", conc], grpc_pids)
    r = bench.alternate("B3", run_a, run_b, lambda x: x["qps"])
    r["metric"] = f"GET /v1/products/{{id}} through the gateway / direct gRPC GetProduct, wall QPS at {conc} in flight"
    a, b = [p["system"] for p in r["pairs"]], [p["reference"] for p in r["pairs"]]
    r["per_cpu_ratio"] = med(a, lambda x: x["qps_per_server_cpu_second"]) / med(b, lambda x: x["qps_per_server_cpu_second"])
    r["added_p50_us"] = med(a, lambda x: x["latency_us"]["p50"]) - med(b, lambda x: x["latency_us"]["p50"])
    r["added_p99_us"] = med(a, lambda x: x["latency_us"]["p99"]) - med(b, lambda x: x["latency_us"]["p99"])
    results["B3"] = r


def order_flags(bench, lines, clients):
    d = bench.data
    body = json.dumps({"channel": "app", "addressId": d["address_id"],
                       "lines": [{"skuId": sku, "quantity": "1"} for sku in lines]})
    return ["--proto", "http", "--target", bench.stack.gateway.replace("http://", ""), "--http-method", "POST",
            "--path", "/v1/orders", "--body", body, "--header", f"Authorization: Bearer {d['token']}",
            "--header", "Idempotency-Key: bench-{seq}", "--mode", "closed", "--concurrency", str(clients),
            "--timeout-ms", "10000"]


def saga_pids(stack):
    return [stack.pids[n] for n in ("gateway", "order", "product", "marketing", "postgres", "redis")]


# The flash sale's admission script, as redis-benchmark sends it (services/marketing/store/flash_admission_scripts.h):
# keys of the sale, then now, buyer, request id, purchase id, sale id, event type, payload, occurred_at.
FLASH_PAYLOAD = "x" * 96  # about the size of a serialized FlashSaleWon


def flash_sale(bench, quantity, limit):
    """A flash sale open now on the hot SKU, through the gateway as an admin would create it."""
    s, d = bench.stack, bench.data
    now = datetime.datetime.now(datetime.timezone.utc)
    body = {"flashSale": {"name": "bench", "skuId": d["hot_sku"], "salePrice": {"currency": "CNY", "amountMinor": "100"},
                          "quantity": str(quantity), "perUserLimit": str(limit),
                          "startTime": (now - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "endTime": (now + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}}
    bench.seq += 1
    return call(s.gateway, "POST", "/v1/admin/flash-sales", body, d["admin"], f"bench-sale-{bench.seq}")["flashSale"]["saleId"]


def flash_system_run(bench, sale_id, attempts, buyers, clients):
    s = bench.stack
    out = f"{bench.tmp}/flash.json"
    cpu0 = tree_cpu_seconds([s.pids["marketing"], s.pids["redis"]])
    subprocess.run([f"{bench.args.build}/bench/zt-flash-bench", "--target", s.env["ZT_STACK_MARKETING_GRPC"],
                    "--signing-key-file", f"{s.state}/tls/token.signing-key", "--sale-id", sale_id,
                    "--attempts", str(attempts), "--buyers", str(buyers), "--concurrency", str(clients), "--json", out],
                   check=True)
    cpu = tree_cpu_seconds([s.pids["marketing"], s.pids["redis"]]) - cpu0
    with open(out) as f:
        r = json.load(f)
    expected = ("FLASH_SALE_SOLD_OUT", "FLASH_SALE_LIMIT_REACHED", "sold out", "as many units")
    r["ok"] = sum(n for k, n in r["outcomes"].items() if k == "OK" or any(e in k for e in expected))
    r["codes"] = {k.split(":", 1)[0]: n for k, n in r["outcomes"].items() if k != "OK"}
    r["server_cpu_seconds"] = cpu
    r["qps"] = r["attempts_per_second"]
    return r


def flash_reference_run(bench, sale_id, attempts, clients):
    """redis-benchmark sending the same admission script (EVALSHA) on a sale of the same shape, buyers at random."""
    s = bench.stack
    host, port = s.env["ZT_STACK_REDIS_ADDR"].rsplit(":", 1)
    sha = subprocess.run(["redis-cli", "-h", host, "-p", port, "SCRIPT", "LOAD", bench.data["admit_lua"]],
                         check=True, capture_output=True, text=True).stdout.strip()
    base = f"zt:fs:{{{sale_id}}}:"
    keys = [base + k for k in ("meta", "remaining", "users", "requests", "buyers")] + ["zt.flash.bench-reference"]
    now_us = str(int(time.time() * 1e6))
    cmd = ["redis-benchmark", "-h", host, "-p", port, "-c", str(clients), "-n", str(attempts), "-r", "10000", "-q",
           "EVALSHA", sha, "6", *keys, now_us, "u__rand_int__", "k__rand_int__", "fp__rand_int__", sale_id,
           "zhongtai.marketing.v1.FlashSaleWon", FLASH_PAYLOAD, "2026-12-03T00:00:00Z"]
    cpu0 = tree_cpu_seconds([s.pids["redis"]])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    cpu = tree_cpu_seconds([s.pids["redis"]]) - cpu0
    rps = float(re.findall(r"([0-9.]+) requests per second", out)[-1])
    return {"label": "B6 redis-benchmark EVALSHA", "tool": "redis-benchmark", "clients": clients, "attempts": attempts,
            "rps": rps, "server_cpu_seconds": cpu}


def flash_orders(stack, sale_ids, quantity, timeout=120):
    """Waits until the order center created an order for every winner of the sales; returns what it found."""
    deadline = time.time() + timeout
    ids = ",".join(f"'{i}'" for i in sale_ids)
    winners = int(stack.psql("marketing", f"SELECT count(*) FROM flash_purchases WHERE sale_id IN ({ids})") or 0)
    while True:
        orders = int(stack.psql("order", "SELECT count(*) FROM orders WHERE channel = 'flash_sale'"))
        winners = int(stack.psql("marketing", f"SELECT count(*) FROM flash_purchases WHERE sale_id IN ({ids})"))
        if orders >= quantity * len(sale_ids) or time.time() > deadline:
            break
        time.sleep(0.5)
    span = stack.psql("order", "SELECT extract(epoch FROM max(created_at) - min(created_at)) FROM orders "
                               "WHERE channel = 'flash_sale'")
    over = int(stack.psql("order", "SELECT count(*) FROM (SELECT user_id FROM orders WHERE channel = 'flash_sale' "
                                   "GROUP BY user_id HAVING count(*) > 1) o"))
    dupes = int(stack.psql("order", "SELECT count(*) - count(DISTINCT order_id) FROM orders WHERE channel = 'flash_sale'"))
    return {"orders": orders, "winners_recorded": winners, "buyers_over_limit": over, "duplicate_orders": dupes,
            "orders_span_seconds": float(span or 0), "orders_per_second": orders / float(span) if span and float(span) > 0 else 0}


def b6(bench, results):
    """Flash sale admission: buyers through the marketing service vs redis-benchmark running the same script."""
    s = bench.stack
    a = bench.args
    clients, attempts, buyers, quantity = a.concurrency, a.flash_attempts, a.flash_buyers, a.flash_quantity
    with open(f"{REPO}/services/marketing/store/flash_admission_scripts.h") as f:
        bench.data["admit_lua"] = re.search(r'kAdmit\[\] = R"lua\((.*?)\)lua"', f.read(), re.S).group(1)
    system_sales = []

    def run_a():
        sale_id = flash_sale(bench, quantity, 1)
        system_sales.append(sale_id)
        return flash_system_run(bench, sale_id, attempts, buyers, clients)

    def run_b():
        return flash_reference_run(bench, flash_sale(bench, quantity, 1), attempts, clients)

    r = bench.alternate("B6", run_a, run_b, lambda x: x["qps"] if "qps" in x else x["rps"])
    r["metric"] = (f"purchase attempts/s of {buyers} buyers ({attempts} attempts, {quantity} units, limit 1, {clients} in "
                   f"flight) through marketing's gRPC / redis-benchmark EVALSHA of the admission script")
    r["orders"] = flash_orders(s, system_sales, quantity)
    r["admitted_per_sale"] = [p["system"]["admitted"] for p in r["pairs"]]
    results["B6"] = r


def make_reference_db(stack):
    """zt_bench: copies of the product, order and marketing schemas (schemas p, o, m) with the catalogue rows,
    so one pgbench client can run one order's statements back to back, as the saga does minus the services.
    Unqualified names resolve to the product schema, so product statements taken verbatim from the source run."""
    stack.psql("postgres", "DROP DATABASE IF EXISTS zt_bench")
    stack.psql("postgres", "CREATE DATABASE zt_bench")
    stack.psql("postgres", "ALTER DATABASE zt_bench SET search_path = p, public")
    for db, schema, data in (("product", "p", ["categories", "products", "skus", "sku_attributes", "warehouses",
                                               "stock"]),
                             ("order", "o", []), ("marketing", "m", ["promotions"])):
        dump = subprocess.run([f"{PG_BIN}/pg_dump", "--no-owner", "--no-privileges", "--schema-only", "-n", "public",
                               stack.dsn(db)], check=True, capture_output=True, text=True).stdout
        if data:
            dump += subprocess.run([f"{PG_BIN}/pg_dump", "--data-only", "--no-owner", "--disable-triggers"] + [f"-t{t}" for t in data]
                                   + [stack.dsn(db)], check=True, capture_output=True, text=True).stdout
        dump = dump.replace("CREATE SCHEMA public;", "").replace("public.", f"{schema}.")
        dump = re.sub(r"^COMMENT ON SCHEMA public.*$", "", dump, flags=re.M)
        subprocess.run(["psql", "-Xq", "-v", "ON_ERROR_STOP=1", stack.dsn("zt_bench"), "-c", f"CREATE SCHEMA {schema}"],
                       check=True, capture_output=True)
        loaded = subprocess.run(["psql", "-Xq", "-v", "ON_ERROR_STOP=1", stack.dsn("zt_bench")], input=dump,
                                text=True, capture_output=True)
        if loaded.returncode != 0:
            sys.exit(f"bench: cannot load the {db} schema into zt_bench: {loaded.stderr.strip()}")


def product_statement(name):
    """The text of a SQL raw-string constant (constexpr char name[] = R"sql(...)sql") in the product store's stock
    half, so that the reference runs exactly the statement the service prepares."""
    with open(f"{REPO}/services/product/store/pg_inventory_store.cc") as f:
        source = f.read()
    m = re.search(r"constexpr char " + name + r'\[\] = R"sql\((.*?)\)sql"', source, re.S)
    if not m:
        sys.exit(f"bench: {name} not found in services/product/store/pg_inventory_store.cc")
    return " ".join(m.group(1).split())


def bind(sql, values):
    """Replaces $1, $2, ... by literal SQL (pgbench's simple protocol, as the old exec_params statements were)."""
    return re.sub(r"\$(\d+)", lambda m: values[int(m.group(1)) - 1], sql)


def order_script(skus):
    """The statements the saga sends for one order (from pg_stat_statements, top level), in the saga's order,
    one round trip each, with literal values where the services bind parameters."""
    arr = "ARRAY[" + ",".join(f"'{x}'" for x in skus) + "]::text[]"
    micros = "(extract(epoch FROM now()) * 1000000)::bigint"
    reserve = bind(product_statement("kReserveSql"), [
        "'pb_:n'", "'{" + ",".join(sorted(skus)) + "}'", "'{" + ",".join("1" for _ in skus) + "}'", f"({micros})",
        f"({micros} + 1200000000)", "'reserve'", "0", "1", "''", "''"])
    lines = [r"\set n random(1, 9000000000000000000)",
             "BEGIN;",
             "INSERT INTO o.orders (order_id, user_id, request_id, request_fingerprint, status, channel, created_at, "
             "status_changed_at) VALUES ('pb_:n', 'u_bench', 'r_:n', 'fp', 'CREATING', 'app', now(), now()) "
             "ON CONFLICT (user_id, request_id) DO NOTHING;",
             "COMMIT;",
             "BEGIN;",
             "SELECT promotion_id, request_id, name, currency, threshold_minor, reduction_minor, start_at, end_at, status, "
             "created_at FROM m.promotions WHERE status = 'ACTIVE' AND start_at <= now() AND end_at > now() "
             "ORDER BY created_at, promotion_id;",
             "COMMIT;",
             "BEGIN;",
             "SELECT s.sku_id, s.product_id, s.sku_code, s.spec, s.price_currency, s.price_minor, COALESCE((SELECT "
             "SUM(on_hand - reserved) FROM p.stock st WHERE st.sku_id = s.sku_id), 0), p.title, "
             "ARRAY(SELECT a.name FROM p.sku_attributes a WHERE a.sku_id = s.sku_id ORDER BY a.name), "
             "ARRAY(SELECT a.value FROM p.sku_attributes a WHERE a.sku_id = s.sku_id ORDER BY a.name) FROM p.skus s "
             f"JOIN p.products p ON p.product_id = s.product_id WHERE s.sku_id = ANY({arr}) ORDER BY s.product_id, "
             "s.position;",
             "COMMIT;",
             "BEGIN;",
             reserve + ";",
             "COMMIT;", "BEGIN;",
             "UPDATE o.orders SET status = 'PENDING_PAYMENT', currency = 'CNY', subtotal = 30000, discount = 0, "
             "total = 30000, pay_deadline = now() + interval '15 minutes', status_changed_at = now() WHERE order_id = "
             "'pb_:n' AND status = 'CREATING';"]
    for i, sku in enumerate(skus):
        lines.append("INSERT INTO o.order_lines (order_id, line_no, sku_id, quantity, unit_price, subtotal, discount, "
                     f"total) VALUES ('pb_:n', {i}, '{sku}', 1, 10000, 10000, 0, 10000);")
    lines += ["INSERT INTO o.order_history (order_id, status, reason, changed_at) VALUES ('pb_:n', 'PENDING_PAYMENT', "
              "'placed', now());",
              "INSERT INTO o.outbox (id, stream, type, key, payload, occurred_at) VALUES ('pb_:n:placed', "
              "'zt.events.order', 'zhongtai.order.v1.OrderPlaced', 'pb_:n', decode(repeat('ab', 77), 'hex'), now());",
              "COMMIT;"]
    return "\n".join(lines) + "\n"


def wal_writes(stack):
    # The harness runs PostgreSQL with fsync=off, so pg_stat_wal.wal_sync stays 0; wal_write counts the
    # XLogWrite calls that commits trigger (one write covers a whole commit group), the flushes that would be.
    return int(stack.psql("postgres", "SELECT wal_write FROM pg_stat_wal"))


def b4(bench, results):
    s, d = bench.stack, bench.data
    databases = ("product", "order", "marketing", "user")
    for db in databases + ("postgres",):
        s.psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    s.psql("postgres", "SELECT pg_stat_statements_reset()")
    lines = d["sku_ids"][:3]
    probe = bench.loadgen_run("B4 probe", order_flags(bench, lines, 1), saga_pids(s), duration=1 if bench.args.smoke else 2,
                              warmup=0)
    orders = probe["ok"]
    per_db = {}
    for db in databases:
        # zt_ts/zt_micros are SQL functions whose bodies pg_stat_statements lists; they are no round trip.
        rows = s.psql("postgres", "SELECT s.calls, regexp_replace(s.query, '\\s+', ' ', 'g') FROM pg_stat_statements s "
                                  f"JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '{db}' AND s.calls > 0 AND s.toplevel "
                                  "AND s.query NOT LIKE 'SELECT timestamptz %' AND s.query NOT LIKE 'SELECT (EXTRACT%' "
                                  "ORDER BY s.calls DESC")
        statements = []
        for row in rows.splitlines():
            calls, _, query = row.partition("|")
            statements.append({"calls_per_order": int(calls) / orders if orders else 0, "query": query[:300]})
        per_db[db] = {"round_trips_per_order": sum(x["calls_per_order"] for x in statements), "statements": statements}
    make_reference_db(s)
    script = order_script(lines)
    r = {"orders_in_probe": orders, "sql_per_order": per_db, "reference_sql": script, "clients": {}}
    for clients in ([16] if bench.args.smoke else [16, 32, 64]):
        def run_a():
            w = wal_writes(s)
            run = bench.loadgen_run(f"B4 place order x{clients}", order_flags(bench, lines, clients), saga_pids(s))
            run["wal_writes"] = wal_writes(s) - w
            return run

        def run_b():
            w = wal_writes(s)
            run = bench.pgbench_run(f"B4 pgbench x{clients}", "zt_bench", script, clients, [s.pids["postgres"]])
            run["wal_writes"] = wal_writes(s) - w
            return run

        pairs = bench.alternate(f"B4 x{clients}", run_a, run_b, lambda x: x["qps"] if "qps" in x else x["tps"])
        r["clients"][str(clients)] = pairs
    r["metric"] = "orders/s through the saga (3 lines) / pgbench TPS of the same statements in one database"
    results["B4"] = r
    top = r["clients"][max(r["clients"], key=int)]
    per_flush = []
    for p in top["pairs"]:
        a, b = p["system"], p["reference"]
        if a["wal_writes"] and b["wal_writes"]:
            per_flush.append((a["ok"] / a["wal_writes"]) / (b["ok"] / b["wal_writes"]))
    results["B5"] = {"metric": f"orders per WAL write at {max(r['clients'], key=int)} clients, saga / pgbench "
                               "(wal_write from pg_stat_wal; fsync is off in the harness so wal_sync is 0)",
                     "median": statistics.median(per_flush) if per_flush else 0.0,
                     "min": min(per_flush) if per_flush else 0.0, "max": max(per_flush) if per_flush else 0.0,
                     "system_orders_per_write": [p["system"]["ok"] / max(1, p["system"]["wal_writes"]) for p in top["pairs"]],
                     "reference_orders_per_write": [p["reference"]["ok"] / max(1, p["reference"]["wal_writes"])
                                                    for p in top["pairs"]]}


# ------------------------------------------------------------------------------------------ B7 search and listing
SEARCH_BRANDS = ["华为", "小米", "苹果", "荣耀", "OPPO", "vivo", "联想", "海尔", "美的", "李宁"]
SEARCH_NOUNS = ["手机", "耳机", "手表", "平板", "笔记本电脑", "运动鞋", "T恤", "茶叶", "电视", "冰箱", "空调", "背包"]
SEARCH_COLOURS = ["黑色", "白色", "蓝色", "红色"]


def seed_catalogue(stack, products):
    """`products` published products (2 SKUs each, prices 9.90 to 8009.90 yuan, colour and size attributes, one SKU in
    ten out of stock) in 10 top categories of 5 subcategories each and 200 brands, written in SQL (a few seconds for
    100,000): triggers off while loading, then the search rows built in one statement and the caches told. The search
    table is vacuumed after the load, as a catalogue at rest is (autovacuum does it within a minute or so of a bulk load,
    at a moment B7 would not control): its visibility map lets the category sample be an index-only scan (migration 0021)."""
    run = str(time.time_ns())[-9:]
    arr = lambda xs: "ARRAY[" + ",".join(f"'{x}'" for x in xs) + "]"
    sql = f"""
SET session_replication_role = replica;
INSERT INTO categories (category_id, name, parent_id, created_at)
  SELECT 'bc{run}_' || t, 'bench {run} ' || t, NULL, now() FROM generate_series(0, 9) t;
INSERT INTO categories (category_id, name, parent_id, created_at)
  SELECT 'bc{run}_' || t || '_' || c, 'bench {run} ' || t || '.' || c, 'bc{run}_' || t, now()
  FROM generate_series(0, 9) t, generate_series(0, 4) c;
INSERT INTO brands (brand_id, name, created_at, updated_at)
  SELECT 'bb{run}_' || b, 'bench {run} brand ' || b, now(), now() FROM generate_series(0, 199) b;
INSERT INTO products (product_id, title, description, category_id, created_at, subtitle, brand_id, status, version,
                      updated_at)
  SELECT 'bp{run}_' || lpad(i::text, 7, '0'),
         ({arr(SEARCH_BRANDS)})[1 + i % 10] || ({arr(SEARCH_NOUNS)})[1 + (i / 10) % 12] || ' X' || (i % 997),
         'bench', 'bc{run}_' || (i % 10) || '_' || (i / 10 % 5), now() - ({products} - i) * interval '1 second', '',
         'bb{run}_' || (i % 200), 'published', 1, now()
  FROM generate_series(1, {products}) i;
INSERT INTO skus (sku_id, product_id, sku_code, spec, price_currency, price_minor, position)
  SELECT p.product_id || '_' || k, p.product_id, p.product_id || '-' || k, '', 'CNY',
         990 + abs(hashtext(p.product_id || k)) % 800000, k
  FROM products p, generate_series(0, 1) k WHERE p.product_id LIKE 'bp{run}_%';
INSERT INTO sku_attributes (sku_id, name, value)
  SELECT s.sku_id, '颜色', ({arr(SEARCH_COLOURS)})[1 + abs(hashtext(s.sku_id)) % 4] FROM skus s
  WHERE s.product_id LIKE 'bp{run}_%'
  UNION ALL
  SELECT s.sku_id, '规格', CASE s.position WHEN 0 THEN '标准版' ELSE '高配版' END FROM skus s
  WHERE s.product_id LIKE 'bp{run}_%';
INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at)
  SELECT s.sku_id, 'default', CASE WHEN abs(hashtext(s.sku_id)) % 10 = 0 THEN 0 ELSE 1000 END, 0, now() FROM skus s
  WHERE s.product_id LIKE 'bp{run}_%';
SET session_replication_role = origin;
ANALYZE categories, brands, products, skus, sku_attributes, stock;
INSERT INTO product_search (product_id, status, category_id, brand_id, title_text, search_text, min_price, max_price,
                            in_stock, attributes, created_at)
  SELECT * FROM product_search_source WHERE product_id LIKE 'bp{run}_%';
VACUUM (ANALYZE) product_search;
ANALYZE;
SELECT pg_notify('zt_catalogue_changed', '');
"""
    started = time.time()
    subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", stack.dsn("product")], input=sql, text=True, check=True,
                   stdout=subprocess.DEVNULL)
    log(f"seeded {products} products in {time.time() - started:.1f} s")
    # Brand 11 has 耳机 products (i % 200 == 11 and (i / 10) % 12 == 1, e.g. i = 11, 611): brand 7 had none, so B7's
    # 耳机 search with a brand filter matched nothing before 2026-12-04 evening.
    return {"run": run, "category": f"bc{run}_3", "brand": f"bb{run}_11", "product": f"bp{run}_{1:07d}",
            "seconds": time.time() - started}


# B7's uncached searches put the request's {seq} in priceMax (fen) to make every request another cache key; with every
# {seq} at least this, far above the dearest seeded price (8,009.90 yuan), the filter keeps every match.
B7_PRICE_MAX_FLOOR = 1_000_000_000


def b7(bench, results):
    """Listing and search through the gateway on a seeded catalogue: a repeated listing page (served by the listing
    cache) against product detail (the product cache), alternating; then searches that the cache cannot serve (each
    request a different cache key through priceMax={seq}, with {seq} >= B7_PRICE_MAX_FLOOR so that it matches every
    price: checked below against the same query without priceMax) for their latency."""
    s = bench.stack
    products = 500 if bench.args.smoke else bench.args.catalogue
    cat = seed_catalogue(s, products)
    gateway = s.gateway.replace("http://", "")
    pids = [s.pids["gateway"], s.pids["product"], s.pids["postgres"], s.pids["redis"]]
    conc = str(bench.args.concurrency)
    http = lambda label, path, c: bench.loadgen_run(label, ["--proto", "http", "--target", gateway, "--path", path,
                                                            "--mode", "closed", "--concurrency", c], pids)
    listing = f"/v1/products?pageSize=20&categoryId={cat['category']}"
    detail = f"/v1/products/{cat['product']}"
    # The first answer of a page over a whole category (its facets count every product in it) takes seconds on a
    # loaded machine; the scenario measures the page repeated, so it is asked once before the clock starts.
    for _ in range(20):
        try:
            with urllib.request.urlopen(s.gateway + listing, timeout=60) as response:
                response.read()
            break
        except urllib.error.HTTPError:  # the gateway's deadline; the service still caches the page when done
            time.sleep(3)
    r = bench.alternate("B7 listing/detail", lambda: http("B7 listing page (cached)", listing, conc),
                        lambda: http("B7 product detail", detail, conc), lambda x: x["qps"])
    r["metric"] = f"GET {listing} (repeated: listing cache) / GET /v1/products/{{id}} (product cache), wall QPS at {conc} in flight"
    r["catalogue"] = products
    r["seed_seconds"] = cat["seconds"]
    q = urllib.parse.quote
    uncached = {
        "q=手机 (relevance, 1 in 12 match)": f"/v1/products?pageSize=20&q={q('手机')}",
        "q=华为 手机": f"/v1/products?pageSize=20&q={q('华为 手机')}",
        "q=手 sort=price_asc": f"/v1/products?pageSize=20&q={q('手')}&sort=price_asc",
        "q=耳机 brand, in stock, colour": f"/v1/products?pageSize=20&q={q('耳机')}&brandId={cat['brand']}"
                                          f"&inStockOnly=true&attribute={q('颜色:黑色')}",
        "category subtree, sort=sales": f"/v1/products?pageSize=20&categoryId={cat['category']}&sort=sales",
        "whole catalogue, newest (facets over all)": "/v1/products?pageSize=20",
    }
    r["uncached"] = {}

    def get(path):
        with urllib.request.urlopen(s.gateway + path, timeout=60) as response:
            return json.loads(response.read())

    for name, path in uncached.items():
        # The priceMax that the runs use must not change what matches: the same first page as without it, and the same
        # total (when the total is PostgreSQL's estimate, over 1,000 matches, the extra filter may move it by a few).
        plain, capped = get(path), get(f"{path}&priceMax={B7_PRICE_MAX_FLOOR}")
        ids = lambda page: [p["productId"] for p in page.get("products", [])]
        total = lambda page: int(page.get("totalSize", "0"))
        empty = not ids(capped) and not bench.args.smoke  # on 500 products the 耳机 filters may match none
        same_total = abs(total(capped) - total(plain)) <= (total(plain) // 100 if plain.get("countsEstimated") else 0)
        if empty or ids(capped) != ids(plain) or not same_total:
            sys.exit(f"bench: B7 uncached {name}: priceMax={B7_PRICE_MAX_FLOOR} changes the answer "
                     f"({len(ids(capped))} products, total {capped.get('totalSize')}; without it {len(ids(plain))}, "
                     f"total {plain.get('totalSize')})")
        try:
            run = bench.loadgen_run(f"B7 uncached {name}",
                                    ["--proto", "http", "--target", gateway, "--path", path + "&priceMax={seq}",
                                     "--mode", "closed", "--concurrency", str(bench.args.search_concurrency)], pids,
                                    seq_floor=B7_PRICE_MAX_FLOOR)
        except subprocess.CalledProcessError:
            log(f"B7 uncached {name}: the load generator failed (no request answered in time)")
            r["uncached"][name] = {"failed": True}
            continue
        r["uncached"][name] = run
        log(f"B7 uncached {name}: {run['qps']:.0f}/s p50 {run['latency_us']['p50'] / 1000:.1f} ms "
            f"p99 {run['latency_us']['p99'] / 1000:.1f} ms ok {run['ok']}")
    results["B7"] = r


# ------------------------------------------------------------------------------------------ report
def versions():
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"
    git = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
    return {"commit": git, "kernel": platform.release(), "cpu": cpu, "cores": os.cpu_count(),
            "postgres": first_line([f"{PG_BIN}/postgres", "--version"]), "redis": first_line(["redis-server", "--version"]),
            "compiler": first_line(["c++", "--version"])}


def system_runs(r):
    """Every run of the system under test in one scenario's results."""
    runs = [p["system"] for p in r.get("pairs", [])]
    for key in ("50%", "80%"):
        if key in r:
            runs += [p["system"] for p in r[key]["p99"]["pairs"]]
    for c in r.get("clients", {}).values():
        runs += [p["system"] for p in c["pairs"]]
    return runs


def fmt(r):
    d = 3 if r["max"] < 0.1 else 2  # B6's ratios are a few hundredths: two decimals would hide any change
    return f"**{r['median']:.{d}f}** ({r['min']:.{d}f}–{r['max']:.{d}f})"


def markdown(report):
    res, m = report["results"], report["machine"]
    out = [f"# Benchmark results {report['date']}", "",
           f"Commit `{m['commit']}`, {m['cores']} cores ({m['cpu']}), kernel {m['kernel']}, {m['postgres']}, "
           f"{m['redis'].split(' ')[2] if m['redis'].count(' ') > 2 else m['redis']}. Shared machine; load generator on the same cores. "
           f"{report['settings']}", "",
           "| scenario | figure | system | reference | ratio median (min–max) | target |", "|---|---|---|---|---|---|"]
    if "B1" in res:
        r = res["B1"]
        a = med([p["system"] for p in r["pairs"]], lambda x: x["qps_per_server_cpu_second"])
        b = med([p["reference"] for p in r["pairs"]], lambda x: x["qps_per_server_cpu_second"])
        aw = med([p["system"] for p in r["pairs"]], lambda x: x["qps"])
        bw = med([p["reference"] for p in r["pairs"]], lambda x: x["qps"])
        out.append(f"| B1 GetProduct gRPC | QPS per server CPU-s (wall QPS) | {a:.0f} ({aw:.0f}) | {b:.0f} ({bw:.0f}) | {fmt(r)} | >= 0.9 |")
    if "B2" in res:
        for share in ("50%", "80%"):
            r = res["B2"][share]
            a = med([p["system"] for p in r["p99"]["pairs"]], lambda x: x["latency_us"]["p99"])
            b = med([p["reference"] for p in r["p99"]["pairs"]], lambda x: x["latency_us"]["p99"])
            out.append(f"| B2 open loop {share} ({r['rate']:.0f}/s) | p99 µs | {a:.0f} | {b:.0f} | {fmt(r['p99'])} | <= 1.2 |")
            if r["p999"]:
                a = med([p["system"] for p in r["p99"]["pairs"]], lambda x: x["latency_us"]["p999"])
                b = med([p["reference"] for p in r["p99"]["pairs"]], lambda x: x["latency_us"]["p999"])
                out.append(f"| B2 open loop {share} | p99.9 µs | {a:.0f} | {b:.0f} | {fmt(r['p999'])} | <= 1.2 |")
    if "B3" in res:
        r = res["B3"]
        a = med([p["system"] for p in r["pairs"]], lambda x: x["qps"])
        b = med([p["reference"] for p in r["pairs"]], lambda x: x["qps"])
        out.append(f"| B3 GET /v1/products/{{id}} via gateway | wall QPS | {a:.0f} | {b:.0f} | {fmt(r)} | >= 0.65 |")
        out.append(f"| B3 | added p50 / p99 µs; per-CPU ratio | {r['added_p50_us']:.0f} / {r['added_p99_us']:.0f} | | "
                   f"{r['per_cpu_ratio']:.2f} | |")
    if "B6" in res:
        r = res["B6"]
        a = med([p["system"] for p in r["pairs"]], lambda x: x["qps"])
        b = med([p["reference"] for p in r["pairs"]], lambda x: x["rps"])
        o = r["orders"]
        out.append(f"| B6 flash sale, {report['concurrency']} in flight | admissions/s vs redis-benchmark EVALSHA | {a:.0f} | "
                   f"{b:.0f} | {fmt(r)} | >= 0.6 |")
        out.append(f"| B6 | winners per sale / orders / buyers over the limit / orders per s | "
                   f"{', '.join(str(n) for n in r['admitted_per_sale'])} / {o['orders']} / {o['buyers_over_limit']} / "
                   f"{o['orders_per_second']:.0f} | | | |")
    if "B4" in res:
        r = res["B4"]
        for clients, c in r["clients"].items():
            a = med([p["system"] for p in c["pairs"]], lambda x: x["qps"])
            b = med([p["reference"] for p in c["pairs"]], lambda x: x["tps"])
            out.append(f"| B4 place order (3 lines), {clients} clients | orders/s vs pgbench TPS | {a:.0f} | {b:.0f} | "
                       f"{fmt(c)} | >= 0.9 |")
        trips = ", ".join(f"{db} {v['round_trips_per_order']:.1f}" for db, v in r["sql_per_order"].items())
        out.append(f"| B4 | SQL round trips per order | {trips} | | | |")
    if "B5" in res:
        r = res["B5"]
        out.append(f"| B5 orders per WAL write, {max(res['B4']['clients'], key=int)} clients | orders / wal_write | "
                   f"{statistics.median(r['system_orders_per_write']):.2f} | "
                   f"{statistics.median(r['reference_orders_per_write']):.2f} | {fmt(r)} | >= 1.0 |")
    if "B7" in res:
        r = res["B7"]
        a = med([p["system"] for p in r["pairs"]], lambda x: x["qps"])
        b = med([p["reference"] for p in r["pairs"]], lambda x: x["qps"])
        ap = med([p["system"] for p in r["pairs"]], lambda x: x["latency_us"]["p99"]) / 1000
        bp = med([p["reference"] for p in r["pairs"]], lambda x: x["latency_us"]["p99"]) / 1000
        out.append(f"| B7 repeated listing page vs product detail via gateway, {r['catalogue']} products | wall QPS "
                   f"(p99 ms) | {a:.0f} ({ap:.1f}) | {b:.0f} ({bp:.1f}) | {fmt(r)} | >= 1.0 |")
        for name, run in r["uncached"].items():
            if run.get("failed"):
                out.append(f"| B7 uncached {name} | p50 / p99 ms | no request answered in time | | | p99 < 50 ms |")
                continue
            out.append(f"| B7 uncached {name} | p50 / p99 ms (QPS at {run.get('concurrency', '')}) | "
                       f"{run['latency_us']['p50'] / 1000:.1f} / {run['latency_us']['p99'] / 1000:.1f} "
                       f"({run['qps']:.0f}) | | | p99 < 50 ms |")
    out += ["", "Errors by code (system runs):", ""]
    for name, r in res.items():
        codes = {}
        for run in system_runs(r):
            for code, n in run.get("codes", {}).items():
                codes[code] = codes.get(code, 0) + n
        if codes:
            out.append(f"- {name}: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())))
    if "B4" in res:
        out += ["", "SQL per order (pg_stat_statements calls / orders placed):", ""]
        for db, v in res["B4"]["sql_per_order"].items():
            for st in v["statements"]:
                out.append(f"- {db} {st['calls_per_order']:.2f}× `{st['query'][:140]}`")
    out += ["", "Raw histograms and every run are in the .json file next to this one."]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.environ.get("ZT_BUILD_DIR", f"{REPO}/build-bench"))
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", default="B1,B2,B3,B6,B4,B7")
    parser.add_argument("--catalogue", type=int, default=100000, help="B7: products seeded (500 with --smoke)")
    parser.add_argument("--search-concurrency", type=int, default=4, help="B7: requests in flight for uncached searches")
    parser.add_argument("--flash-attempts", type=int, default=100000, help="B6: purchase attempts per run")
    parser.add_argument("--flash-buyers", type=int, default=10000, help="B6: distinct buyers")
    parser.add_argument("--flash-quantity", type=int, default=1000, help="B6: units per sale")
    parser.add_argument("--out", default=f"{REPO}/bench/results")
    parser.add_argument("--tag", default="", help="suffix of the result files: <date>-<tag>.md")
    parser.add_argument("--state", default=f"{REPO}/.state/bench")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.pairs, args.duration, args.warmup, args.concurrency = 1, 1.0, 0.2, 8
        args.flash_attempts, args.flash_buyers, args.flash_quantity = 2000, 200, 50
    args.build = os.path.abspath(args.build)
    only = set(args.only.split(","))
    if "B2" in only:
        only.add("B1")  # B2's rates come from B1's reference maximum

    stack = Stack(args.build, args.state)
    results = {}
    try:
        data = seed(stack)
        bench = Bench(args, stack, data)
        if "B1" in only:
            b1_b2(bench, results)
        if "B3" in only:
            b3(bench, results)
        if "B6" in only:
            b6(bench, results)
        if "B4" in only:
            b4(bench, results)
        if "B7" in only:
            b7(bench, results)
        shutil.rmtree(bench.tmp, ignore_errors=True)
    finally:
        if not args.keep:
            stack.stop()
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": versions(), "concurrency": args.concurrency,
              "settings": f"{args.pairs} pairs of {args.duration:g} s runs after a warm-up, {args.concurrency} in flight"
                          + (" (smoke)" if args.smoke else ""),
              "results": results}
    os.makedirs(args.out, exist_ok=True)
    base = f"{args.out}/{now.strftime('%Y-%m-%d')}" + (f"-{args.tag}" if args.tag else "") + ("-smoke" if args.smoke else "")
    with open(base + ".json", "w") as f:
        json.dump(report, f, separators=(",", ":"))  # raw histograms make it large
    with open(base + ".md", "w") as f:
        f.write(markdown(report))
    failed = [name for name, r in results.items()
              for run in system_runs(r)
              if run.get("ok", 0) == 0]
    print(base + ".md")
    missing = sorted(only - set(results))
    if missing or not os.path.getsize(base + ".md"):
        log("scenarios without results:", ", ".join(missing))
        return 1
    if failed:
        log("no request succeeded in", ", ".join(sorted(set(failed))))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
