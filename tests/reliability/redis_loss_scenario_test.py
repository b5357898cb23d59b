#!/usr/bin/env python3
"""Shoppers while Redis loses all its data (CTest e2e fixture: deploy/stack.sh started the suite).

The shoppers of crash_scenario_test.py (browse, cart, quote, order, pay, cancel, refund, coupons, a flash sale) run at
a steady rate; then the stack's Redis is shut down without saving (SHUTDOWN NOSAVE: the stack runs it without
persistence, so nothing survives), stays down for ZT_RELIABILITY_REDIS_OUTAGE_SECONDS (default 2), and is started
again empty on the same port, while the load goes on. Just before, the data hub is paused (SIGSTOP, 2 s, resumed
when Redis is back), so that order events are published and not yet consumed when Redis goes. Every Redis stream, consumer group, pending entry, flash-sale
key and rate-limit bucket is gone; events that were published and not yet consumed are lost from Redis.

Each service's outbox relay finds Redis' epoch key missing (common/events/relay.h), queues the outbox rows it published
in the last 24 hours again, and publishes them before anything newer; the consumers make their groups again and skip
what their inbox says they handled. Afterwards:
  - every service with an outbox reports the loss (zt_events_redis_loss_detected_total >= 1 on its /metrics);
  - placements whose outcome was unknown are repeated with their Idempotency-Key and must answer for certain;
  - tests/reliability/check_invariants.py holds within the settle time, in particular "every committed outbox event
    published", "every event ... handled by the data hub" and "the data hub's domain events are committed events,
    each counted once";
  - no dead letters (the loss must not make any consumer give up on an event);
  - every order the suite accepted is final, every order the wallet paid is paid;
  - a second flash sale is won by three shoppers while the order center is stopped (SIGSTOP, resumed when Redis is
    back), so that their winners' stream entries are unread when Redis goes: each win must still get its order.
The report gives, per phase, requests and errors by status and reason, how long Redis was away, and the time from its
return to the first order placed and product page served.
"""
import json
import os
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))
sys.path.insert(0, HERE)
import check_invariants  # noqa: E402
import crash_scenario_test as crash  # noqa: E402  (the shoppers, the world, the history and its report)
from stack_monitoring_test import fail, http, stack_env  # noqa: E402

OUTAGE_SECONDS = float(os.environ.get("ZT_RELIABILITY_REDIS_OUTAGE_SECONDS", "2"))
PAUSE_SECONDS = float(os.environ.get("ZT_RELIABILITY_DATAHUB_PAUSE_SECONDS", "2"))
EVENT_SERVICES = ["product", "order", "marketing", "user", "datahub"]
LOSS_SALE_UNITS = 3


def redis_cli(port, *args, timeout=10):
    return subprocess.run(["redis-cli", "-p", port, *args], capture_output=True, text=True, timeout=timeout)


def redis_up(port):
    try:
        return redis_cli(port, "ping", timeout=2).stdout.strip() == "PONG"
    except subprocess.TimeoutExpired:
        return False


def lose_redis(env):
    """Shuts the stack's Redis down without saving, waits OUTAGE_SECONDS, starts it again empty on the same port (as
    tests/harness/stores.sh starts it). Returns (the moment it went, the moment it answered again)."""
    directory = os.path.join(env["ZT_STACK_STATE"], "stores", "redis")
    with open(os.path.join(directory, "port")) as f:
        port = f.read().strip()
    before = redis_cli(port, "dbsize").stdout.strip()
    began = time.time()
    redis_cli(port, "shutdown", "nosave")  # the connection closes under it: no reply to check
    for _ in range(100):
        if not redis_up(port):
            break
        time.sleep(0.1)
    else:
        fail("redis did not shut down")
    for name in ("dump.rdb", "appendonly.aof", "appendonlydir"):
        subprocess.run(["rm", "-rf", os.path.join(directory, name)], check=True)
    time.sleep(OUTAGE_SECONDS)
    started = subprocess.run(
        ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize",
         "yes", "--dir", directory, "--pidfile", os.path.join(directory, "redis.pid"), "--logfile",
         os.path.join(directory, "redis.log")], capture_output=True, text=True, timeout=30)
    if started.returncode != 0:
        fail(f"redis-server did not start again: {started.stderr.strip()}")
    for _ in range(100):
        if redis_up(port):
            break
        time.sleep(0.1)
    else:
        fail("redis did not come back")
    back = time.time()
    print(f"redis lost its data: {before} keys before, {redis_cli(port, 'dbsize').stdout.strip()} keys just after "
          f"it came back; away {back - began:.2f} s")
    return port, began, back


def service_pid(env, name):
    with open(os.path.join(env["ZT_STACK_STATE"], "run", f"{name}.pid")) as f:
        return int(f.read().strip())


