#!/usr/bin/env python3
"""B9, cost per order: CPU of every server process per placed and paid order, and the shopper's checkout at N buyers.

Starts a fresh local stack (deploy/stack.sh through bench/run.py's Stack, development plaintext as every bench
scenario), seeds one product with three SKUs, an ACTIVE promotion (threshold reduction on all products), a coupon
template with coupons in every buyer's wallet, `--buyers` buyers each with an address and a points balance, and then
runs two phases of `--duration` seconds each, after a warm-up of each:

  place+pay   each buyer in a loop: POST /v1/orders (3 lines, the promotion applies, a coupon, points), then
              POST /v1/orders/{id}:pay and the buyer paying in the payment simulator's wallet; the phase ends when
              every order it placed reached AWAITING_SHIPMENT (stock confirmed, coupon redeemed, points committed)
              and every outbox is empty. CPU per order = CPU of each server process over the phase / orders.
  checkout    each buyer in a loop: three POST /v1/cart/items, POST /v1/checkout:quote (fromCart), POST /v1/orders
              (fromCart), :pay, the buyer paying: checkouts per second and the checkout's p50/p99 (all five steps).

CPU is utime+stime from /proc of every process of the stack: the services, the gateway, each PostgreSQL backend
(attributed to its database by its process title), PostgreSQL's own processes, Redis; the payment simulator (the
stand-in for the outside provider) and Prometheus are reported but not summed. pg_stat_statements gives statements
per order per database; Redis INFO commandstats the Redis commands per order.

  bench/cost_per_order.py --build build [--buyers 32] [--duration 20] [--tag before]
writes bench/results/<date>-cost-per-order[-tag].md and .json. The load generator (this script, Python threads on
keep-alive connections) runs on the same cores and is not counted."""
import argparse
import datetime
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402  (Stack, call, tree helpers)

REPO = R.REPO
CLK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------ CPU per process
def proc_table():
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                line = f.read()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = line[line.rfind(")") + 2:].split()
        table[int(name)] = {"ppid": int(fields[1]), "cpu": int(fields[11]) + int(fields[12]),
                            "reaped": int(fields[13]) + int(fields[14]), "cmd": cmd}
    return table


def classify(stack, table):
    """pid -> group name for every process of the stack."""
    roots = dict(stack.pids)
    for extra in ("payment-simulator", "prometheus"):
        try:
            with open(f"{stack.state}/run/{extra}.pid") as f:
                roots[extra] = int(f.read())
        except OSError:
            pass
    groups = {}
    for name, pid in roots.items():
        if pid in table:
            groups[pid] = "zt-" + name if name in ("product", "order", "marketing", "user", "datahub", "gateway") \
                else name
    pg = stack.pids["postgres"]
    for pid, p in table.items():
        if p["ppid"] == pg:
            title = p["cmd"]
            parts = title.split()
            # "postgres: <role> <database> 127.0.0.1(port) idle" for a backend; "postgres: walwriter" etc. otherwise.
            if len(parts) >= 4 and parts[0] == "postgres:" and "(" in parts[3]:
                groups[pid] = "pg " + parts[2]
            else:
                groups[pid] = "pg (" + " ".join(parts[1:3]) + ")" if len(parts) > 1 else "pg (other)"
    return groups


def snapshot(stack):
    table = proc_table()
    groups = classify(stack, table)
    per_pid = {pid: (groups[pid], table[pid]["cpu"]) for pid in groups}
    reaped = table[stack.pids["postgres"]]["reaped"] if stack.pids["postgres"] in table else 0
    return {"pids": per_pid, "pg_reaped": reaped, "t": time.time()}


def cpu_between(a, b):
    """Seconds of CPU per group between two snapshots; a process that ended in between is counted by what
    its parent reaped (PostgreSQL's short-lived backends and workers) or lost (zt processes do not fork)."""
    out = {}
    for pid, (group, cpu) in b["pids"].items():
        before = a["pids"].get(pid, (group, 0))[1]
        out[group] = out.get(group, 0) + (cpu - before) / CLK
    out["pg (exited backends, workers)"] = (b["pg_reaped"] - a["pg_reaped"]) / CLK
    return out


NOT_SUMMED = ("payment-simulator", "prometheus")


