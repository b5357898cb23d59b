#!/usr/bin/env python3
"""Monitoring of the running local stack (CTest e2e fixture: deploy/stack.sh started everything).

    stack_monitoring_test.py prometheus     a shopper's journey through the gateway, then through Prometheus's HTTP
                                            API: every target is up and the SLI recording rules have values
    stack_monitoring_test.py metric-names   every name the rules and deploy/grafana dashboards select is a recording
                                            rule, a Prometheus-made series (up, ALERTS) or in a real scrape
    stack_monitoring_test.py dashboards     every Grafana dashboard query runs on the stack's Prometheus without error
    stack_monitoring_test.py catalogue      docs/metrics.md lists every metric family the stack exposes

Reads the stack's addresses from the file named by ZT_E2E_STACK_ENV (STATE_DIR/stack.env); fails when it is unset.
"""
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import check_dashboards  # tests/ops/check_dashboards.py: the PromQL lexer and the dashboard walker
from check_dashboards import SYNTHETIC, metric_names, selector_labels

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ["product", "order", "marketing", "user", "datahub", "gateway"]
JOURNEYS = ["browse", "place_order", "pay"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def stack_env():
    path = os.environ.get("ZT_E2E_STACK_ENV")
    if not path or not os.path.isfile(path):
        fail("ZT_E2E_STACK_ENV must name the stack.env written by deploy/stack.sh start")
    env = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"export (\w+)=(.*)", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    return env


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Gateway:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, token=None, key=None, want=200):
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        if key:
            headers["Idempotency-Key"] = key
        status, raw = http(method, self.base + path, body, headers)
        if status != want:
            fail(f"{method} {path}: {status} {raw[:300]!r}, wanted {want}")
        return json.loads(raw or b"{}")

    def login(self, login, password):
        return self.call("POST", "/v1/sessions", {"login": login, "password": password})["tokens"]["accessToken"]


def product_and_shopper(env, prefix, stock, price_minor):
    """As the admin, a new category and a one-SKU product with `stock`; a newly registered shopper.
    Returns (gateway, tag, product, shopper's access token)."""
    gw = Gateway(env["ZT_STACK_GATEWAY"])
    admin = gw.login(env["ZT_STACK_ADMIN_LOGIN"], env["ZT_STACK_ADMIN_PASSWORD"])
    tag = uuid.uuid4().hex[:10]
    category = gw.call("POST", "/v1/admin/categories", {"name": f"{prefix}-{tag}"}, admin,
                       key=f"{prefix}-category-{tag}")["category"]["categoryId"]
    product = gw.call("POST", "/v1/admin/products", {
        "title": f"{prefix} tea {tag}", "categoryId": category,
        "skus": [{"skuCode": f"{prefix.upper()}-{tag}", "spec": "250g",
                  "price": {"currency": "CNY", "amountMinor": str(price_minor)}, "initialStock": str(stock)}]},
        admin, key=f"{prefix}-product-{tag}")["product"]
    gw.call("POST", f"/v1/admin/products/{product['productId']}:publish", {}, admin)  # drafts are not for sale
    email = f"{prefix}-{tag}@example.com"
    gw.call("POST", "/v1/users", {"email": email, "password": "s3cret-pass", "nickname": prefix})
    return gw, tag, product, gw.login(email, "s3cret-pass")


def shopper_address(gw, token, key):
    """Adds a shipping address to the shopper's address book; returns its id (an order needs one)."""
    return gw.call("POST", "/v1/users/me/addresses", {"address": {
        "recipientName": "Li Lei", "recipientPhone": "13800000000", "provinceCode": "440000", "cityCode": "440300",
        "districtCode": "440305", "detail": "Keyuan Rd 1"}}, token, key="address-" + key)["address"]["addressId"]


