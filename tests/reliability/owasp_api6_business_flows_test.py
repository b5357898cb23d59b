#!/usr/bin/env python3
"""OWASP API6 (2023), unrestricted access to sensitive business flows, through the gateway (CTest e2e fixture:
deploy/stack.sh started the suite). The rest of the Top 10 is owasp_api_test.py; this file adds the two flows the
suite caps per device and per buyer:
  coupon farming   many accounts on one device claiming one coupon template: the marketing service counts the
                   template's claims per device (the X-Zt-Device-Id header the gateway passes on) over all accounts;
                   past ZT_MARKETING_CLAIMS_PER_DEVICE (3) a claim is 400 COUPON_DEVICE_LIMIT_REACHED and the wallet
                   stays empty; another device, and a replay of a winner's claim, still work; a malformed device id is
                   400 DEVICE_ID_INVALID at the gateway
  hoarding stock   a buyer's open unpaid orders are capped (ZT_ORDER_MAX_OPEN_ORDERS; the e2e stack sets 20 because
                   its payment timeout is 4 s): one more is 400 OPEN_ORDERS_LIMIT_REACHED and holds no stock; paying or
                   cancelling one frees a place; units of one SKU per order above ZT_ORDER_MAX_QUANTITY_PER_SKU
                   (9999), on one line or several, are 400 QUANTITY_TOO_LARGE
"""
import os
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from owasp_api_test import CHECKS, FAILURES, Stack, check, reason, request  # noqa: E402
from stack_monitoring_test import shopper_address  # noqa: E402

CLAIMS_PER_DEVICE = int(os.environ.get("ZT_MARKETING_CLAIMS_PER_DEVICE", "3"))
MAX_OPEN_ORDERS = int(os.environ.get("ZT_ORDER_MAX_OPEN_ORDERS", "20"))
MAX_QUANTITY_PER_SKU = int(os.environ.get("ZT_ORDER_MAX_QUANTITY_PER_SKU", "9999"))