# ------------------------------------------------------------------------------------------ HTTP client
class Client:
    """One keep-alive connection per buyer thread."""

    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def send(self, method, path, body=None, token=None, key=None, timeout=15):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                try:
                    return response.status, (json.loads(raw) if raw else {})
                except ValueError:
                    return response.status, {"reason": "NOT_JSON"}
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


# ------------------------------------------------------------------------------------------ seeding
def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(stack, buyers, coupons_per_buyer):
    g, run = stack.gateway, str(time.time_ns())
    call = R.call
    admin = call(g, "POST", "/v1/sessions", {"login": stack.env["ZT_STACK_ADMIN_LOGIN"],
                                            "password": stack.env["ZT_STACK_ADMIN_PASSWORD"]})["tokens"]["accessToken"]
    category_id = call(g, "POST", "/v1/admin/categories", {"name": "cost " + run}, admin,
                       "cost-cat-" + run)["category"]["categoryId"]
    skus = [{"skuCode": f"COST-{run}-{i}", "spec": spec, "price": {"currency": "CNY", "amountMinor": str(9900 + 100 * i)},
             "initialStock": "1000000000"} for i, spec in enumerate(["250g", "500g", "1kg"])]
    product = call(g, "POST", "/v1/admin/products", {"title": "Cost tea", "description": "benchmark product",
                                                     "categoryId": category_id, "skus": skus}, admin,
                   "cost-product-" + run)["product"]
    call(g, "POST", f"/v1/admin/products/{product['productId']}:publish", {}, admin)
    sku_ids = [s["skuId"] for s in product["skus"]]
    now = datetime.datetime.now(datetime.timezone.utc)
    promotion = call(g, "POST", "/v1/admin/promotions", {"promotion": {
        "name": "满200减20", "startTime": iso(now - datetime.timedelta(minutes=1)),
        "endTime": iso(now + datetime.timedelta(days=1)),
        "thresholdReduction": {"threshold": {"currency": "CNY", "amountMinor": "20000"},
                               "reduction": {"currency": "CNY", "amountMinor": "2000"}},
        "status": "PROMOTION_STATUS_ACTIVE", "scope": {"allProducts": True}}}, admin, "cost-promo-" + run)
    template = call(g, "POST", "/v1/admin/coupon-templates", {"couponTemplate": {
        "name": "满100减5", "type": "COUPON_TYPE_THRESHOLD_REDUCTION",
        "threshold": {"currency": "CNY", "amountMinor": "10000"}, "reduction": {"currency": "CNY", "amountMinor": "500"},
        "scope": {"allProducts": True}, "claimStartTime": iso(now - datetime.timedelta(minutes=1)),
        "claimEndTime": iso(now + datetime.timedelta(days=1)), "validFrom": iso(now - datetime.timedelta(minutes=1)),
        "validUntil": iso(now + datetime.timedelta(days=1)), "totalQuantity": "100000000",
        "perUserLimit": "10000000"}}, admin, "cost-template-" + run)["couponTemplate"]
    people = []
    for i in range(buyers):
        email = f"cost-{run}-{i}@example.com"
        call(g, "POST", "/v1/users", {"email": email, "password": "bench-pass-1", "nickname": f"buyer{i}"})
        token = call(g, "POST", "/v1/sessions", {"login": email, "password": "bench-pass-1"})["tokens"]["accessToken"]
        me = call(g, "GET", "/v1/users/me", None, token)
        user_id = me.get("user", me).get("userId")
        address = call(g, "POST", "/v1/users/me/addresses", {"address": {
            "recipientName": "Bench", "recipientPhone": "13800000000", "provinceCode": "440000",
            "cityCode": "440300", "districtCode": "440305", "detail": "Keyuan Rd 1"}}, token,
            f"cost-address-{run}-{i}")["address"]["addressId"]
        # One coupon claimed through the API (the real row), the rest copied from it in SQL.
        claimed = call(g, "POST", f"/v1/coupons/{template['templateId']}:claim", {}, token, f"cost-claim-{run}-{i}")
        people.append({"user_id": user_id, "token": token, "address_id": address, "claimed": claimed})
    users = ",".join(f"'{p['user_id']}'" for p in people)
    stack.psql("marketing", f"""
INSERT INTO coupons (coupon_id, template_id, user_id, claim_request_id, claim_seq, status, order_id, valid_from_at,
                     valid_until_at, claimed_at)
  SELECT 'cb' || md5(c.user_id) || '_' || n, c.template_id, c.user_id, 'cost-seed-' || n, 1 + n, 'AVAILABLE', '',
         c.valid_from_at, c.valid_until_at, c.claimed_at
  FROM coupons c, generate_series(1, {coupons_per_buyer}) n
  WHERE c.template_id = '{template['templateId']}' AND c.user_id IN ({users});
UPDATE coupon_templates SET claimed_quantity = claimed_quantity + {coupons_per_buyer * buyers}
  WHERE template_id = '{template['templateId']}';
ANALYZE coupons;""")
    for p in people:
        rows = stack.psql("marketing", f"SELECT coupon_id FROM coupons WHERE user_id = '{p['user_id']}' AND status = "
                                       f"'AVAILABLE' ORDER BY claim_seq")
        p["coupons"] = rows.split()
    stack.psql("user", f"""
INSERT INTO points_accounts (user_id, balance, updated_at)
  SELECT u, 1000000000, now() FROM unnest(ARRAY[{users}]) u
  ON CONFLICT (user_id) DO UPDATE SET balance = points_accounts.balance + 1000000000;
INSERT INTO points_lots (user_id, original, remaining, earned_at, expires_at, reference)
  SELECT u, 1000000000, 1000000000, now(), now() + interval '1 year', 'cost-seed' FROM unnest(ARRAY[{users}]) u;
INSERT INTO points_ledger (user_id, kind, delta, balance_after, reason, reference, created_at)
  SELECT a.user_id, 'earn', 1000000000, a.balance, 'bench', 'cost-seed', now() FROM points_accounts a
  WHERE a.user_id IN ({users});""")
    return {"admin": admin, "sku_ids": sku_ids, "people": people, "promotion": promotion, "template": template}