def shop(env, fail_placement=False):
    """Browse, place an order and pay, as a channel app would; plus one bad request (a 4xx, not a fault).
    fail_placement: also an order for more than the stock left, which the saga undoes (a placement failure)."""
    gw, tag, product, token = product_and_shopper(env, "ops", stock=20, price_minor=1200)
    for _ in range(3):
        gw.call("GET", "/v1/products?pageSize=5")
        gw.call("GET", "/v1/products/" + product["productId"])
    address = shopper_address(gw, token, tag)
    placed = gw.call("POST", "/v1/orders", {"channel": "app", "addressId": address,
                                            "lines": [{"skuId": product["skus"][0]["skuId"], "quantity": "1"}]},
                     token, key=f"ops-{tag}")
    gw.call("POST", "/v1/orders/" + placed["order"]["orderId"] + ":pay", {}, token, key=f"ops-pay-{tag}")
    gw.call("POST", "/v1/orders", {"lines": "three"}, token, key=f"ops-bad-{tag}", want=400)
    if fail_placement:
        status, raw = http("POST", gw.base + "/v1/orders",
                           {"channel": "web", "addressId": address,
                            "lines": [{"skuId": product["skus"][0]["skuId"], "quantity": "25"}]},
                           {"Authorization": "Bearer " + token, "Idempotency-Key": f"ops-short-{tag}"})
        if not 400 <= status < 500:
            fail(f"an order for more than the stock: {status} {raw[:300]!r}, wanted a 4xx")


def prom_query(prometheus, expr):
    status, raw = http("GET", prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    if status != 200:
        fail(f"query {expr}: {status} {raw[:300]!r}")
    return json.loads(raw)["data"]["result"]


def eventually(what, check, seconds=60):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        ok, last = check()
        if ok:
            return last
        time.sleep(1)
    fail(f"{what} within {seconds}s; last seen: {last}")


def test_prometheus(env):
    prometheus = env.get("ZT_STACK_PROMETHEUS") or fail("stack.env has no ZT_STACK_PROMETHEUS")
    shop(env)
    # The gateway creates a request counter on its first request: rate() sees traffic only from the second scrape
    # of a series on, so shop again once Prometheus has scraped the first round.
    # (This gateway's instance: the TSDB under the state dir may still hold series of an earlier run.)
    pay = 'http_server_requests_total{route="/v1/orders/{order_id}:pay",instance="%s"}' % env["ZT_STACK_GATEWAY_METRICS"]
    eventually("Prometheus has scraped the pay request", lambda: (bool(prom_query(prometheus, pay)), None))
    shop(env)

    def targets_up():
        status, raw = http("GET", prometheus + "/api/v1/targets?state=active")
        targets = json.loads(raw)["data"]["activeTargets"] if status == 200 else []
        health = {t["labels"]["job"]: t["health"] for t in targets}
        return sorted(health) == sorted(SERVICES) and all(h == "up" for h in health.values()), health
    eventually("every service and the gateway are scraped and up", targets_up)

    def rules_loaded():
        status, raw = http("GET", prometheus + "/api/v1/rules")
        groups = json.loads(raw)["data"]["groups"] if status == 200 else []
        names = {g["name"] for g in groups}
        return {"zt-sli-services", "zt-sli-journeys", "zt-slo-alerts", "zt-saturation"} <= names, names
    eventually("the rule groups are loaded", rules_loaded)

    def journeys_have_traffic():
        result = prom_query(prometheus, "journey:http_server_requests:rate5m > 0")
        seen = sorted(r["metric"].get("journey") for r in result)
        return seen == sorted(JOURNEYS), seen
    eventually("journey:http_server_requests:rate5m is positive for browse, place_order and pay", journeys_have_traffic)

    # The shopper's journey succeeded and the one bad request was a 4xx: no journey spent error budget.
    def journey_faults_zero():
        result = prom_query(prometheus, "journey:http_server_faults:ratio_rate5m")
        values = {r["metric"].get("journey"): float(r["value"][1]) for r in result}
        return sorted(values) == sorted(JOURNEYS) and all(v == 0 for v in values.values()), values
    eventually("journey:http_server_faults:ratio_rate5m is 0 for every journey", journey_faults_zero)

    def latency_recorded():
        result = prom_query(prometheus, "journey:http_server_slow:ratio_rate5m")
        values = {r["metric"].get("journey"): r["value"][1] for r in result}
        return sorted(values) == sorted(JOURNEYS), values
    eventually("journey:http_server_slow:ratio_rate5m has a value for every journey", latency_recorded)

    def services_recorded():
        result = prom_query(prometheus, "grpc_service:grpc_server_faults:ratio_rate5m")
        seen = sorted(r["metric"]["grpc_service"] for r in result)
        want = ["zhongtai.marketing.v1.MarketingService", "zhongtai.order.v1.OrderService",
                "zhongtai.product.v1.ProductService", "zhongtai.user.v1.UserService"]
        return all(s in seen for s in want), seen
    eventually("grpc_service:grpc_server_faults:ratio_rate5m has the services the journey called", services_recorded)

    firing = [a["labels"]["alertname"] for a in json.loads(http("GET", prometheus + "/api/v1/alerts")[1])["data"]["alerts"]
              if a["state"] == "firing"]
    if firing:
        fail(f"alerts fire on a healthy stack: {firing}")
    print("prometheus: targets up, rules loaded, journey and service SLIs recorded, no alerts")


def scrape_all(env):
    """{metric family name: {"type", "help", "labels", "services"}} and the set of sample names, from /metrics."""
    families, samples = {}, set()
    for service in SERVICES:
        address = env.get(f"ZT_STACK_{service.upper()}_METRICS") or fail(f"stack.env has no {service} metrics address")
        status, raw = http("GET", f"http://{address}/metrics")
        if status != 200:
            fail(f"scrape of {service} at {address}: {status}")
        helps, types = {}, {}
        for line in raw.decode().splitlines():
            if line.startswith("# HELP "):
                name, _, text = line[7:].partition(" ")
                helps[name] = text
            elif line.startswith("# TYPE "):
                name, _, kind = line[7:].partition(" ")
                types[name] = kind
            elif line and not line.startswith("#"):
                m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s", line)
                if not m:
                    continue
                samples.add(m.group(1))
                family = m.group(1)
                if family not in types:
                    family = re.sub(r"_(bucket|count|sum)$", "", family)
                entry = families.setdefault(family, {"type": types.get(family, "untyped"),
                                                     "help": helps.get(family, ""), "labels": set(),
                                                     "services": set()})
                entry["services"].add(service)
                for label in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""):
                    if label != "le":
                        entry["labels"].add(label)
    return families, samples