def rfc(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def claim(s, template_id, shopper, device, key=None):
    headers = {"Idempotency-Key": key or f"farm-{uuid.uuid4().hex}"}
    if device is not None:
        headers["X-Zt-Device-Id"] = device
    return request(s.base, "POST", f"/v1/coupons/{template_id}:claim", {}, shopper["token"], headers=headers)


def holds_template(s, shopper, template_id):
    wallet = s.call("GET", "/v1/users/me/coupons", token=shopper["token"])
    return any(c.get("couponTemplate", {}).get("templateId") == template_id for c in wallet.get("coupons", []))


def coupon_farming(s):
    now = time.time()
    template = s.call("POST", "/v1/admin/coupon-templates", {"couponTemplate": {
        "name": f"api6 farm {s.tag}", "type": "COUPON_TYPE_NO_THRESHOLD",
        "reduction": {"currency": "CNY", "amountMinor": "500"}, "scope": {"allProducts": True},
        "claimStartTime": rfc(now - 60), "claimEndTime": rfc(now + 3600), "validDaysAfterClaim": 1,
        "totalQuantity": "1000", "perUserLimit": "1"}}, s.admin, key=f"api6-farm-template-{s.tag}")["couponTemplate"]
    template_id = template["templateId"]
    device = f"farm-device-{s.tag}"
    farmers = [s.shopper(f"farm{i}") for i in range(CLAIMS_PER_DEVICE + 2)]
    first_key = f"farm-first-{s.tag}"
    outcomes = []
    for i, farmer in enumerate(farmers):
        status, out, _, _ = claim(s, template_id, farmer, device, key=first_key if i == 0 else None)
        outcomes.append((status, reason(out)))
    for i, (status, why) in enumerate(outcomes[:CLAIMS_PER_DEVICE]):
        check(status == 200, f"API6 farming: account {i} on the device: {status} {why}, want 200")
    for i, (status, why) in enumerate(outcomes[CLAIMS_PER_DEVICE:], CLAIMS_PER_DEVICE):
        check(status == 400 and why == "COUPON_DEVICE_LIMIT_REACHED",
              f"API6 farming: account {i} on a device that claimed {CLAIMS_PER_DEVICE} already: {status} {why}, "
              "want 400 COUPON_DEVICE_LIMIT_REACHED")
        check(not holds_template(s, farmers[i], template_id), f"API6 farming: refused account {i} holds the coupon")
    # The refused account on its own phone: fine. A winner's retry of its claim: the same coupon, no new count.
    status, out, _, _ = claim(s, template_id, farmers[-1], f"own-phone-{s.tag}")
    check(status == 200, f"API6 farming: an account on another device: {status} {reason(out)}")
    status, out, _, _ = claim(s, template_id, farmers[0], device, key=first_key)
    check(status == 200, f"API6 farming: a winner's replayed claim: {status} {reason(out)}")
    # A device id that is not one: refused at the door.
    status, out, _, _ = claim(s, template_id, farmers[-2], "not a device id")
    check(status == 400 and reason(out) == "DEVICE_ID_INVALID", f"API6 farming: a bad device id: {status} {reason(out)}")
    claimed = s.call("GET", "/v1/coupons", token=farmers[0]["token"])
    left = [t for t in claimed.get("couponTemplates", []) if t.get("templateId") == template_id]
    if left:
        check(int(left[0].get("claimedQuantity", "0")) == CLAIMS_PER_DEVICE + 1,
              f"API6 farming: the template counts {left[0].get('claimedQuantity')} claims, want {CLAIMS_PER_DEVICE + 1}")


def available_of(s, product_id, sku_id):
    product = s.call("GET", f"/v1/products/{product_id}")["product"]
    return int(next(x for x in product["skus"] if x["skuId"] == sku_id).get("available", "0"))


def place(s, buyer, sku, quantity=1, lines=None):
    body = {"channel": "app", "addressId": buyer["address"],
            "lines": lines or [{"skuId": sku, "quantity": str(quantity)}]}
    return request(s.base, "POST", "/v1/orders", body, buyer["token"],
                   headers={"Idempotency-Key": f"hoard-{uuid.uuid4().hex}"})


def hoarding(s):
    category = s.call("POST", "/v1/admin/categories", {"name": f"api6-{s.tag}"}, s.admin,
                      key=f"api6-cat-{s.tag}")["category"]["categoryId"]
    product = s.call("POST", "/v1/admin/products", {
        "title": f"api6 tea {s.tag}", "categoryId": category,
        "skus": [{"skuCode": f"API6-{s.tag}", "spec": "250g", "price": {"currency": "CNY", "amountMinor": "1000"},
                  "initialStock": "1000"}]}, s.admin, key=f"api6-product-{s.tag}")["product"]
    s.call("POST", f"/v1/admin/products/{product['productId']}:publish", {}, s.admin)
    sku = product["skus"][0]["skuId"]
    # The e2e stack's payment timeout is 4 s: the open orders are placed at once and the extra one right after. If
    # the timeout cancelled one meanwhile (a slow machine), the round is tried again with a new buyer.
    for attempt in range(3):
        buyer = s.shopper(f"hoarder{attempt}")
        buyer["address"] = shopper_address(s.gw, buyer["token"], f"api6-{s.tag}-{attempt}")
        results = [None] * MAX_OPEN_ORDERS

        def one(i):
            results[i] = place(s, buyer, sku)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(MAX_OPEN_ORDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        placed = [out["order"]["orderId"] for status, out, _, _ in results if status == 200]
        check(len(placed) == MAX_OPEN_ORDERS,
              f"API6 hoarding: {len(placed)} of {MAX_OPEN_ORDERS} open orders placed: "
              f"{[(st, reason(o)) for st, o, _, _ in results if st != 200]}")
        available = available_of(s, product["productId"], sku)
        status, out, _, _ = place(s, buyer, sku)
        still_open = sum(1 for oid in placed if s.call("GET", f"/v1/orders/{oid}", token=buyer["token"])
                         ["order"]["status"] == "ORDER_STATUS_PENDING_PAYMENT")
        if status == 200 and still_open < MAX_OPEN_ORDERS:
            print(f"API6 hoarding: the payment timeout cancelled an order during round {attempt}; again")
            continue
        check(status == 400 and reason(out) == "OPEN_ORDERS_LIMIT_REACHED",
              f"API6 hoarding: order {MAX_OPEN_ORDERS + 1} while {MAX_OPEN_ORDERS} are unpaid: {status} "
              f"{reason(out)}, want 400 OPEN_ORDERS_LIMIT_REACHED")
        check(available_of(s, product["productId"], sku) >= available,
              "API6 hoarding: the refused order held stock")
        # Cancelling one frees a place.
        s.call("POST", f"/v1/orders/{placed[0]}:cancel", {}, buyer["token"])
        status, out, _, _ = place(s, buyer, sku)
        check(status == 200 or reason(out) != "OPEN_ORDERS_LIMIT_REACHED",
              f"API6 hoarding: after a cancel the buyer still may not order: {status} {reason(out)}")
        break
    else:
        check(False, "API6 hoarding: the payment timeout beat every round (machine too slow?)")
    # Units of one SKU per order: on one line, and split over lines.
    status, out, _, _ = place(s, buyer, sku, quantity=MAX_QUANTITY_PER_SKU + 1)
    check(status == 400 and reason(out) == "QUANTITY_TOO_LARGE",
          f"API6 hoarding: {MAX_QUANTITY_PER_SKU + 1} units of one SKU: {status} {reason(out)}")
    half = MAX_QUANTITY_PER_SKU // 2 + 1
    status, out, _, _ = place(s, buyer, sku, lines=[{"skuId": sku, "quantity": str(half)},
                                                    {"skuId": sku, "quantity": str(half)}])
    check(status == 400 and reason(out) == "QUANTITY_TOO_LARGE",
          f"API6 hoarding: {2 * half} units of one SKU over two lines: {status} {reason(out)}")


def main():
    s = Stack()
    for name, test in (("API6 coupon farming", coupon_farming), ("API6 hoarding stock", hoarding)):
        before = len(FAILURES)
        started = time.time()
        try:
            test(s)
        except Exception as error:  # one flow's crash is its failure; the other still runs
            FAILURES.append(f"{name}: crashed: {error!r}")
            print(f"FAIL: {name}: crashed: {error!r}", file=sys.stderr)
        print(f"{'ok  ' if len(FAILURES) == before else 'FAIL'} {name} ({time.time() - started:.1f}s, "
              f"{len(FAILURES) - before} failures)")
    print(f"{CHECKS[0] - len(FAILURES)} passed, {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