def datahub_backlog(env):
    """Entries of zt.events.order its data hub group has not acknowledged (pending or not delivered)."""
    directory = os.path.join(env["ZT_STACK_STATE"], "stores", "redis")
    with open(os.path.join(directory, "port")) as f:
        port = f.read().strip()
    group = check_invariants.DATAHUB_GROUPS["zt.events.order"]
    fields = redis_cli(port, "xinfo", "groups", "zt.events.order").stdout.split("\n")
    backlog, name = 0, None
    for i in range(0, len(fields) - 1, 2):
        key, value = fields[i].strip(), fields[i + 1].strip()
        if key == "name":
            name = value
        elif name == group and key in ("pending", "lag") and value.isdigit():
            backlog += int(value)
    return backlog


def pause_datahub(env):
    os.kill(service_pid(env, "datahub"), 19)  # SIGSTOP
    time.sleep(PAUSE_SECONDS)
    backlog = datahub_backlog(env)
    print(f"data hub paused {PAUSE_SECONDS} s: {backlog} order events not yet handled by it when Redis goes")
    return backlog


def resume_datahub(env):
    os.kill(service_pid(env, "datahub"), 18)  # SIGCONT


def open_loss_sale(world):
    """A flash sale of LOSS_SALE_UNITS units, running before Redis goes; the shoppers do not know it."""
    now = time.time()
    return world.gw.call("POST", "/v1/admin/flash-sales", {"flashSale": {
        "name": f"redis-loss flash {world.tag}", "skuId": world.sku_b,
        "salePrice": {"currency": "CNY", "amountMinor": "990"}, "quantity": str(LOSS_SALE_UNITS),
        "perUserLimit": "1", "startTime": crash.rfc3339(now + 1), "endTime": crash.rfc3339(now + 3600)},
        "allowConflicts": True}, world.admin, key=f"redis-loss-flash-{world.tag}")["flashSale"]["saleId"]


def win_while_orders_wait(env, world, history, shoppers, sale):
    """Stops the order service (SIGSTOP) and has LOSS_SALE_UNITS shoppers win the sale meanwhile: their winners'
    stream entries are unread by the order center when Redis goes. Returns [(token, order id)] of the wins."""
    os.kill(service_pid(env, "order"), 19)  # SIGSTOP
    wins = []
    for shopper in shoppers[:LOSS_SALE_UNITS]:
        status, raw = crash.send(history, "flash purchase (before the loss)", "POST",
                                 f"{world.gw.base}/v1/flash-sales/{sale}:purchase", {}, shopper.token,
                                 f"loss-flash-{uuid.uuid4().hex}")
        if status != 200:
            fail(f"flash purchase before the loss: {status} {raw[:300]!r}")
        wins.append((shopper.token, json.loads(raw)["purchase"]["orderId"]))
    return wins


def orders_of_wins(env, wins, deadline):
    """The wins whose order the buyer cannot see (GET /v1/orders/{id}) by the deadline."""
    while True:
        missing = []
        for token, order_id in wins:
            status, _ = http("GET", f"{env['ZT_STACK_GATEWAY']}/v1/orders/{order_id}", None,
                             {"Authorization": "Bearer " + token})
            if status != 200:
                missing.append((order_id, status))
        if not missing or time.time() > deadline:
            return missing
        time.sleep(1)


def metric(env, service, name):
    """The sum of the samples of `name` on the service's /metrics (None when it has none)."""
    status, raw = http("GET", f"http://{env[f'ZT_STACK_{service.upper()}_METRICS']}/metrics")
    if status != 200:
        return None
    total = None
    for line in raw.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total = (total or 0) + float(line.rsplit(" ", 1)[1])
    return total


def resolve_unknown(history, shoppers):
    """Placements whose outcome was unknown, repeated with their key until they answer for certain (as the crash
    scenario does); the buyer cancels what the repeat placed. Returns those still unresolved after 45 s."""
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
            elif status == 0 or status >= 500 or crash.reason_of(raw) == "ORDER_IN_PROGRESS":
                unresolved.append((s, key, body))
        pending = unresolved
        if not pending or time.time() > deadline:
            break
        time.sleep(1)
    return unresolved


def orders_not_final(shoppers):
    deadline = time.time() + 30
    while True:
        not_final, placed = [], 0
        for s in shoppers:
            for order_id in s.placed:
                placed += 1
                status, raw = s.call("final state", "GET", f"/v1/orders/{order_id}")
                state = json.loads(raw)["order"]["status"].replace("ORDER_STATUS_", "") if status == 200 else status
                if state not in crash.FINAL_STATES or (order_id in s.paid and state not in crash.PAID_STATES):
                    not_final.append((order_id, state, order_id in s.paid))
        if not not_final or time.time() > deadline:
            return not_final, placed
        time.sleep(2)