def rule_exprs():
    import yaml  # python3-yaml
    records, exprs = set(), []
    for path in sorted(glob.glob(os.path.join(REPO, "deploy/prometheus/rules/*.yml"))):
        with open(path) as f:
            for group in yaml.safe_load(f)["groups"]:
                for rule in group["rules"]:
                    if "record" in rule:
                        records.add(rule["record"])
                    exprs.append((f"{os.path.basename(path)}: {rule.get('record') or rule.get('alert')}", rule["expr"]))
    return records, exprs


def dashboard_exprs():
    """(where, PromQL) of every panel target (rows' nested panels included), query variable (the selector inside
    label_values(selector, label)) and annotation of every dashboard in deploy/grafana/dashboards."""
    exprs = []
    for path in check_dashboards.dashboard_files():
        with open(path) as f:
            model = json.load(f)
        exprs += [(f"{os.path.relpath(path, REPO)}: {where}", expr) for where, expr in check_dashboards.expressions(model)]
    if len(exprs) < 50:
        fail(f"found only {len(exprs)} expressions in the dashboards: the extraction is broken")
    return exprs


def test_metric_names(env):
    """Every name a rule or dashboard selects is a recording rule of deploy/prometheus/rules (names with a colon
    must be), a series Prometheus makes itself (up, ALERTS), or a sample name of a real scrape of the stack; and
    every label a matcher names (name{label="..."}) is one that metric carries in the scrape.
    Some families exist only after traffic (a route's status-code counter, placement failures, ingested events):
    shop first, with one placement that fails, then scrape until every name is there or a minute has passed."""
    records, exprs = rule_exprs()
    exprs += dashboard_exprs()
    used, matched = {}, {}
    for where, expr in exprs:
        for name in metric_names(expr):
            used.setdefault(name, []).append(where)
        for name, labels in selector_labels(expr).items():
            for label in labels:
                matched.setdefault((name, label), set()).add(where)
    if len(used) < 20:
        fail(f"found only {len(used)} names in {len(exprs)} expressions: the parser is broken")

    not_recorded = sorted(n for n in used if ":" in n and n not in records)
    scraped = sorted(n for n in used if n not in records and n not in SYNTHETIC and ":" not in n)
    shop(env, fail_placement=True)

    def all_scraped():
        families, samples = scrape_all(env)
        missing = [n for n in scraped if n not in samples]
        return not missing, (missing, families)
    deadline = time.time() + 60
    ok, (missing, families) = all_scraped()
    while not ok and time.time() < deadline:
        time.sleep(2)
        ok, (missing, families) = all_scraped()

    def labels_of(sample):
        """Label names a sample name carries: its family's, le on _bucket, and the target labels Prometheus adds."""
        family = sample if sample in families else re.sub(r"_(bucket|count|sum)$", "", sample)
        extra = {"le"} if sample.endswith("_bucket") else set()
        return families.get(family, {}).get("labels", set()) | extra | {"job", "instance"}
    wrong_labels = sorted(f"{name} has no label {label} (used by {', '.join(sorted(where))})"
                          for (name, label), where in matched.items()
                          if name in scraped and name not in missing and label not in labels_of(name))

    problems = [f"{name} is not a recording rule in deploy/prometheus/rules (used by {', '.join(used[name])})"
                for name in not_recorded]
    problems += [f"{name} is not in the scrape (used by {', '.join(sorted(set(used[name])))})" for name in missing]
    problems += wrong_labels
    if problems:
        fail(f"{len(problems)} of {len(used)} names used by rules and dashboards do not exist:\n  " +
             "\n  ".join(problems))
    print(f"{len(used)} names in {len(exprs)} expressions exist: {len(scraped)} scraped, "
          f"{len([n for n in used if n in records])} recording rules, {len([n for n in used if n in SYNTHETIC])} "
          "made by Prometheus")


