#!/usr/bin/env python3
"""Seeds the demo catalogue through the gateway's admin API: categories, ~50 products with SKUs and
stock, and a 满300减40 promotion. Skips when products already exist, so running it again is harmless.
Usage: seed.py GATEWAY_URL ADMIN_LOGIN ADMIN_PASSWORD"""
import json
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

gateway, login, password = sys.argv[1:4]


def call(method, path, body=None, token=None, key=None):
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
        sys.exit(f"seed: {method} {path} -> {error.code} {error.read().decode()}")


token = call("POST", "/v1/sessions", {"login": login, "password": password})["tokens"]["accessToken"]
if call("GET", "/v1/products?pageSize=1").get("products"):
    print("seed: catalogue already present")
    sys.exit(0)

catalogue = {
    "手机数码 Phones": [("Phone", ["64GB", "128GB", "256GB"], 199900), ("Earbuds", ["white", "black"], 29900),
                        ("Power bank", ["10000mAh", "20000mAh"], 12900), ("Smart watch", ["S", "L"], 89900)],
    "服饰 Apparel": [("T-shirt", ["S", "M", "L"], 7900), ("Hoodie", ["M", "L", "XL"], 19900),
                     ("Sneakers", ["40", "42", "44"], 39900), ("Cap", ["one size"], 4900)],
    "食品 Food": [("Green tea", ["250g"], 6800), ("Mooncakes", ["box of 6"], 15800),
                  ("Dried mango", ["500g"], 3900), ("Coffee beans", ["1kg"], 12800)],
    "家居 Home": [("Desk lamp", ["warm", "cool"], 15900), ("Pillow", ["standard"], 9900),
                  ("Kettle", ["1.5L"], 18900), ("Towel set", ["blue", "grey"], 5900)],
}
products = 0
for index, (category, items) in enumerate(catalogue.items()):
    category_id = call("POST", "/v1/admin/categories", {"name": category}, token,
                       key=f"seed-category-{index}")["category"]["categoryId"]
    for edition in range(1, 5):
        for title, specs, price in items:
            if products >= 50:
                break
            name = f"{title} {edition}" if edition > 1 else title
            skus = [{"skuCode": f"SEED-{products:03d}-{i}", "spec": spec,
                     "price": {"currency": "CNY", "amountMinor": str(price + 1000 * (edition - 1))},
                     "initialStock": "100"} for i, spec in enumerate(specs)]
            created = call("POST", "/v1/admin/products", {"title": name, "description": f"Demo {name}",
                                                          "categoryId": category_id, "skus": skus},
                           token, key=f"seed-product-{products}")["product"]
            # New products are drafts; on the shelf, shoppers see them (publishing again changes nothing).
            call("POST", f"/v1/admin/products/{created['productId']}:publish", {}, token)
            products += 1

now = datetime.now(timezone.utc)
call("POST", "/v1/admin/promotions", {"promotion": {
    "name": "满300减40",
    "startTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "endTime": (now + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "thresholdReduction": {"threshold": {"currency": "CNY", "amountMinor": "30000"},
                           "reduction": {"currency": "CNY", "amountMinor": "4000"}}}},
     token, key="seed-promotion-300-40")
print(f"seed: {len(catalogue)} categories, {products} products, one 满300减40 promotion")
