#!/usr/bin/env python3
"""The suite's invariants, read from each service's own store (PostgreSQL through psql; no driver needed).

    check_invariants.py [--pg-dsn DSN] [--stack-env STATE/stack.env] [--settle SECONDS] [--provider URL] [--json]

Each service's database is read in one REPEATABLE READ, READ ONLY transaction (one snapshot per service). Checks
that span services compare those snapshots, so under live traffic they can see a moment between two services'
commits; --settle SECONDS repeats the whole check until every invariant holds or the time is up (what a scenario
does after its load stops: sagas, sweepers, relays and consumers finish their work). Exit status 0 when every
invariant holds, 1 when one does not (each failing one is printed with the offending rows), 2 on a usage or
connection error.

The database of a service is <base>/<service> where <base> is --pg-dsn without its database (a superuser's DSN, as
deploy/stack.sh writes ZT_STACK_PG_DSN into stack.env), or ZT_<SERVICE>_PG_DSN when set.

--provider: the payment simulator's base URL; then every order's payment is also compared with the provider's record
(money taken once, refunds never above it, and what the order center believes matches what the provider did).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

SERVICES = ["product", "order", "marketing", "user", "datahub"]
SEP = "\x1f"
# Orders past payment: the money was taken (and maybe partly or wholly refunded since).
PAID_STATES = {"PAID", "AWAITING_SHIPMENT", "SHIPPED", "DELIVERED", "COMPLETED", "CLOSED"}
# Where an order may rest when nobody acts on it any more.
FINAL_STATES = PAID_STATES | {"CANCELLED", "FAILED"}
# The data hub's consumer group per stream it reads (services/datahub/ingest/*.h).
DATAHUB_GROUPS = {"zt.events.order": "datahub", "zt.events.marketing": "datahub-domain-events",
                  "zt.events.product": "datahub-domain-events", "zt.events.user": "datahub-domain-events"}
SAMPLE = 10  # offending rows shown per invariant

# ---- what is read, per service: name -> SQL (every column as text; rows split on \x1f) ----

QUERIES = {
    "product": {
        # Stock rows whose levels break a rule or that the ledger does not sum to, with what the ledger says.
        "stock_vs_ledger": """
            SELECT st.sku_id, st.warehouse_id, st.on_hand, st.reserved, st.damaged,
                   COALESCE(l.on_hand, 0), COALESCE(l.reserved, 0), COALESCE(last.on_hand_after, 0),
                   COALESCE(last.reserved_after, 0)
            FROM stock st
            LEFT JOIN (SELECT sku_id, warehouse_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
                       FROM stock_ledger GROUP BY sku_id, warehouse_id) l USING (sku_id, warehouse_id)
            LEFT JOIN LATERAL (SELECT on_hand_after, reserved_after FROM stock_ledger sl
                               WHERE sl.sku_id = st.sku_id AND sl.warehouse_id = st.warehouse_id
                               ORDER BY entry_id DESC LIMIT 1) last ON true
            WHERE st.reserved < 0 OR st.on_hand < st.reserved OR st.damaged < 0
               OR st.on_hand <> COALESCE(l.on_hand, 0) OR st.reserved <> COALESCE(l.reserved, 0)
               OR st.on_hand <> COALESCE(last.on_hand_after, 0) OR st.reserved <> COALESCE(last.reserved_after, 0)""",
        "stock_rows": "SELECT count(*) FROM stock",
        # Reserved stock is exactly what HELD reservations hold there (available = on hand - reserved).
        "reserved_vs_holds": """
            SELECT st.sku_id, st.warehouse_id, st.reserved, COALESCE(h.held, 0)
            FROM stock st
            LEFT JOIN (SELECT a.sku_id, a.warehouse_id, sum(a.quantity) AS held
                       FROM reservation_allocations a JOIN reservations r USING (order_id)
                       WHERE r.status = 'HELD' GROUP BY a.sku_id, a.warehouse_id) h USING (sku_id, warehouse_id)
            WHERE st.reserved <> COALESCE(h.held, 0)""",
        "reservations": "SELECT order_id, status FROM reservations",
        "returned_stock": "SELECT return_id, sku_id, quantity FROM returned_stock",
        "outbox": "SELECT id, stream, type, key, published_at IS NOT NULL FROM outbox",
    },
    "order": {
        "orders": """
            SELECT order_id, user_id, request_id, status, total, coupon_id, points_used, holds_released,
                   paid_effects_applied, channel, extract(epoch FROM clock_timestamp() - status_changed_at)::bigint
            FROM orders""",
        "payments": "SELECT order_id, amount FROM payments",
        "attempts": "SELECT order_id, attempt_no, status, amount FROM payment_attempts",
        "returns": """
            SELECT return_id, order_id, status, refund_amount, points_refund, user_id, request_id FROM order_returns""",
        "imports": "SELECT channel, external_order_id, order_id FROM order_imports",
        "outbox": "SELECT id, stream, type, key, published_at IS NOT NULL FROM outbox",
    },
    "marketing": {
        "templates": """
            SELECT template_id, total_quantity, per_user_limit, claimed_quantity,
                   COALESCE(budget_remaining_minor::text, '') FROM coupon_templates""",
        "coupons": "SELECT coupon_id, template_id, user_id, claim_seq, status, order_id FROM coupons",
        "promotions": "SELECT promotion_id, COALESCE(budget_remaining_minor::text, '') FROM promotions",
        "budgets": "SELECT order_id, state FROM order_budgets",
        "budget_charges": "SELECT order_id, owner_kind, owner_id, amount_minor FROM order_budget_charges",
        "flash_sales": "SELECT sale_id, quantity, per_user_limit, sold_quantity, status FROM flash_sales",
        "flash_purchases": "SELECT purchase_id, sale_id, user_id, order_id, status FROM flash_purchases",
        "outbox": "SELECT id, stream, type, key, published_at IS NOT NULL FROM outbox",
    },
    "user": {
        "points": """
            SELECT a.user_id, a.balance, COALESCE(l.total, 0), COALESCE(lots.remaining, 0), COALESCE(last.after, 0),
                   COALESCE(l.negative, 0)
            FROM points_accounts a
            LEFT JOIN (SELECT user_id, sum(delta) AS total, count(*) FILTER (WHERE balance_after < 0) AS negative
                       FROM points_ledger GROUP BY user_id) l USING (user_id)
            LEFT JOIN (SELECT user_id, sum(remaining) AS remaining FROM points_lots GROUP BY user_id) lots
              USING (user_id)
            LEFT JOIN LATERAL (SELECT balance_after AS after FROM points_ledger pl WHERE pl.user_id = a.user_id
                               ORDER BY seq DESC LIMIT 1) last ON true
            WHERE a.balance < 0 OR a.balance <> COALESCE(l.total, 0) OR a.balance <> COALESCE(lots.remaining, 0)
               OR a.balance <> COALESCE(last.after, 0) OR COALESCE(l.negative, 0) > 0""",
        "points_accounts": "SELECT count(*) FROM points_accounts",
        "ledger_without_account": """
            SELECT DISTINCT l.user_id FROM points_ledger l
            WHERE NOT EXISTS (SELECT 1 FROM points_accounts a WHERE a.user_id = l.user_id)""",
        "holds": "SELECT order_id, user_id, points, returned, status FROM points_holds",
        "outbox": "SELECT id, stream, type, key, published_at IS NOT NULL FROM outbox",
    },
    "datahub": {
        "inbox": "SELECT consumer_group, event_id FROM inbox",
        "domain_events": "SELECT event_id, stream, type FROM domain_events",
        "order_facts": """
            SELECT order_id, placed_at IS NOT NULL, total_minor, paid_at IS NOT NULL, paid_minor,
                   cancelled_at IS NOT NULL FROM order_facts""",
    },
}


class Unavailable(Exception):
    pass


def service_dsn(service, base, db_format="{service}"):
    own = os.environ.get(f"ZT_{service.upper()}_PG_DSN")
    if own and db_format == "{service}":
        return own
    if not base:
        raise Unavailable(f"no DSN for {service}: pass --pg-dsn or set ZT_{service.upper()}_PG_DSN")
    # postgresql://user@host:port/db?params -> .../service?params
    m = re.match(r"^(postgres(?:ql)?://[^/]*)(?:/[^?]*)?(\?.*)?$", base)
    if not m:
        raise Unavailable(f"cannot read the DSN {base!r}")
    return m.group(1) + "/" + db_format.format(service=service) + (m.group(2) or "")


def read_service(service, dsn):
    """Every query of the service in one snapshot: {name: [row tuple of str]}."""
    script = ["\\set ON_ERROR_STOP 1", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
    for name, sql in QUERIES[service].items():
        script.append(f"\\echo @@{name}")
        script.append(" ".join(sql.split()) + ";")
    script.append("COMMIT;")
    run = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", SEP, dsn], input="\n".join(script),
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise Unavailable(f"reading {service}: {run.stderr.strip()[:500]}")
    out, current = {}, None
    for line in run.stdout.split("\n"):
        if line.startswith("@@"):
            current = line[2:]
            out[current] = []
        elif current is not None and line != "":
            out[current].append(tuple(line.split(SEP)))
    return out


class Report:
    def __init__(self):
        self.results = []  # (name, ok, checked, offending rows)

    def check(self, name, offending, checked):
        self.results.append((name, not offending, checked, offending))

    @property
    def ok(self):
        return all(ok for _, ok, _, _ in self.results)

    def failing(self):
        return [name for name, ok, _, _ in self.results if not ok]

    def print(self, stream=sys.stdout):
        for name, ok, checked, offending in self.results:
            print(f"{'PASS' if ok else 'FAIL'} {name} ({checked} checked"
                  f"{'' if ok else f', {len(offending)} offending'})", file=stream)
            for row in offending[:SAMPLE]:
                print(f"     {row}", file=stream)
            if len(offending) > SAMPLE:
                print(f"     ... and {len(offending) - SAMPLE} more", file=stream)


def to_bool(v):
    return v == "t"


def check_all(data, provider=None):
    r = Report()
    p, o, m, u, d = (data[s] for s in SERVICES)
    stock_rows = int(p["stock_rows"][0][0])

    # --- stock conservation ---
    r.check("stock: 0 <= reserved <= on hand, damaged >= 0, ledger sums and last entry equal the levels",
            [dict(zip(["sku", "warehouse", "on_hand", "reserved", "damaged", "ledger_on_hand", "ledger_reserved",
                       "last_on_hand_after", "last_reserved_after"], row)) for row in p["stock_vs_ledger"]],
            stock_rows)
    r.check("stock: reserved = units held by HELD reservations (so available + reserved = on hand)",
            [dict(zip(["sku", "warehouse", "reserved", "held"], row)) for row in p["reserved_vs_holds"]], stock_rows)

    # --- orders: one per request id, one charge, refunds within the payment ---
    orders = {row[0]: dict(zip(["order_id", "user_id", "request_id", "status", "total", "coupon_id", "points_used",
                                "holds_released", "paid_effects_applied", "channel", "age"], row))
              for row in o["orders"]}
    for order in orders.values():
        for k in ("total", "points_used", "age"):
            order[k] = int(order[k])
        for k in ("holds_released", "paid_effects_applied"):
            order[k] = to_bool(order[k])
    per_request = Counter((x["user_id"], x["request_id"]) for x in orders.values())
    r.check("orders: each (buyer, request id) at most one order",
            [{"user": k[0], "request_id": k[1], "orders": n} for k, n in per_request.items() if n > 1], len(orders))
    per_import = Counter((c, e) for c, e, _ in o["imports"])
    r.check("orders: each marketplace order imported at most once",
            [{"channel": k[0], "external": k[1], "imports": n} for k, n in per_import.items() if n > 1],
            len(o["imports"]))

    payments = {oid: int(amount) for oid, amount in o["payments"]}
    succeeded = defaultdict(list)
    for oid, no, status, amount in o["attempts"]:
        if status == "SUCCEEDED":
            succeeded[oid].append((int(no), int(amount)))
    r.check("payments: at most one successful (kept) charge per order; a second one is REFUND_DUE/REFUNDED",
            [{"order": k, "succeeded_attempts": v} for k, v in succeeded.items() if len(v) > 1], len(orders))
    bad_payment = []
    for oid, amount in payments.items():
        order = orders.get(oid)
        if order is None:
            bad_payment.append({"order": oid, "problem": "payment of an unknown order"})
        elif order["status"] not in PAID_STATES:
            bad_payment.append({"order": oid, "status": order["status"], "problem": "paid but not in a paid state"})
        elif amount != order["total"]:
            bad_payment.append({"order": oid, "paid": amount, "total": order["total"], "problem": "amount"})
        elif oid in succeeded and all(a != amount for _, a in succeeded[oid]):
            bad_payment.append({"order": oid, "paid": amount, "attempts": succeeded[oid], "problem": "attempt amount"})
    for oid, order in orders.items():
        if order["status"] in PAID_STATES and oid not in payments:
            bad_payment.append({"order": oid, "status": order["status"], "problem": "paid state without a payment"})
    r.check("payments: a payment exactly for each paid order, of its total", bad_payment, len(orders))

    refunds = defaultdict(lambda: [0, 0, 0, []])  # order -> refunded money, promised money, points, ids
    for rid, oid, status, amount, points, _, _ in o["returns"]:
        if status == "REJECTED":
            continue
        entry = refunds[oid]
        entry[1] += int(amount)
        entry[2] += int(points)
        entry[3].append(rid)
        if status == "REFUNDED":
            entry[0] += int(amount)
    over = []
    for oid, (refunded, promised, points, ids) in refunds.items():
        paid = payments.get(oid, 0)
        order = orders.get(oid, {"points_used": 0})
        if promised > paid or points > order["points_used"]:
            over.append({"order": oid, "paid": paid, "refunded": refunded, "asked_not_rejected": promised,
                         "points_refund": points, "points_used": order["points_used"], "returns": ids})
    r.check("refunds: never above what was paid (money and points), counting every return not rejected", over,
            len(refunds))
    per_return_request = Counter((x[5], x[6]) for x in o["returns"])
    r.check("returns: each (buyer, request id) at most one return",
            [{"user": k[0], "request_id": k[1], "returns": n} for k, n in per_return_request.items() if n > 1],
            len(o["returns"]))

    # --- every accepted order in a final or correct state (across order, product, marketing, user) ---
    reservations = dict(p["reservations"])
    holds = {row[0]: row for row in u["holds"]}
    coupons = {row[0]: dict(zip(["coupon_id", "template_id", "user_id", "claim_seq", "status", "order_id"], row))
               for row in m["coupons"]}
    stuck = []
    for oid, order in orders.items():
        status = order["status"]
        flash = order["channel"] == "flash_sale"
        problem = None
        if status in ("CREATING", "PAYING"):
            problem = "saga or payment still in flight"
        elif status in ("CANCELLED", "FAILED"):
            if not order["holds_released"]:
                problem = "holds not released"
            elif not flash and reservations.get(oid) == "HELD":
                problem = "cancelled but its stock is still HELD"
            elif order["coupon_id"] and coupons.get(order["coupon_id"], {}).get("order_id") == oid \
                    and coupons[order["coupon_id"]]["status"] in ("LOCKED", "USED"):
                problem = "cancelled but its coupon is still " + coupons[order["coupon_id"]]["status"]
            elif oid in holds and holds[oid][4] == "held":
                problem = "cancelled but its points are still held"
        elif status in PAID_STATES:
            if not order["paid_effects_applied"]:
                problem = "paid effects not applied"
            elif not flash and reservations.get(oid) not in ("CONFIRMED", None):
                problem = f"paid but its reservation is {reservations.get(oid)}"
            elif not flash and oid not in reservations:
                problem = "paid but the product center has no reservation"
            elif status != "CLOSED" and order["coupon_id"] and \
                    coupons.get(order["coupon_id"], {}).get("status") != "USED":
                problem = f"paid but its coupon is {coupons.get(order['coupon_id'], {}).get('status')}"
            elif status != "CLOSED" and order["points_used"] > 0 and \
                    (oid not in holds or holds[oid][4] != "committed"):
                problem = "paid but its points hold is " + (holds[oid][4] if oid in holds else "missing")
        if problem:
            stuck.append({"order": oid, "status": status, "problem": problem, "for_s": order["age"]})
    r.check("orders: every order final (paid and settled, or cancelled with its holds given back) or waiting "
            "for payment", stuck, len(orders))
    orphan_holds = [{"reservation": k, "status": v} for k, v in reservations.items()
                    if v == "HELD" and not k.startswith("s_") and k in orders
                    and orders[k]["status"] not in ("CREATING", "PENDING_PAYMENT", "PAYING")]
    r.check("stock: no reservation HELD for an order that no longer waits for payment", orphan_holds,
            len(reservations))

    # --- coupons ---
    templates = {row[0]: dict(zip(["template_id", "total", "per_user", "claimed", "budget"], row))
                 for row in m["templates"]}
    per_template = Counter(c["template_id"] for c in coupons.values())
    per_user = Counter((c["template_id"], c["user_id"]) for c in coupons.values())
    over_caps = []
    for tid, t in templates.items():
        total, per_user_limit, claimed = int(t["total"]), int(t["per_user"]), int(t["claimed"])
        if not per_template[tid] <= claimed <= total:
            over_caps.append({"template": tid, "coupons": per_template[tid], "claimed": claimed, "total": total})
        if t["budget"] and int(t["budget"]) < 0:
            over_caps.append({"template": tid, "budget_remaining": t["budget"]})
    for (tid, uid), n in per_user.items():
        if tid in templates and n > int(templates[tid]["per_user"]):
            over_caps.append({"template": tid, "user": uid, "coupons": n,
                              "per_user_limit": templates[tid]["per_user"]})
    for c in coupons.values():
        if c["template_id"] in templates and int(c["claim_seq"]) > int(templates[c["template_id"]]["per_user"]):
            over_caps.append({"coupon": c["coupon_id"], "claim_seq": c["claim_seq"]})
    r.check("coupons: a template never over its total or per-user cap (coupons <= claimed <= total)", over_caps,
            len(templates))
    used_by = defaultdict(list)  # coupon -> paid orders that used it
    for oid, order in orders.items():
        # A fully refunded (CLOSED) order gave its coupon back, which may be used again.
        if order["coupon_id"] and order["status"] in PAID_STATES - {"CLOSED"}:
            used_by[order["coupon_id"]].append(oid)
    twice = [{"coupon": cid, "paid_orders": oids} for cid, oids in used_by.items() if len(oids) > 1]
    for cid, oids in used_by.items():
        c = coupons.get(cid)
        if len(oids) == 1 and c is not None and (c["status"] != "USED" or c["order_id"] != oids[0]):
            twice.append({"coupon": cid, "paid_order": oids[0], "coupon_status": c["status"],
                          "coupon_order": c["order_id"]})
    per_order = Counter(c["order_id"] for c in coupons.values() if c["order_id"])
    twice += [{"order": k, "coupons": n} for k, n in per_order.items() if n > 1]
    r.check("coupons: each coupon redeemed at most once, by the paid order that names it", twice, len(coupons))

    # --- points ---
    r.check("points: balance = ledger sum = lots remaining = last balance_after, never negative",
            [dict(zip(["user", "balance", "ledger_sum", "lots_remaining", "last_balance_after", "negative_entries"],
                      row)) for row in u["points"]] + [{"user": row[0], "problem": "ledger without an account"}
                                                       for row in u["ledger_without_account"]],
            int(u["points_accounts"][0][0]))
    bad_holds = []
    for oid, _, points, returned, status in u["holds"]:
        if int(returned) > int(points) or int(points) <= 0:
            bad_holds.append({"order": oid, "points": points, "returned": returned})
    r.check("points: a hold never gives back more than it took", bad_holds, len(u["holds"]))

    # --- flash sales ---
    sales = {row[0]: dict(zip(["sale_id", "quantity", "per_user", "sold", "status"], row)) for row in m["flash_sales"]}
    purchases = [dict(zip(["purchase_id", "sale_id", "user_id", "order_id", "status"], row))
                 for row in m["flash_purchases"]]
    winners = Counter(x["sale_id"] for x in purchases if x["status"] != "RELEASED")
    paid_winners = Counter(x["sale_id"] for x in purchases if x["status"] == "PAID")
    per_buyer = Counter((x["sale_id"], x["user_id"]) for x in purchases if x["status"] != "RELEASED")
    flash = []
    for sid, s in sales.items():
        q = int(s["quantity"])
        if winners[sid] > q or int(s["sold"]) > q:
            flash.append({"sale": sid, "quantity": q, "winners": winners[sid], "sold": s["sold"]})
        if s["status"] == "SETTLED" and int(s["sold"]) != paid_winners[sid]:
            flash.append({"sale": sid, "sold": s["sold"], "paid_purchases": paid_winners[sid]})
    for (sid, uid), n in per_buyer.items():
        if sid in sales and n > int(sales[sid]["per_user"]):
            flash.append({"sale": sid, "user": uid, "purchases": n, "per_user_limit": sales[sid]["per_user"]})
    flash_orders = [x for x in orders.values() if x["channel"] == "flash_sale"]
    by_order = {x["order_id"]: x for x in purchases}
    for x in purchases:
        order = orders.get(x["order_id"])
        want = {"PENDING": None, "ORDERED": None, "PAID": PAID_STATES, "RELEASED": None}[x["status"]]
        if x["status"] != "RELEASED" and order is None:  # a win told to its buyer becomes an order
            flash.append({"purchase": x["purchase_id"], "status": x["status"], "problem": "no order"})
        elif want and order["status"] not in want:
            flash.append({"purchase": x["purchase_id"], "status": x["status"], "order_status": order["status"]})
        elif x["status"] == "RELEASED" and order is not None and order["status"] in PAID_STATES:
            flash.append({"purchase": x["purchase_id"], "problem": "released but its order is paid"})
    for order in flash_orders:
        x = by_order.get(order["order_id"])
        if x is None:
            flash.append({"order": order["order_id"], "problem": "flash order without a purchase"})
        elif order["status"] in PAID_STATES and x["status"] != "PAID":
            flash.append({"order": order["order_id"], "purchase_status": x["status"], "problem": "paid, purchase not"})
        elif order["status"] in ("CANCELLED", "FAILED") and x["status"] != "RELEASED":
            flash.append({"order": order["order_id"], "purchase_status": x["status"],
                          "problem": "cancelled, unit not given back"})
    r.check("flash sales: winners = orders <= quantity, per-user cap, purchase and order agree", flash, len(sales))

    # --- promotion and coupon budgets ---
    budgets = dict(m["budgets"])
    budget = []
    for pid, remaining in m["promotions"]:
        if remaining and int(remaining) < 0:
            budget.append({"promotion": pid, "budget_remaining": remaining})
    charged = defaultdict(int)
    for oid, kind, owner, amount in m["budget_charges"]:
        if budgets.get(oid) == "CHARGED":
            charged[(kind, owner)] += int(amount)
        if oid not in budgets:
            budget.append({"order": oid, "problem": "charge without an order_budgets row"})
    for oid, state in budgets.items():
        order = orders.get(oid)
        if order is None:
            # The order saga charges before the order row commits only within one saga step; a charged budget of an
            # order the order center never made is spend without a sale.
            if state == "CHARGED":
                budget.append({"order": oid, "state": state, "problem": "charged for an order that does not exist"})
        elif state == "CHARGED" and order["status"] in ("CANCELLED", "FAILED"):
            budget.append({"order": oid, "state": state, "order_status": order["status"],
                           "problem": "spend of a cancelled order not given back"})
    r.check("budgets: promotion and coupon spend within budget (remaining >= 0), spend only for live orders",
            budget, len(budgets))

    # --- events: every committed event published and counted once by the data hub ---
    inbox = defaultdict(set)
    for group, eid in d["inbox"]:
        inbox[group].add(eid)
    outbox = []
    for service in ("product", "order", "marketing", "user"):
        outbox += [(service,) + row for row in data[service]["outbox"]]
    unpublished = [{"service": s, "event": i, "type": t} for s, i, _, t, _, pub in outbox if not to_bool(pub)]
    r.check("events: every committed outbox event published", unpublished, len(outbox))
    missing = []
    checked = 0
    for service, eid, stream, etype, key, _ in outbox:
        group = DATAHUB_GROUPS.get(stream)
        if group is None:
            continue
        checked += 1
        if eid not in inbox[group]:
            missing.append({"event": eid, "stream": stream, "type": etype, "key": key})
    r.check("events: every event of the order, marketing, product and user streams handled by the data hub",
            missing, checked)
    outbox_ids = {row[1]: row for row in outbox}
    events_seen = Counter(eid for eid, _, _ in d["domain_events"])
    phantom = [{"event": eid, "stream": stream, "type": etype} for eid, stream, etype in d["domain_events"]
               if eid not in outbox_ids and outbox_ids]
    phantom += [{"event": eid, "count": n} for eid, n in events_seen.items() if n > 1]
    r.check("events: the data hub's domain events are committed events, each counted once", phantom,
            len(d["domain_events"]))
    facts = {row[0]: row for row in d["order_facts"]}
    fact_problems = []
    placed = {key for _, _, stream, etype, key, _ in outbox if etype == "zhongtai.order.v1.OrderPlaced"}
    paid = {key for _, _, stream, etype, key, _ in outbox if etype == "zhongtai.order.v1.OrderPaid"}
    for oid in placed:
        f = facts.get(oid)
        if f is None or not to_bool(f[1]):
            fact_problems.append({"order": oid, "problem": "OrderPlaced not in order_facts"})
        elif oid in orders and int(f[2]) != orders[oid]["total"]:
            fact_problems.append({"order": oid, "fact_total": f[2], "order_total": orders[oid]["total"]})
    for oid in paid:
        f = facts.get(oid)
        if f is None or not to_bool(f[3]):
            fact_problems.append({"order": oid, "problem": "OrderPaid not in order_facts"})
        elif oid in payments and int(f[4]) != payments[oid]:
            fact_problems.append({"order": oid, "fact_paid": f[4], "paid": payments[oid],
                                  "problem": "paid amount counted differently"})
    r.check("events: the data hub's order facts count each placed and paid order once, with its amounts",
            fact_problems, len(placed) + len(paid))

    if provider:
        check_provider(r, provider, orders, payments, o["attempts"], refunds)
    return r


def check_provider(r, provider, orders, payments, attempts, refunds):
    """The provider's record of every order that ever started a payment against the order center's."""
    asked = sorted({row[0] for row in attempts})
    problems = []
    for oid in asked:
        try:
            with urllib.request.urlopen(f"{provider}/v1/payments/{oid}", timeout=10) as response:
                pay = json.loads(response.read())["payment"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                continue  # the attempt never reached the provider: nothing was charged
            problems.append({"order": oid, "provider_status": error.code})
            continue
        except (urllib.error.URLError, OSError) as error:
            raise Unavailable(f"payment provider {provider}: {error}")
        status = pay.get("status")
        amount, refunded = int(pay.get("amountMinor", 0)), int(pay.get("refundedMinor", 0))
        order = orders.get(oid, {})
        if refunded > amount:
            problems.append({"order": oid, "provider_amount": amount, "provider_refunded": refunded})
        if status == "SUCCEEDED":
            kept = amount - refunded
            if oid in payments:
                if payments[oid] != amount:
                    problems.append({"order": oid, "provider_amount": amount, "order_paid": payments[oid]})
                if refunded > 0 and refunded < amount and refunds.get(oid, [0])[0] != refunded:
                    problems.append({"order": oid, "provider_refunded": refunded,
                                     "order_refunded": refunds.get(oid, [0])[0]})
            elif kept > 0 and order.get("status") not in ("PAYING",):
                # Money taken for an order the order center does not count as paid, and not given back.
                problems.append({"order": oid, "order_status": order.get("status"), "provider_amount": amount,
                                 "provider_refunded": refunded, "problem": "charged, not paid, not refunded"})
        elif oid in payments:
            problems.append({"order": oid, "provider_status": status, "problem": "order paid, provider says no"})
    r.check("payments: the provider's record agrees (charged once, refunds <= charge, paid iff charged)", problems,
            len(asked))


def read_all(base, db_format="{service}"):
    return {service: read_service(service, service_dsn(service, base, db_format)) for service in SERVICES}


def stack_dsn(path):
    with open(path) as f:
        for line in f:
            m = re.match(r"export ZT_STACK_PG_DSN=(.*)", line.strip())
            if m:
                return m.group(1)
    raise Unavailable(f"{path} has no ZT_STACK_PG_DSN")


def run(base, settle=0.0, provider=None, log=sys.stderr, db_format="{service}"):
    """Checks until every invariant holds or `settle` seconds have passed; returns (report, attempts, seconds)."""
    start = time.time()
    attempts = 0
    while True:
        attempts += 1
        report = check_all(read_all(base, db_format), provider)
        elapsed = time.time() - start
        if report.ok or elapsed >= settle:
            return report, attempts, elapsed
        if log:
            waiting = [f"{name} ({len(rows)}: {rows[0]})" for name, ok, _, rows in report.results if not ok]
            print(f"[{elapsed:5.1f}s] not yet: {'; '.join(waiting)}", file=log)
        time.sleep(min(1.0, max(0.0, settle - elapsed)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-dsn", help="a DSN of the suite's PostgreSQL (its database part is replaced)")
    parser.add_argument("--stack-env", help="deploy/stack.sh's STATE/stack.env (its ZT_STACK_PG_DSN)")
    parser.add_argument("--settle", type=float, default=0.0, help="retry for this many seconds until all hold")
    parser.add_argument("--provider", help="the payment simulator's base URL, to compare payments with it")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--db-format", default="{service}", help="database name of a service (default {service})")
    args = parser.parse_args()
    try:
        base = args.pg_dsn or (stack_dsn(args.stack_env) if args.stack_env else os.environ.get("ZT_STACK_PG_DSN"))
        report, attempts, elapsed = run(base, args.settle, args.provider, db_format=args.db_format)
    except (Unavailable, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"ok": report.ok, "attempts": attempts, "seconds": round(elapsed, 2),
                          "invariants": [{"name": n, "ok": ok, "checked": c, "offending": rows}
                                         for n, ok, c, rows in report.results]}, indent=1, default=str))
    else:
        report.print()
        print(f"{'all invariants hold' if report.ok else 'VIOLATED: ' + '; '.join(report.failing())} "
              f"({len(report.results)} invariants, {attempts} reads, {elapsed:.1f}s)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