def test_dashboards(env):
    """Every dashboard expression, with its variables set to match everything, runs on the stack's Prometheus
    without an error (promtool only parses: vector matching and label set clashes fail at query time), and every
    variable query lists values once a shopper has been through."""
    prometheus = env.get("ZT_STACK_PROMETHEUS") or fail("stack.env has no ZT_STACK_PROMETHEUS")
    shop(env)
    pay = 'http_server_requests_total{route="/v1/orders/{order_id}:pay",instance="%s"}' % env["ZT_STACK_GATEWAY_METRICS"]
    eventually("Prometheus has scraped the pay request", lambda: (bool(prom_query(prometheus, pay)), None))
    shop(env)
    eventually("the journey recording rules have values",
               lambda: (len(prom_query(prometheus, "journey:http_server_requests:rate5m > 0")) == 3, None))
    errors, empty, count = [], [], 0
    for path in check_dashboards.dashboard_files():
        with open(path) as f:
            model = json.load(f)
        for where, expr in check_dashboards.expressions(model):
            count += 1
            query = check_dashboards.substitute_variables(expr, ".*")
            status, raw = http("GET", prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": query}))
            name = f"{os.path.basename(path)}: {where}"
            if status != 200:
                errors.append(f"{name}: {status} {raw[:200]!r}")
            elif not json.loads(raw)["data"]["result"]:
                empty.append(name)
    if count < 50:
        fail(f"found only {count} dashboard expressions")
    if errors:
        fail("dashboard queries that Prometheus rejects:\n  " + "\n  ".join(errors))
    empty_variables = [name for name in empty if ": variable " in name]
    if empty_variables:
        fail("variable queries without values after traffic: " + ", ".join(empty_variables))
    # Empty is legitimate for some panels (no 5xx yet, no alert firing, a series that appears on its first error).
    print(f"{count} dashboard expressions run; {len(empty)} without data on this stack:\n  " + "\n  ".join(empty))


def test_catalogue(env):
    families, _ = scrape_all(env)
    with open(os.path.join(REPO, "docs/metrics.md")) as f:
        documented = set(re.findall(r"^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \|", f.read(), re.M))
    undocumented = sorted(set(families) - documented)
    if undocumented:
        fail("docs/metrics.md lacks (run tests/ops/stack_monitoring_test.py catalogue-print): " + ", ".join(undocumented))
    print(f"{len(families)} metric families documented")


def print_catalogue(env):
    """Prints the catalogue table rows from a real scrape; used to write docs/metrics.md."""
    families, _ = scrape_all(env)
    for name in sorted(families):
        f = families[name]
        labels = ", ".join(f"`{l}`" for l in sorted(f["labels"])) or "-"
        where = "all" if len(f["services"]) == len(SERVICES) else ", ".join(sorted(f["services"]))
        print(f"| `{name}` | {f['type']} | {labels} | {where} | {f['help']} |")


if __name__ == "__main__":
    commands = {"prometheus": test_prometheus, "metric-names": test_metric_names, "dashboards": test_dashboards,
                "catalogue": test_catalogue,
                "catalogue-print": print_catalogue}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        fail("usage: stack_monitoring_test.py " + "|".join(commands))
    commands[sys.argv[1]](stack_env())