# ------------------------------------------------------------------------------------------ load
class Phase:
    def __init__(self, stack, data, mode, duration, points):
        self.stack, self.data, self.mode, self.duration, self.points = stack, data, mode, duration, points
        self.lock = threading.Lock()
        self.latencies = {}  # step -> [seconds]
        self.checkouts = []  # seconds per whole flow
        self.errors = {}
        self.order_ids = []
        self.stop_at = 0.0

    def record(self, step, seconds):
        with self.lock:
            self.latencies.setdefault(step, []).append(seconds)

    def error(self, step, status, body):
        with self.lock:
            reason = ""
            if isinstance(body, dict):
                inner = body.get("error")
                reason = body.get("reason") or (inner.get("reason", "") if isinstance(inner, dict) else str(inner or ""))
            key = f"{step} {status} {reason}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def timed(self, client, step, *args, **kwargs):
        t0 = time.perf_counter()
        status, body = client.send(*args, **kwargs)
        self.record(step, time.perf_counter() - t0)
        if status != 200:
            self.error(step, status, body)
            return None
        return body

    def buyer(self, index, person, seq0):
        try:
            self.buyer_loop(index, person, seq0)
        except Exception as e:  # noqa: BLE001  (counted, not fatal: the other buyers go on)
            self.error("buyer thread", type(e).__name__, {"reason": str(e)[:60]})

    def buyer_loop(self, index, person, seq0):
        gateway = Client(self.stack.gateway)
        wallet = Client(self.stack.env["ZT_STACK_PAYMENT_SIMULATOR"])
        sim = self.stack.env["ZT_STACK_PAYMENT_SIMULATOR"]
        token, skus = person["token"], self.data["sku_ids"]
        n = seq0
        while time.time() < self.stop_at:
            n += 1
            key = f"cost-{index}-{n}-{time.time_ns()}"
            if not person["coupons"]:
                break
            coupon = person["coupons"].pop(0)
            t0 = time.perf_counter()
            common = {"channel": "app", "addressId": person["address_id"], "couponId": coupon,
                      "pointsToUse": str(self.points)}
            if self.mode == "checkout":
                ok = True
                for i, sku in enumerate(skus):
                    if self.timed(gateway, "cart add", "POST", "/v1/cart/items", {"skuId": sku, "quantity": "1"},
                                  token, f"{key}-cart-{i}") is None:
                        ok = False
                if not ok:
                    continue
                if self.timed(gateway, "quote", "POST", "/v1/checkout:quote", dict(common, fromCart=True), token) is None:
                    continue
                placed = self.timed(gateway, "place", "POST", "/v1/orders", dict(common, fromCart=True), token, key)
            else:
                placed = self.timed(gateway, "place", "POST", "/v1/orders",
                                    dict(common, lines=[{"skuId": s, "quantity": "1"} for s in skus]), token, key)
            if placed is None:
                continue
            order_id = placed["order"]["orderId"]
            paying = self.timed(gateway, "pay", "POST", f"/v1/orders/{order_id}:pay", {}, token, key + "-pay")
            if paying is None:
                continue
            url = paying["payment"]["payUrl"]
            if self.timed(wallet, "buyer pays (simulator)", "POST", url[len(sim):], {}) is None:
                continue
            with self.lock:
                self.checkouts.append(time.perf_counter() - t0)
                self.order_ids.append(order_id)

    def run(self):
        self.stop_at = time.time() + self.duration
        threads = [threading.Thread(target=self.buyer, args=(i, p, 0)) for i, p in enumerate(self.data["people"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def wait_settled(stack, order_ids, timeout=120):
    """Until every order of the phase is past PAID (effects applied) and no outbox holds an unpublished row. Each
    check is a psql process, i.e. a new PostgreSQL backend (a few ms of CPU, in "pg (exited backends, workers)"), so
    it looks once a second. The payment simulator sends its notifications one at a time, so the last orders of a phase
    are paid some seconds after the load stops; that time is in the window (the processes' idle cost with it)."""
    deadline = time.time() + timeout
    ids = ",".join(f"'{i}'" for i in order_ids) or "''"
    while time.time() < deadline:
        left = int(stack.psql("order", f"SELECT count(*) FROM orders WHERE order_id IN ({ids}) AND "
                                       "status IN ('PENDING_PAYMENT', 'PAYING', 'PAID')"))
        if left == 0:
            outbox = sum(int(stack.psql(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))
                         for db in ("order", "product", "marketing", "user"))
            if outbox == 0:
                return True
        time.sleep(1)
    return False


def redis_calls(stack):
    host, port = stack.env["ZT_STACK_REDIS_ADDR"].rsplit(":", 1)
    out = subprocess.run(["redis-cli", "-h", host, "-p", port, "INFO", "commandstats"], capture_output=True,
                         text=True).stdout
    calls = {}
    for line in out.splitlines():
        if line.startswith("cmdstat_"):
            name, _, rest = line.partition(":")
            fields = dict(kv.split("=") for kv in rest.split(","))
            calls[name[len("cmdstat_"):]] = int(fields["calls"])
    return calls


def pg_statements(stack, orders):
    per_db = {}
    for db in ("order", "product", "marketing", "user", "datahub"):
        rows = stack.psql("postgres", "SELECT s.calls, round((s.total_exec_time + s.total_plan_time)::numeric, 3), "
                                      "round(s.total_plan_time::numeric, 3), regexp_replace(s.query, '\\s+', ' ', 'g') "
                                      "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                                      f"WHERE d.datname = '{db}' AND s.calls > 0 AND s.toplevel ORDER BY 2 DESC")
        statements = []
        for row in rows.splitlines():
            calls, ms, plan_ms, query = row.split("|", 3)
            statements.append({"calls_per_order": int(calls) / orders, "ms_per_order": float(ms) / orders,
                               "plan_ms_per_order": float(plan_ms) / orders, "query": query[:240]})
        per_db[db] = {"statements_per_order": sum(s["calls_per_order"] for s in statements),
                      "server_ms_per_order": sum(s["ms_per_order"] for s in statements),
                      "plan_ms_per_order": sum(s["plan_ms_per_order"] for s in statements),
                      "top": statements[:25]}
    return per_db


def pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def measure(stack, data, mode, duration, points, label):
    for db in ("product", "order", "marketing", "user", "datahub", "postgres"):
        stack.psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    stack.psql("postgres", "SELECT pg_stat_statements_reset()")
    r0 = redis_calls(stack)
    s0 = snapshot(stack)
    phase = Phase(stack, data, mode, duration, points)
    phase.run()
    load_end = time.time()
    settled = wait_settled(stack, phase.order_ids)
    s1 = snapshot(stack)
    r1 = redis_calls(stack)
    orders = len(phase.order_ids)
    cpu = cpu_between(s0, s1)
    summed = {k: v for k, v in cpu.items() if k not in NOT_SUMMED}
    total = sum(summed.values())
    per_process = {k: 1000 * v / max(1, orders) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])}
    result = {
        "label": label, "mode": mode, "buyers": len(data["people"]), "duration": duration,
        "orders": orders, "settled": settled, "load_seconds": load_end - s0["t"], "window_seconds": s1["t"] - s0["t"],
        "idle_share_ms_per_order": 1000 * sum(v for k, v in IDLE.items() if k not in NOT_SUMMED)
                                   * (s1["t"] - s0["t"]) / max(1, orders),
        "checkouts_per_second": orders / (load_end - s0["t"]),
        "checkout_ms": {"p50": 1000 * pct(phase.checkouts, 0.5), "p99": 1000 * pct(phase.checkouts, 0.99),
                        "max": 1000 * max(phase.checkouts or [0])},
        "step_ms": {k: {"n": len(v), "p50": 1000 * pct(v, 0.5), "p99": 1000 * pct(v, 0.99)}
                    for k, v in phase.latencies.items()},
        "errors": phase.errors,
        "cpu_ms_per_order": 1000 * total / max(1, orders),
        "cpu_ms_per_order_by_process": per_process,
        "server_cpu_utilisation": total / (s1["t"] - s0["t"]),
        "sql": pg_statements(stack, max(1, orders)),
        "redis_calls_per_order": {k: (r1.get(k, 0) - r0.get(k, 0)) / max(1, orders) for k in r1
                                  if r1.get(k, 0) - r0.get(k, 0) > 0},
    }
    R.log(f"{label}: {orders} orders, {result['checkouts_per_second']:.1f}/s, {result['cpu_ms_per_order']:.2f} ms CPU "
          f"per order, checkout p99 {result['checkout_ms']['p99']:.0f} ms, errors {phase.errors}")
    return result


IDLE = {}  # group -> CPU seconds per second with no load (measured before the phases)


def idle_cpu(stack, seconds=5):
    s0 = snapshot(stack)
    time.sleep(seconds)
    s1 = snapshot(stack)
    IDLE.update({k: v / (s1["t"] - s0["t"]) for k, v in cpu_between(s0, s1).items()})
    return dict(IDLE)


def markdown(report):
    out = [f"# Cost per order {report['date']}", "",
           f"Commit `{report['machine']['commit']}`{report['note']}, {report['machine']['cores']} cores, "
           f"{report['machine']['postgres']}. Build: `{report['build']}`. {report['buyers']} buyers, "
           f"{report['duration']:g} s per phase after a warm-up phase; shared machine (other engineers' builds "
           f"running: load average {report['loadavg']}). Orders: 3 lines (one of each SKU), the promotion "
           "(满200减20) and a coupon (满100减5) apply, "
           f"{report['points']} points; place + pay = POST /v1/orders, :pay, the buyer paying in the simulator, and "
           "the paid order's effects until AWAITING_SHIPMENT.", ""]
    out += ["| phase | orders | orders/s | checkout p50 / p99 ms | server CPU ms per order | of which idle cost "
            "(idle CPU rate x window / orders) | window s (load + settling) | errors |",
            "|---|---|---|---|---|---|---|---|"]
    for r in report["phases"]:
        out.append(f"| {r['label']} | {r['orders']} | {r['checkouts_per_second']:.1f} | "
                   f"{r['checkout_ms']['p50']:.0f} / {r['checkout_ms']['p99']:.0f} | **{r['cpu_ms_per_order']:.2f}** | "
                   f"{r.get('idle_share_ms_per_order', 0):.2f} | {r['window_seconds']:.1f} ({r['load_seconds']:.1f} + "
                   f"{r['window_seconds'] - r['load_seconds']:.1f}) | {sum(r['errors'].values())} |")
    out += ["", "CPU ms per order by process (simulator and Prometheus not in the sum):", ""]
    names = []
    for r in report["phases"]:
        for k in r["cpu_ms_per_order_by_process"]:
            if k not in names:
                names.append(k)
    out.append("| process | " + " | ".join(r["label"] for r in report["phases"]) + " | idle CPU % of a core |")
    out.append("|---|" + "---|" * (len(report["phases"]) + 1))
    for k in names:
        out.append(f"| {k} | " + " | ".join(f"{r['cpu_ms_per_order_by_process'].get(k, 0):.2f}"
                                             for r in report["phases"])
                   + f" | {100 * report['idle_cpu'].get(k, 0):.1f} |")
    for r in report["phases"]:
        out += ["", f"Steps of {r['label']} (ms): " + ", ".join(
            f"{k} p50 {v['p50']:.1f} p99 {v['p99']:.1f}" for k, v in r["step_ms"].items())]
        if r["errors"]:
            out.append("Errors: " + ", ".join(f"{k}: {n}" for k, n in r["errors"].items()))
        out += ["", f"SQL per order in {r['label']} (statements; server ms incl. planning):", ""]
        for db, v in r["sql"].items():
            out.append(f"- {db}: {v['statements_per_order']:.1f} statements, {v['server_ms_per_order']:.2f} ms "
                       f"({v['plan_ms_per_order']:.2f} planning)")
            for s in v["top"][:8]:
                out.append(f"  - {s['calls_per_order']:.2f}× {s['ms_per_order']:.3f} ms `{s['query'][:150]}`")
        out.append("- Redis commands per order: " + ", ".join(
            f"{k} {v:.2f}" for k, v in sorted(r["redis_calls_per_order"].items(), key=lambda kv: -kv[1])))
    return "\n".join(out) + "\n"


def build_label(build):
    """The build as the report names it: relative to the repository when inside it, else its directory name (a
    machine's absolute paths mean nothing to a reader)."""
    inside = os.path.commonpath([build, REPO]) == REPO
    return os.path.relpath(build, REPO) if inside else os.path.basename(build)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.environ.get("ZT_BUILD_DIR", f"{REPO}/build"))
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--phases", default="place+pay,checkout")
    parser.add_argument("--state", default=f"{REPO}/.state/cost-bench")
    parser.add_argument("--out", default=f"{REPO}/bench/results")
    parser.add_argument("--tag", default="")
    parser.add_argument("--note", default="", help="added after the commit in the report")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    # A fresh stack each run: a previous run's promotion would still be live and refuse the seed's (CAMPAIGN_CONFLICT).
    shutil.rmtree(args.state, ignore_errors=True)
    stack = R.Stack(args.build, args.state)
    phases = []
    loadavg_start = " ".join(open("/proc/loadavg").read().split()[:3])
    try:
        # Planning time in pg_stat_statements (off by default): what prepared statements save shows there.
        stack.psql("postgres", "ALTER SYSTEM SET pg_stat_statements.track_planning = on")
        stack.psql("postgres", "SELECT pg_reload_conf()")
        per_buyer = int(300 * (args.duration + args.warmup) / max(1, args.buyers)) * 2 + 200
        data = seed(stack, args.buyers, per_buyer)
        idle = idle_cpu(stack)
        for mode in args.phases.split(","):
            flow = "checkout" if mode == "checkout" else "place+pay"
            measure(stack, data, flow, args.warmup, args.points, f"{mode} warm-up")
            phases.append(measure(stack, data, flow, args.duration, args.points, mode))
    finally:
        if not args.keep:
            stack.stop()
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": R.versions(), "build": build_label(args.build),
              "note": args.note, "buyers": args.buyers, "duration": args.duration, "points": args.points,
              "loadavg": loadavg_start + " at the start, " + " ".join(open("/proc/loadavg").read().split()[:3]) + " at the end", "idle_cpu": idle, "phases": phases}
    os.makedirs(args.out, exist_ok=True)
    base = f"{args.out}/{now.strftime('%Y-%m-%d')}-cost-per-order" + (f"-{args.tag}" if args.tag else "")
    with open(base + ".json", "w") as f:
        json.dump(report, f, indent=1)
    with open(base + ".md", "w") as f:
        f.write(markdown(report))
    print(base + ".md")
    return 0 if all(p["orders"] > 0 for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
