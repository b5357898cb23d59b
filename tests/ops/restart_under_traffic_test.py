#!/usr/bin/env python3
"""A rolling restart under load (CTest e2e fixture: deploy/stack.sh started the suite).

Shoppers browse, place and pay orders through the gateway without pause while product, marketing and order, one
after the other, get SIGTERM and are started again (deploy/stack.sh restart). Every request a shopper sends must
succeed: the backend drains its calls in flight, and the gateway's and order service's channels wait for the
restarted backend and retry what the proto marks as safe to retry. Afterwards every placed order exists exactly
once, the stock went down by exactly the orders placed, and the restarted processes are the ones serving.
"""
import json
import os
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from stack_monitoring_test import REPO, fail, http, product_and_shopper, shopper_address, stack_env  # noqa: E402

RESTARTED = ["product", "marketing", "order"]
INITIAL_STOCK = 100000


class Shoppers:
    """Threads that keep browsing and buying; each request's outcome is recorded with its start time."""

    def __init__(self, gw, product, token):
        self.gw, self.product, self.token = gw, product, token
        self.address = shopper_address(gw, token, "restart-" + uuid.uuid4().hex)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = []   # (start, what, status)
        self.paid = []       # order ids placed and paid
        self.retried_reads = 0

    def record(self, start, what, status, body=b""):
        with self.lock:
            self.outcomes.append((start, what, status, body[:200]))

    def send(self, what, method, path, body=None, key=None):
        headers = {"Authorization": "Bearer " + self.token}
        if key:
            headers["Idempotency-Key"] = key
        start = time.time()
        status, raw = http(method, self.gw.base + path, body, headers)
        if method == "GET" and status in (503, 504):
            # A read that met the restart is retried once, as a client does; the retry must succeed. Counted.
            with self.lock:
                self.retried_reads += 1
            time.sleep(0.5)
            status, raw = http(method, self.gw.base + path, body, headers)
        self.record(start, what, status, raw)
        return status, raw

    def browse(self):
        while not self.stop.is_set():
            self.send("get product", "GET", "/v1/products/" + self.product["productId"])
            self.send("list products", "GET", "/v1/products?pageSize=5")
            time.sleep(0.01)

    def buy(self):
        sku = self.product["skus"][0]["skuId"]
        while not self.stop.is_set():
            status, raw = self.send("place order", "POST", "/v1/orders",
                                    {"channel": "web", "addressId": self.address,
                                     "lines": [{"skuId": sku, "quantity": "1"}]},
                                    key="restart-" + uuid.uuid4().hex)
            if status != 200:
                continue
            order_id = json.loads(raw)["order"]["orderId"]
            status, raw = self.send("pay order", "POST", f"/v1/orders/{order_id}:pay", {}, key="pay-" + order_id)
            if status == 200:
                # The buyer pays in the wallet (the stack's payment simulator); its notification makes the order PAID.
                status, _ = http("POST", json.loads(raw)["payment"]["payUrl"], {})
                if status == 200:  # otherwise the order stays unpaid, and the check below names the difference
                    with self.lock:
                        self.paid.append(order_id)

    def run(self, browsers=2, buyers=2):
        threads = [threading.Thread(target=self.browse) for _ in range(browsers)]
        threads += [threading.Thread(target=self.buy) for _ in range(buyers)]
        for t in threads:
            t.start()
        return threads


def process_start_time(metrics_address):
    status, raw = http("GET", f"http://{metrics_address}/metrics")
    if status != 200:
        fail(f"scrape of {metrics_address}: {status}")
    for line in raw.decode().splitlines():
        if line.startswith("process_start_time_seconds "):
            return float(line.split()[1])
    fail(f"{metrics_address} exposes no process_start_time_seconds")


def main():
    env = stack_env()
    gw, _, product, token = product_and_shopper(env, "restart", stock=INITIAL_STOCK, price_minor=3300)

    shoppers = Shoppers(gw, product, token)
    threads = shoppers.run()
    windows = {}
    try:
        time.sleep(1.5)
        for name in RESTARTED:
            began = time.time()
            run = subprocess.run([os.path.join(REPO, "deploy", "stack.sh"), "restart", env["ZT_STACK_STATE"], name],
                                 capture_output=True, text=True, timeout=90)
            windows[name] = (began, time.time())
            if run.returncode != 0:
                fail(f"stack.sh restart {name} exited {run.returncode}: {run.stderr.strip()}")
            time.sleep(1.5)
    finally:
        shoppers.stop.set()
        for t in threads:
            t.join(timeout=60)

    print(f"reads retried once after a 503/504: {shoppers.retried_reads}")
    failures = [o for o in shoppers.outcomes if o[2] != 200]
    if failures:
        def when(start):
            name, (began, _) = min(windows.items(), key=lambda w: abs(start - w[1][0]))
            return f"{start - began:+.2f}s from {name}'s SIGTERM"
        sample = "; ".join(f"{what} sent {when(start)} -> {status} {body!r}"
                           for start, what, status, body in failures[:5])
        fail(f"{len(failures)} of {len(shoppers.outcomes)} shopper requests failed during the restarts: {sample}")
    for name, (began, ended) in windows.items():
        during = [o for o in shoppers.outcomes if began <= o[0] <= ended]
        if not during:
            fail(f"no shopper request was sent while {name} restarted; the test proved nothing")
        print(f"{name}: restarted in {ended - began:.2f}s with {len(during)} requests sent meanwhile, all answered 200 but the placements counted above")
        started = process_start_time(env[f"ZT_STACK_{name.upper()}_METRICS"])
        if started < began - 1:
            fail(f"{name} serving now started at {started}, before its restart at {began}")

    # Every paid order exists once; the stock went down by exactly those orders (the product cache lives 1 s).
    listed, page = [], ""
    while True:
        out = gw.call("GET", "/v1/orders?pageSize=100" + (f"&pageToken={page}" if page else ""), token=token)
        listed += [o["orderId"] for o in out.get("orders", [])]
        page = out.get("nextPageToken", "")
        if not page:
            break
    if sorted(listed) != sorted(set(listed)) or set(shoppers.paid) - set(listed):
        fail(f"orders listed {len(listed)} ({len(set(listed))} distinct) vs {len(shoppers.paid)} paid")
    if len(listed) != len(shoppers.paid):
        fail(f"{len(listed)} orders exist but shoppers saw {len(shoppers.paid)} placed and paid")
    time.sleep(1.5)
    sku = gw.call("GET", "/v1/products/" + product["productId"])["product"]["skus"][0]
    if int(sku["available"]) != INITIAL_STOCK - len(shoppers.paid):
        fail(f"available {sku['available']}, want {INITIAL_STOCK} - {len(shoppers.paid)} orders")
    print(f"ok: {len(shoppers.outcomes)} requests, {len(shoppers.paid)} orders, none failed, none duplicated")


if __name__ == "__main__":
    main()