def main():
    env = stack_env()
    history = crash.History()
    world = crash.World(env)
    loss_sale = open_loss_sale(world)
    stop = threading.Event()
    shoppers = [crash.Shopper(world, history, i, stop) for i in range(crash.SHOPPERS)]
    detected_before = {s: metric(env, s, "zt_events_redis_loss_detected_total") or 0 for s in EVENT_SERVICES}
    replayed_before = sum(metric(env, s, "zt_events_replayed_total") or 0 for s in EVENT_SERVICES)
    history.phase = "steady"
    for s in shoppers:
        s.start()
    try:
        # Long enough for the flash sale (3 s after the world) to be over before Redis, which admits it, goes.
        time.sleep(max(crash.PHASE_SECONDS, 5))
        # The data hub stops reading for a moment (SIGSTOP), so that events are published and not yet consumed when
        # Redis goes: without the replay from the outbox they would be lost, and the checker would say so.
        backlog = pause_datahub(env)
        # Buyers win a flash sale while the order center is stopped: the entries that would make their orders are
        # still unread on the winners' stream when Redis loses it. Marketing recorded each win before answering; its
        # sweeper rebuilds the sale and publishes them again, and the orders must appear.
        wins = win_while_orders_wait(env, world, history, shoppers, loss_sale)
        history.phase = "redis lost"
        try:
            port, began, back = lose_redis(env)
        finally:
            resume_datahub(env)
            os.kill(service_pid(env, "order"), 18)  # SIGCONT
        time.sleep(crash.PHASE_SECONDS)
        history.phase = "after"
        time.sleep(crash.PHASE_SECONDS / 2)
    finally:
        stop.set()
        for s in shoppers:
            s.join(timeout=60)
    errors = [e for s in shoppers for e in s.errors]
    if errors:
        fail(f"the shoppers' driver failed: {errors[:3]}")

    unresolved = resolve_unknown(history, shoppers)
    phases, _ = crash.report(history, [])
    print(f"redis away {back - began:.2f} s; first order placed (answered) "
          f"{crash.recovery(history.rows, back, 'place order')} s and first product page "
          f"{crash.recovery(history.rows, back, 'browse product')} s after it came back")
    if unresolved:
        fail(f"{len(unresolved)} placements still without a definite outcome 45 s after the load: "
             f"{[k for _, k, _ in unresolved[:3]]}")

    # Every relay saw the loss (each polls within a second).
    deadline = time.time() + 15
    while True:
        missed = [s for s in EVENT_SERVICES
                  if (metric(env, s, "zt_events_redis_loss_detected_total") or 0) <= detected_before[s]]
        if not missed or time.time() > deadline:
            break
        time.sleep(0.5)
    if missed:
        fail(f"the outbox relay of {missed} did not notice that Redis lost its data")
    replayed = sum(metric(env, s, "zt_events_replayed_total") or 0 for s in EVENT_SERVICES) - replayed_before
    print(f"outbox rows published again after the loss: {replayed:.0f}")
    if backlog == 0:
        fail("the data hub had no order event left to handle when Redis went: the scenario proved nothing")

    report_, attempts, elapsed = check_invariants.run(env["ZT_STACK_PG_DSN"], crash.SETTLE_SECONDS,
                                                      env.get("ZT_STACK_PAYMENT_SIMULATOR"))
    report_.print()
    print(f"checker: {len(report_.results)} invariants, {attempts} reads, settled in {elapsed:.1f} s")
    if not report_.ok:
        fail("invariants violated after Redis lost its data: " + "; ".join(report_.failing()))

    dead = {}
    for key in redis_cli(port, "--scan", "--pattern", "*.dlq").stdout.split():
        n = int(redis_cli(port, "xlen", key).stdout.strip() or 0)
        if n:
            dead[key] = n
    if dead:
        fail(f"events dead-lettered after the loss: {dead}")

    missing = orders_of_wins(env, wins, time.time() + 30)
    if missing:
        fail(f"{len(missing)} of {len(wins)} flash-sale wins told to buyers before Redis went have no order: {missing}")
    print(f"flash sale won by {len(wins)} buyers while the order center was stopped and Redis then lost: "
          f"{len(wins)} orders")

    not_final, placed = orders_not_final(shoppers)
    if not_final:
        fail(f"{len(not_final)} of {placed} accepted orders not in a final or correct state: {not_final[:5]}")
    total = sum(p["requests"] for p in phases.values())
    print(f"ok: {total} requests, {placed} orders accepted (all final), {sum(len(s.paid) for s in shoppers)} paid, "
          f"redis lost once, {replayed:.0f} events published again, every event counted once")


if __name__ == "__main__":
    main()
