#!/usr/bin/env python3
"""Shoppers under a crash: a short Jepsen-style scenario (CTest e2e fixture: deploy/stack.sh started the suite).

Shoppers browse, fill carts, ask for quotes, place orders (some with a claimed coupon, all under a promotion with a
budget), pay, cancel, leave orders unpaid, ask for refunds (which the admin approves), claim coupons concurrently and
race for a flash sale. Meanwhile one service after the other (ZT_RELIABILITY_KILL, default "order product") gets
SIGKILL (deploy/stack.sh kill: no draining, nothing flushed) and is started again. Every request's outcome is
recorded. Afterwards:
  - a placement whose outcome was unknown (timeout, 5xx) is repeated with its Idempotency-Key and must now give a
    definite answer (the same order, or a refusal);
  - tests/reliability/check_invariants.py, with the payment simulator as the provider's record, must find every
    invariant holding within the settle time;
  - every order the suite accepted must be in a final state (paid, closed, cancelled, failed), and every order whose
    payment the wallet confirmed must be paid;
  - the flash sale has at most its quantity of winners, the coupon template at most its total and per-user caps.
The report gives, per phase: requests, errors by HTTP status and reason, and the recovery time after each kill (from
SIGKILL to the first order placed and the first product page served after it).
"""
import collections
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))
sys.path.insert(0, HERE)
from stack_monitoring_test import REPO, Gateway, fail, http, shopper_address, stack_env  # noqa: E402
import check_invariants  # noqa: E402

SHOPPERS = int(os.environ.get("ZT_RELIABILITY_SHOPPERS", "6"))
KILLS = os.environ.get("ZT_RELIABILITY_KILL", "order product").split()
PHASE_SECONDS = float(os.environ.get("ZT_RELIABILITY_PHASE_SECONDS", "6"))
SETTLE_SECONDS = float(os.environ.get("ZT_RELIABILITY_SETTLE_SECONDS", "45"))
COUPON_TOTAL, COUPON_PER_USER = 8, 2
FLASH_QUANTITY = 4
BUDGET = 3000
PRICE_A, PRICE_B = 1500, 2000
PAID_STATES = check_invariants.PAID_STATES
FINAL_STATES = check_invariants.FINAL_STATES


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def reason_of(raw):
    try:
        return json.loads(raw).get("error", {}).get("reason", "")
    except (ValueError, AttributeError):
        return ""


class History:
    """Every request: (phase, what, status, reason, start, end). The phase is switched by the driver."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "setup"
        self.rows = []

    def add(self, what, status, raw, start):
        with self.lock:
            self.rows.append((self.phase, what, status, reason_of(raw) if status != 200 else "", start, time.time()))


def send(history, what, method, url, body=None, token=None, key=None):
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if key:
        headers["Idempotency-Key"] = key
    start = time.time()
    try:
        status, raw = http(method, url, body, headers)
    except OSError as error:  # connection refused or reset while the gateway's backend is down, a timeout
        status, raw = 0, json.dumps({"error": {"reason": type(error).__name__}}).encode()
    history.add(what, status, raw, start)
    return status, raw


class World:
    """What the admin set up: a product with two SKUs, a budgeted promotion, a coupon template, a flash sale."""

    def __init__(self, env):
        self.env = env
        self.gw = Gateway(env["ZT_STACK_GATEWAY"])
        self.admin = self.gw.login(env["ZT_STACK_ADMIN_LOGIN"], env["ZT_STACK_ADMIN_PASSWORD"])
        tag = self.tag = uuid.uuid4().hex[:10]
        gw, admin = self.gw, self.admin
        category = gw.call("POST", "/v1/admin/categories", {"name": f"crash-{tag}"}, admin,
                           key=f"crash-category-{tag}")["category"]["categoryId"]
        product = gw.call("POST", "/v1/admin/products", {
            "title": f"crash tea {tag}", "categoryId": category,
            "skus": [{"skuCode": f"CRASH-A-{tag}", "spec": "250g",
                      "price": {"currency": "CNY", "amountMinor": str(PRICE_A)}, "initialStock": "600"},
                     {"skuCode": f"CRASH-B-{tag}", "spec": "500g",
                      "price": {"currency": "CNY", "amountMinor": str(PRICE_B)}, "initialStock": "50"}]},
            admin, key=f"crash-product-{tag}")["product"]
        gw.call("POST", f"/v1/admin/products/{product['productId']}:publish", {}, admin)
        self.product_id = product["productId"]
        self.sku_a, self.sku_b = (s["skuId"] for s in product["skus"])
        now = time.time()
        self.promotion = gw.call("POST", "/v1/admin/promotions", {"promotion": {
            "name": f"crash 满10减1 {tag}", "startTime": rfc3339(now - 60), "endTime": rfc3339(now + 3600),
            "thresholdReduction": {"threshold": {"currency": "CNY", "amountMinor": "1000"},
                                   "reduction": {"currency": "CNY", "amountMinor": "100"}},
            "status": "PROMOTION_STATUS_ACTIVE", "scope": {"allProducts": False, "skuIds": [self.sku_a]},
            "budgetRemaining": {"currency": "CNY", "amountMinor": str(BUDGET)}}, "allowConflicts": True},
            admin, key=f"crash-promotion-{tag}")["promotion"]["promotionId"]
        self.template = gw.call("POST", "/v1/admin/coupon-templates", {"couponTemplate": {
            "name": f"crash coupon {tag}", "type": "COUPON_TYPE_NO_THRESHOLD",
            "threshold": {"currency": "CNY", "amountMinor": "0"},
            "reduction": {"currency": "CNY", "amountMinor": "200"},
            "scope": {"allProducts": False, "skuIds": [self.sku_a]},
            "claimStartTime": rfc3339(now - 60), "claimEndTime": rfc3339(now + 3600), "validDaysAfterClaim": 1,
            "totalQuantity": str(COUPON_TOTAL), "perUserLimit": str(COUPON_PER_USER)}},
            admin, key=f"crash-template-{tag}")["couponTemplate"]["templateId"]
        self.flash_start = now + 3
        self.sale = gw.call("POST", "/v1/admin/flash-sales", {"flashSale": {
            "name": f"crash flash {tag}", "skuId": self.sku_b,
            "salePrice": {"currency": "CNY", "amountMinor": "990"}, "quantity": str(FLASH_QUANTITY),
            "perUserLimit": "1", "startTime": rfc3339(self.flash_start), "endTime": rfc3339(now + 3600)},
            "allowConflicts": True}, admin, key=f"crash-flash-{tag}")["flashSale"]["saleId"]


class Shopper(threading.Thread):
    def __init__(self, world, history, number, stop):
        super().__init__(daemon=True)
        self.world, self.history, self.stop = world, history, stop
        self.base = world.gw.base
        self.rng = random.Random(number)
        email = f"crash-{world.tag}-{number}@example.com"
        world.gw.call("POST", "/v1/users", {"email": email, "password": "s3cret-pass", "nickname": "crash"})
        self.token = world.gw.login(email, "s3cret-pass")
        self.address = shopper_address(world.gw, self.token, f"crash-{world.tag}-{number}")
        self.coupons = []        # coupon ids claimed and not known to be used
        self.placed = {}         # order id -> idempotency key (the suite accepted it)
        self.unknown = []        # (key, body) of placements whose outcome was not known
        self.paid = set()        # orders the wallet confirmed paying
        self.flash_tried = False
        self.flash_orders = []   # order ids of flash purchases, to pay once they exist
        self.errors = []

    def call(self, what, method, path, body=None, key=None, token=None):
        return send(self.history, what, method, self.base + path, body, token or self.token, key)

    def claim_coupons(self):
        # Three claims at once with their own keys: the per-user cap (2) must hold however they interleave.
        def claim(i):
            status, raw = self.call("claim coupon", "POST", f"/v1/coupons/{self.world.template}:claim", {},
                                    key=f"claim-{uuid.uuid4().hex}")
            if status == 200:
                self.coupons.append(json.loads(raw)["coupon"]["couponId"])
        threads = [threading.Thread(target=claim, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def pay(self, order_id):
        status, raw = self.call("pay", "POST", f"/v1/orders/{order_id}:pay", {}, key=f"pay-{order_id}")
        if status != 200:
            return False
        pay_url = json.loads(raw)["payment"]["payUrl"]
        status, _ = send(self.history, "wallet pay", "POST", pay_url, {})
        if status == 200:
            self.paid.add(order_id)
            return True
        return False

    def place(self):
        body = {"channel": "web", "addressId": self.address,
                "lines": [{"skuId": self.world.sku_a, "quantity": str(self.rng.randint(1, 2))}]}
        coupon = None
        if self.coupons and self.rng.random() < 0.5:
            coupon = self.coupons.pop()
            body["couponId"] = coupon
        key = f"crash-order-{uuid.uuid4().hex}"
        status, raw = self.call("place order", "POST", "/v1/orders", body, key=key)
        if status == 200:
            order_id = json.loads(raw)["order"]["orderId"]
            self.placed[order_id] = key
            return order_id, coupon
        if status == 0 or status >= 500 or reason_of(raw) == "ORDER_IN_PROGRESS":
            # Not known whether an order exists (ORDER_IN_PROGRESS: a retry of it met the first try still running).
            self.unknown.append((key, body))
        elif coupon and reason_of(raw) not in ("COUPON_USED", "COUPON_NOT_AVAILABLE", "COUPON_LOCKED"):
            self.coupons.append(coupon)
        return None, None

    def after_placing(self, order_id, coupon):
        roll = self.rng.random()
        if roll < 0.6:
            if self.pay(order_id) and self.rng.random() < 0.25:
                self.refund(order_id)
        elif roll < 0.85:
            status, _ = self.call("cancel", "POST", f"/v1/orders/{order_id}:cancel", {})
            if status == 200 and coupon:
                self.coupons.append(coupon)  # given back on cancel
        # else: left unpaid; the payment timeout cancels it

    def refund(self, order_id):
        # Paid, not shipped: refund only, the whole order; the admin approves it, which refunds at once. The wallet's
        # notification makes the order paid a moment after the pay URL answered: wait for it (a buyer would).
        for _ in range(20):
            status, raw = self.call("order detail", "GET", f"/v1/orders/{order_id}")
            if status == 200 and json.loads(raw)["order"]["status"] != "ORDER_STATUS_PENDING_PAYMENT":
                break
            time.sleep(0.1)
        if status != 200:
            return
        lines = [{"skuId": line["skuId"], "quantity": line["quantity"]}
                 for line in json.loads(raw)["order"].get("lines", [])]
        status, raw = self.call("request return", "POST", f"/v1/orders/{order_id}/returns",
                                {"type": "RETURN_TYPE_REFUND_ONLY", "reason": "changed my mind", "lines": lines},
                                key=f"return-{order_id}")
        if status == 200:
            return_id = json.loads(raw)["return"]["returnId"]
            self.call("approve return", "POST", f"/v1/admin/returns/{return_id}:approve", {"note": "ok"},
                      token=self.world.admin)

    def flash(self):
        self.flash_tried = True
        status, raw = self.call("flash purchase", "POST", f"/v1/flash-sales/{self.world.sale}:purchase", {},
                                key=f"flash-{uuid.uuid4().hex}")
        if status == 200:
            self.flash_orders.append(json.loads(raw)["purchase"]["orderId"])

    def pay_flash_orders(self):
        for order_id in list(self.flash_orders):
            status, raw = self.call("flash order", "GET", f"/v1/orders/{order_id}")
            if status == 200 and json.loads(raw)["order"]["status"] == "ORDER_STATUS_PENDING_PAYMENT":
                self.flash_orders.remove(order_id)
                self.placed[order_id] = "flash"
                self.pay(order_id)
            elif status == 200:
                self.flash_orders.remove(order_id)
                self.placed[order_id] = "flash"

    def run(self):
        try:
            self.claim_coupons()
            while not self.stop.is_set():
                if not self.flash_tried and time.time() > self.world.flash_start + 0.5:
                    self.flash()
                if self.flash_orders:
                    self.pay_flash_orders()
                roll = self.rng.random()
                if roll < 0.3:
                    self.call("browse product", "GET", f"/v1/products/{self.world.product_id}", token="")
                    self.call("list products", "GET", "/v1/products?pageSize=5", token="")
                elif roll < 0.45:
                    self.call("add to cart", "POST", "/v1/cart/items", {"skuId": self.world.sku_a, "quantity": "1"},
                              key=f"cart-{uuid.uuid4().hex}")
                    self.call("view cart", "GET", "/v1/cart")
                elif roll < 0.55:
                    self.call("quote", "POST", "/v1/checkout:quote",
                              {"lines": [{"skuId": self.world.sku_a, "quantity": "2"}], "addressId": self.address})
                else:
                    order_id, coupon = self.place()
                    if order_id:
                        self.after_placing(order_id, coupon)
                time.sleep(0.02)
        except Exception as error:  # a bug of the driver must fail the test, not hang it
            self.errors.append(repr(error))


def kill(env, name):
    began = time.time()
    run = subprocess.run([os.path.join(REPO, "deploy", "stack.sh"), "kill", env["ZT_STACK_STATE"], name],
                         capture_output=True, text=True, timeout=90)
    if run.returncode != 0:
        fail(f"stack.sh kill {name} exited {run.returncode}: {run.stderr.strip()}")
    for line in run.stdout.splitlines():
        if line.startswith("sent SIGKILL"):
            began = float(line.rsplit(" ", 1)[1])  # the moment of the SIGKILL itself
    return began, time.time()


def recovery(rows, killed_at, what):
    """Seconds from the kill to the answer of the first successful `what` sent after it (None: none succeeded)."""
    after = [end for _, w, status, _, start, end in rows if w == what and status == 200 and start >= killed_at]
    return round(min(after) - killed_at, 2) if after else None


def report(history, kills):
    phases = collections.OrderedDict()
    for phase, what, status, reason, start, end in history.rows:
        p = phases.setdefault(phase, {"requests": 0, "errors": collections.Counter(), "slowest_s": 0.0})
        p["requests"] += 1
        p["slowest_s"] = max(p["slowest_s"], round(end - start, 2))
        if status != 200:
            p["errors"][f"{status} {reason}".strip()] += 1
    print("phase               requests  errors (status reason: count)")
    for phase, p in phases.items():
        errors = ", ".join(f"{k}: {v}" for k, v in p["errors"].most_common()) or "none"
        print(f"{phase:<20}{p['requests']:>8}  {errors}  (slowest {p['slowest_s']} s)")
    for name, (began, restarted) in kills.items():
        print(f"kill -9 {name}: back listening after {restarted - began:.2f} s; first order placed (answered) "
              f"{recovery(history.rows, began, 'place order')} s and first product page "
              f"{recovery(history.rows, began, 'browse product')} s after the SIGKILL")
    return phases


def main():
    env = stack_env()
    history = History()
    world = World(env)
    stop = threading.Event()
    shoppers = [Shopper(world, history, i, stop) for i in range(SHOPPERS)]
    kills = {}
    history.phase = "steady"
    for s in shoppers:
        s.start()
    try:
        time.sleep(PHASE_SECONDS)
        for name in KILLS:
            history.phase = f"kill -9 {name}"
            kills[name] = kill(env, name)
            time.sleep(PHASE_SECONDS)
        history.phase = "after"
        time.sleep(PHASE_SECONDS / 2)
    finally:
        stop.set()
        for s in shoppers:
            s.join(timeout=60)
    errors = [e for s in shoppers for e in s.errors]
    if errors:
        fail(f"the shoppers' driver failed: {errors[:3]}")

    # Placements whose outcome was unknown: the same key again must answer for certain once the suite recovered (a
    # saga a crash interrupted is finished or undone by the order sweeper after its stale time, 30 s; until then a
    # repeat answers ORDER_IN_PROGRESS), and at most one order per key (the checker). The buyer then cancels what
    # the repeat placed, so every order ends final.
    history.phase = "recovery"
    pending = [(s, key, body) for s in shoppers for key, body in s.unknown]
    deadline = time.time() + 45
    unresolved = []
    while pending:
        unresolved = []
        for s, key, body in pending:
            status, raw = s.call("retry unknown placement", "POST", "/v1/orders", body, key=key)
            if status == 200:
                order = json.loads(raw)["order"]
                s.placed[order["orderId"]] = key
                if order["status"] == "ORDER_STATUS_PENDING_PAYMENT":
                    s.call("cancel", "POST", f"/v1/orders/{order['orderId']}:cancel", {})
            elif status == 0 or status >= 500 or reason_of(raw) == "ORDER_IN_PROGRESS":
                unresolved.append((s, key, body))
        pending = unresolved
        if not pending or time.time() > deadline:
            break
        time.sleep(1)
    phases = report(history, kills)
    if unresolved:
        fail(f"{len(unresolved)} placements still without a definite outcome 45 s after the load: "
             f"{[k for _, k, _ in unresolved[:3]]}")

    # The invariants, with the provider's record of payments.
    report_, attempts, elapsed = check_invariants.run(env["ZT_STACK_PG_DSN"], SETTLE_SECONDS,
                                                      env.get("ZT_STACK_PAYMENT_SIMULATOR"))
    report_.print()
    print(f"checker: {len(report_.results)} invariants, {attempts} reads, settled in {elapsed:.1f} s")
    if not report_.ok:
        fail("invariants violated after the crashes: " + "; ".join(report_.failing()))

    # Every accepted order final; every order the wallet paid is paid.
    # An order left unpaid near the end of the load rests until its payment deadline and the sweeper's next pass:
    # look again for a while before calling it stuck.
    deadline = time.time() + 30
    while True:
        not_final = []
        placed = 0
        for s in shoppers:
            for order_id in s.placed:
                placed += 1
                status, raw = s.call("final state", "GET", f"/v1/orders/{order_id}")
                state = json.loads(raw)["order"]["status"].replace("ORDER_STATUS_", "") if status == 200 else status
                if state not in FINAL_STATES or (order_id in s.paid and state not in PAID_STATES):
                    not_final.append((order_id, state, order_id in s.paid))
        if not not_final or time.time() > deadline:
            break
        time.sleep(2)
    if not_final:
        fail(f"{len(not_final)} of {placed} accepted orders not in a final or correct state: {not_final[:5]}")

    claimed = sum(len(s.coupons) for s in shoppers)  # not exact after uses; the checker counts the store
    flash_wins = sum(1 for s in shoppers for o in s.placed if s.placed[o] == "flash")
    if flash_wins > FLASH_QUANTITY:
        fail(f"{flash_wins} flash-sale orders for a sale of {FLASH_QUANTITY}")
    promotions = world.gw.call("GET", "/v1/admin/promotions?pageSize=100", token=world.admin).get("promotions", [])
    mine = [p for p in promotions if p.get("promotionId") == world.promotion]
    if mine and int(mine[0].get("budgetRemaining", {}).get("amountMinor", "0")) < 0:
        fail(f"the promotion's budget went below zero: {mine[0]['budgetRemaining']}")
    total = sum(p["requests"] for p in phases.values())
    print(f"ok: {total} requests, {placed} orders accepted (all final), "
          f"{sum(len(s.paid) for s in shoppers)} paid, {flash_wins} flash orders, {claimed} coupons unused, "
          f"kills: {', '.join(KILLS)}")


if __name__ == "__main__":
    main()
