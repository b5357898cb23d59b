#!/usr/bin/env python3
"""Writes the Grafana dashboards in deploy/grafana/dashboards/*.json (Grafana 10 JSON model).

Five dashboards share one layout, one datasource variable and one set of PromQL idioms, so they are generated:
    generate_dashboards.py           rewrite dashboards/*.json
    generate_dashboards.py --check   exit 1 when a dashboard file is not what this script writes (CTest contract test)
The SLO figures (server-fault codes, error budgets, journeys, windows, burn thresholds) are read from
deploy/prometheus/generate_rules.py, so the dashboards and the alert rules cannot disagree.
Metric names and labels: docs/metrics.md. Objectives: docs/slo.md.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dashboards")


def _load_rules_module():
    path = os.path.join(HERE, "..", "prometheus", "generate_rules.py")
    spec = importlib.util.spec_from_file_location("zt_generate_rules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RULES = _load_rules_module()
FAULT_CODES = RULES.FAULT_CODES                  # gRPC codes that spend the availability budget
AVAILABILITY_BUDGET = RULES.AVAILABILITY_BUDGET  # 0.001
LATENCY_BUDGET = RULES.LATENCY_BUDGET            # 0.01
SERVICE_LATENCY_SECONDS = RULES.SERVICE_LATENCY_SECONDS
BURN_WINDOWS = [w for w in RULES.WINDOWS]        # 5m 30m 1h 6h 3d: every window the alerts look at
BURN_THRESHOLDS = sorted({b[4] for b in RULES.BURNS})  # 1, 6, 14.4

DS = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"
OUR_SERVICES = r'grpc_service=~"zhongtai\\..+"'  # our APIs, not grpc.health.v1 / reflection
TAGS = ["zhongtai"]


# ---------------------------------------------------------------------------------------------------------------
# JSON model building blocks


def target(expr, legend="", instant=False, table=False):
    t = {"datasource": DS, "editorMode": "code", "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    if table:
        t["format"] = "table"
    return t


def thresholds(steps):
    """steps: [(value or None, colour)], first value None (the base)."""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


GREEN = [(None, "green")]


def timeseries(title, targets, unit, description, *, min_=0, max_=None, steps=None, lines=False, stack=False,
               decimals=None):
    defaults = {
        "color": {"mode": "palette-classic"},
        "custom": {
            "axisCenteredZero": False, "axisColorMode": "text", "axisLabel": "", "axisPlacement": "auto",
            "barAlignment": 0, "drawStyle": "line", "fillOpacity": 25 if stack else 8, "gradientMode": "none",
            "hideFrom": {"legend": False, "tooltip": False, "viz": False}, "insertNulls": False,
            "lineInterpolation": "linear", "lineWidth": 1, "pointSize": 4, "scaleDistribution": {"type": "linear"},
            "showPoints": "never", "spanNulls": False,
            "stacking": {"group": "A", "mode": "normal" if stack else "none"},
            "thresholdsStyle": {"mode": "dashed" if lines else "off"},
        },
        "mappings": [],
        "thresholds": thresholds(steps or GREEN),
        "unit": unit,
    }
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": "timeseries", "title": title, "description": description, "datasource": DS,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"calcs": ["mean", "max", "lastNotNull"], "displayMode": "table",
                               "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
        "targets": targets,
    }


def stat(title, targets, unit, description, *, steps=None, decimals=None, graph=True):
    defaults = {"color": {"mode": "thresholds"}, "mappings": [], "thresholds": thresholds(steps or GREEN),
                "unit": unit}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": "stat", "title": title, "description": description, "datasource": DS,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"colorMode": "value", "graphMode": "area" if graph else "none", "justifyMode": "auto",
                    "orientation": "auto", "textMode": "auto",
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
        "targets": targets,
    }


def table(title, targets, description, *, hide=("Time",), rename=None, unit="short"):
    return {
        "type": "table", "title": title, "description": description, "datasource": DS,
        "fieldConfig": {"defaults": {"custom": {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False},
                                     "mappings": [], "thresholds": thresholds(GREEN), "unit": unit},
                        "overrides": []},
        "options": {"cellHeight": "sm", "footer": {"countRows": False, "fields": "", "reducer": ["sum"], "show": False},
                    "showHeader": True},
        "targets": targets,
        "transformations": [{"id": "organize", "options": {
            "excludeByName": {name: True for name in hide}, "indexByName": {}, "renameByName": rename or {}}}],
    }


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


class Dashboard:
    """Places panels left to right in rows of 24 grid units; a row header starts a new line."""

    def __init__(self, uid, title, description, variables, annotations=()):
        self.uid, self.title, self.description = uid, title, description
        self.variables = variables
        self.annotations = list(annotations)
        self.panels = []
        self.x = self.y = 0
        self.line_height = 0
        self.next_id = 1

    def _newline(self):
        self.y += self.line_height
        self.x = 0
        self.line_height = 0

    def row(self, title):
        self._newline()
        panel = row(title)
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": self.y}
        self.panels.append(panel)
        self.y += 1

    def add(self, panel, w, h):
        if self.x + w > 24:
            self._newline()
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        for i, t in enumerate(panel.get("targets", [])):
            t["refId"] = chr(ord("A") + i)
        self.panels.append(panel)
        self.x += w
        self.line_height = max(self.line_height, h)

    def model(self):
        builtin = {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
                   "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
                   "type": "dashboard"}
        return {
            "annotations": {"list": [builtin] + self.annotations},
            "description": self.description,
            "editable": True,
            "fiscalYearStartMonth": 0,
            "graphTooltip": 1,
            "id": None,
            "links": [{"asDropdown": True, "icon": "external link", "includeVars": False, "keepTime": True,
                       "tags": TAGS, "targetBlank": False, "title": "Zhongtai dashboards", "tooltip": "",
                       "type": "dashboards", "url": ""}],
            "liveNow": False,
            "panels": self.panels,
            "refresh": "30s",
            "schemaVersion": 38,
            "tags": TAGS,
            "templating": {"list": [datasource_variable()] + self.variables},
            "time": {"from": "now-6h", "to": "now"},
            "timepicker": {},
            "timezone": "",
            "title": self.title,
            "uid": self.uid,
            "version": 1,
            "weekStart": "",
        }


def datasource_variable():
    return {"current": {}, "hide": 0, "includeAll": False, "label": "Data source", "multi": False,
            "name": "datasource", "options": [], "query": "prometheus", "refresh": 1, "regex": "",
            "skipUrlSync": False, "type": "datasource"}


def query_variable(name, label, query, *, multi=True):
    """A label_values(...) variable; refreshed when the time range changes, so new routes and methods appear."""
    return {"current": {}, "datasource": DS, "definition": query, "hide": 0, "includeAll": multi, "label": label,
            "multi": multi, "name": name, "options": [], "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "refresh": 2, "regex": "", "skipUrlSync": False, "sort": 1, "type": "query"}


def restarts_annotation(selector=""):
    return {"datasource": DS, "enable": True, "expr": f"changes(process_start_time_seconds{selector}[2m]) > 0",
            "iconColor": "orange", "name": "Process restarts", "step": "60s", "titleFormat": "{{job}} restarted",
            "textFormat": "{{instance}}", "useValueForTime": False}


def pct_steps(warn, bad):
    """Colours for a ratio where higher is worse."""
    return [(None, "green"), (warn, "orange"), (bad, "red")]


# ---------------------------------------------------------------------------------------------------------------
# 1. RED per service and method


def red():
    sel = f'{OUR_SERVICES},grpc_service=~"$service",grpc_method=~"$method"'
    faults = f'{sel},grpc_code=~"{FAULT_CODES}"'
    d = Dashboard(
        "zt-red", "Zhongtai / RED per service",
        "Rate, errors and duration of every gRPC service and method (server side), and of the calls the gateway "
        "and order make (client side). Errors count only server faults (docs/slo.md): "
        f"{FAULT_CODES.replace('|', ', ')}.",
        [query_variable("service", "Service", f"label_values(grpc_server_started_total{{{OUR_SERVICES}}}, grpc_service)"),
         query_variable("method", "Method",
                        'label_values(grpc_server_started_total{grpc_service=~"$service"}, grpc_method)')],
        [restarts_annotation()])

    d.row("Overview of the selected services and methods")
    d.add(stat("Requests", [target(f"sum(rate(grpc_server_started_total{{{sel}}}[{RATE}]))")], "reqps",
               "RPCs started per second."), 6, 4)
    d.add(stat("Server-fault ratio",
               [target(f"sum(rate(grpc_server_handled_total{{{faults}}}[{RATE}])) / "
                       f"sum(rate(grpc_server_handled_total{{{sel}}}[{RATE}]))")],
               "percentunit", "Share of answers with a server-fault code. The objective allows 0.1%.",
               steps=pct_steps(AVAILABILITY_BUDGET, 10 * AVAILABILITY_BUDGET), decimals=3), 6, 4)
    d.add(stat("p99 duration",
               [target(f"histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{{{sel}}}[{RATE}])))")],
               "s", "99th percentile of server handling time.",
               steps=[(None, "green"), (0.25, "orange"), (float(SERVICE_LATENCY_SECONDS), "red")]), 6, 4)
    d.add(stat("Shed (ResourceExhausted)",
               [target(f'sum(rate(grpc_server_handled_total{{{sel},grpc_code="ResourceExhausted"}}[{RATE}]))')],
               "reqps", "Answers refused with RESOURCE_EXHAUSTED (worker queue full, DB pool exhausted, rate limits). "
               "Not a server fault for the SLO; see the saturation dashboard.",
               steps=[(None, "green"), (0.01, "orange")]), 6, 4)

    d.row("Rate")
    d.add(timeseries("Requests by service",
                     [target(f"sum by (grpc_service) (rate(grpc_server_started_total{{{sel}}}[{RATE}]))",
                             "{{grpc_service}}")],
                     "reqps", "RPCs started per second, by service."), 12, 8)
    d.add(timeseries("Requests by method",
                     [target(f"sum by (grpc_service, grpc_method) (rate(grpc_server_started_total{{{sel}}}[{RATE}]))",
                             "{{grpc_service}}/{{grpc_method}}")],
                     "reqps", "RPCs started per second, by service and method."), 12, 8)
    d.add(timeseries("Answers by code",
                     [target(f"sum by (grpc_code) (rate(grpc_server_handled_total{{{sel}}}[{RATE}]))", "{{grpc_code}}")],
                     "reqps", "Completed RPCs per second by gRPC status code (all codes).", stack=True), 24, 8)

    d.row("Errors (server faults only)")
    d.add(timeseries("Server-fault ratio by service and code",
                     [target(f"sum by (grpc_service, grpc_code) (rate(grpc_server_handled_total{{{faults}}}[{RATE}]))"
                             f" / ignoring (grpc_code) group_left "
                             f"sum by (grpc_service) (rate(grpc_server_handled_total{{{sel}}}[{RATE}]))",
                             "{{grpc_service}} {{grpc_code}}")],
                     "percentunit",
                     f"Answers with a server-fault code ({FAULT_CODES.replace('|', ', ')}) as a share of all answers "
                     "of the service. Client errors (InvalidArgument, NotFound, FailedPrecondition, "
                     "ResourceExhausted, ...) are not counted. Dashed line: the 0.1% objective.",
                     steps=[(None, "green"), (AVAILABILITY_BUDGET, "red")], lines=True), 12, 8)
    d.add(timeseries("Server-fault ratio by method",
                     [target(f"sum by (grpc_service, grpc_method) (rate(grpc_server_handled_total{{{faults}}}[{RATE}]))"
                             f" / sum by (grpc_service, grpc_method) (rate(grpc_server_handled_total{{{sel}}}[{RATE}]))",
                             "{{grpc_service}}/{{grpc_method}}")],
                     "percentunit", "Server-fault answers as a share of the method's answers.",
                     steps=[(None, "green"), (AVAILABILITY_BUDGET, "red")], lines=True), 12, 8)
    d.add(timeseries("Client errors by code (no error budget)",
                     [target(f'sum by (grpc_service, grpc_code) (rate(grpc_server_handled_total{{{sel},'
                             f'grpc_code!~"OK|{FAULT_CODES}"}}[{RATE}]))', "{{grpc_service}} {{grpc_code}}")],
                     "reqps", "Answers that are neither OK nor a server fault: the caller's mistake, a missing "
                     "entity, a business rule, load shedding. They spend no error budget."), 24, 7)

    d.row("Duration")
    for q, name in (("0.5", "p50"), ("0.99", "p99")):
        d.add(timeseries(f"{name} by method",
                         [target(f"histogram_quantile({q}, sum by (grpc_service, grpc_method, le) "
                                 f"(rate(grpc_server_handling_seconds_bucket{{{sel}}}[{RATE}])))",
                                 "{{grpc_service}}/{{grpc_method}}")],
                         "s", f"{int(float(q) * 100)}th percentile of server handling time, from the histogram "
                         "(buckets 5 ms to 10 s: values between bounds are interpolated).",
                         steps=[(None, "green"), (float(SERVICE_LATENCY_SECONDS), "red")], lines=True), 12, 8)
    d.add(timeseries(f"Share slower than {SERVICE_LATENCY_SECONDS} s by service",
                     [target(f'1 - sum by (grpc_service) (rate(grpc_server_handling_seconds_bucket{{{sel},'
                             f'le="{SERVICE_LATENCY_SECONDS}"}}[{RATE}])) / sum by (grpc_service) '
                             f"(rate(grpc_server_handling_seconds_count{{{sel}}}[{RATE}]))", "{{grpc_service}}")],
                     "percentunit", f"Share of RPCs that took longer than the {SERVICE_LATENCY_SECONDS} s service "
                     "latency target (docs/slo.md: dashboards only, no alert).", max_=1), 24, 7)

    client = f'grpc_service=~"$service",grpc_method=~"$method"'
    d.row("Client side: calls made by the gateway and order to the selected services")
    d.add(timeseries("Client calls by caller and callee",
                     [target(f"sum by (job, grpc_service) (rate(grpc_client_started_total{{{client}}}[{RATE}]))",
                             "{{job}} → {{grpc_service}}")],
                     "reqps", "RPCs started per second by the calling process (job) and the called service."), 8, 8)
    d.add(timeseries("Client-observed fault ratio",
                     [target(f'sum by (job, grpc_service) (rate(grpc_client_handled_total{{{client},'
                             f'grpc_code=~"{FAULT_CODES}"}}[{RATE}])) / sum by (job, grpc_service) '
                             f"(rate(grpc_client_handled_total{{{client}}}[{RATE}]))", "{{job}} → {{grpc_service}}")],
                     "percentunit", "Server-fault codes as the caller saw them; includes Unavailable and "
                     "DeadlineExceeded raised by the client itself (connection refused, deadline).",
                     steps=[(None, "green"), (AVAILABILITY_BUDGET, "red")], lines=True), 8, 8)
    d.add(timeseries("Client-observed p99",
                     [target(f"histogram_quantile(0.99, sum by (job, grpc_service, le) "
                             f"(rate(grpc_client_handling_seconds_bucket{{{client}}}[{RATE}])))",
                             "{{job}} → {{grpc_service}}")],
                     "s", "99th percentile of the round trip as the caller measured it (network and queueing "
                     "included); compare with the server-side p99."), 8, 8)
    return d


# ---------------------------------------------------------------------------------------------------------------
# 2. Gateway routes


def gateway():
    sel = 'method=~"$method",route=~"$route"'
    d = Dashboard(
        "zt-gateway", "Zhongtai / Gateway routes",
        "HTTP traffic at the gateway by route template: request rate by status class, 5xx ratio (the journey "
        "availability SLI counts every 5xx) and latency.",
        [query_variable("method", "Verb", "label_values(http_server_request_duration_seconds_count, method)"),
         query_variable("route", "Route",
                        'label_values(http_server_request_duration_seconds_count{method=~"$method"}, route)')],
        [restarts_annotation('{job="gateway"}')])
    total = f"sum(rate(http_server_requests_total{{{sel}}}[{RATE}]))"

    d.row("Overview of the selected routes")
    d.add(stat("Requests", [target(total)], "reqps", "HTTP requests answered per second."), 6, 4)
    d.add(stat("5xx ratio", [target(f'sum(rate(http_server_requests_total{{{sel},code=~"5.."}}[{RATE}])) / {total}')],
               "percentunit", "Share of answers with a 5xx status; each spends journey error budget.",
               steps=pct_steps(AVAILABILITY_BUDGET, 10 * AVAILABILITY_BUDGET), decimals=3), 6, 4)
    d.add(stat("4xx ratio", [target(f'sum(rate(http_server_requests_total{{{sel},code=~"4.."}}[{RATE}])) / {total}')],
               "percentunit", "Share of answers with a 4xx status (client errors; no error budget).",
               steps=[(None, "green"), (0.2, "orange")], decimals=2), 6, 4)
    d.add(stat("p99 duration",
               [target(f"histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{{{sel}}}[{RATE}])))")],
               "s", "99th percentile from a parsed request to its response.",
               steps=[(None, "green"), (0.25, "orange"), (1, "red")]), 6, 4)

    d.row("Traffic")
    d.add(timeseries("Requests by route and status class",
                     [target(f'sum by (method, route, class) (label_replace(rate(http_server_requests_total{{{sel}}}'
                             f'[{RATE}]), "class", "${{1}}xx", "code", "([0-9])[0-9][0-9]"))',
                             "{{method}} {{route}} {{class}}")],
                     "reqps", "Answers per second by verb, route template and status class (2xx, 4xx, 5xx)."),
          16, 9)
    d.add(timeseries("Requests by status code",
                     [target(f"sum by (code) (rate(http_server_requests_total{{{sel}}}[{RATE}]))", "{{code}}")],
                     "reqps", "Answers per second by HTTP status.", stack=True), 8, 9)
    d.add(timeseries("Unmatched paths",
                     [target(f'sum by (method, code) (rate(http_server_requests_total{{route="UNMATCHED"}}[{RATE}]))',
                             "{{method}} {{code}}")],
                     "reqps", "Requests whose path matched no route (route=\"UNMATCHED\"): scanners, stale "
                     "clients or a route missing from the gateway."), 24, 6)

    d.row("Errors")
    d.add(timeseries("5xx ratio by route",
                     [target(f'(sum by (method, route) (rate(http_server_requests_total{{{sel},code=~"5.."}}[{RATE}]))'
                             f" or sum by (method, route) (rate(http_server_requests_total{{{sel}}}[{RATE}])) * 0)"
                             f" / sum by (method, route) (rate(http_server_requests_total{{{sel}}}[{RATE}]))",
                             "{{method}} {{route}}")],
                     "percentunit", "5xx answers as a share of the route's answers (0 while a route has never "
                     "failed). Dashed line: the 0.1% availability objective of the journeys.",
                     steps=[(None, "green"), (AVAILABILITY_BUDGET, "red")], lines=True), 12, 8)
    d.add(timeseries("4xx by route and code",
                     [target(f'sum by (method, route, code) (rate(http_server_requests_total{{{sel},code=~"4.."}}[{RATE}]))',
                             "{{method}} {{route}} {{code}}")],
                     "reqps", "Client errors per second: validation (400), auth (401/403), not found (404), "
                     "conflicts (409), rate limits and shed load (429)."), 12, 8)

    d.row("Latency")
    for q, name in (("0.5", "p50"), ("0.99", "p99")):
        d.add(timeseries(f"{name} by route",
                         [target(f"histogram_quantile({q}, sum by (method, route, le) "
                                 f"(rate(http_server_request_duration_seconds_bucket{{{sel}}}[{RATE}])))",
                                 "{{method}} {{route}}")],
                         "s", f"{name} from a parsed request to its response, per route template. The journey "
                         "latency thresholds are 0.25 s (browse) and 1 s (place_order, pay).",
                         steps=[(None, "green"), (0.25, "orange"), (1, "red")], lines=True), 12, 8)
    d.add(timeseries("Gateway → service p99",
                     [target(f'histogram_quantile(0.99, sum by (grpc_service, grpc_method, le) '
                             f'(rate(grpc_client_handling_seconds_bucket{{job="gateway"}}[{RATE}])))',
                             "{{grpc_service}}/{{grpc_method}}")],
                     "s", "What the gateway waits for each upstream call: when a route is slow, this says "
                     "which service is."), 24, 8)
    return d


# ---------------------------------------------------------------------------------------------------------------
# 3. Business KPIs


def business():
    d = Dashboard(
        "zt-business", "Zhongtai / Business",
        "Orders, payments, stock reservations and event flow, from the counters in docs/metrics.md. "
        "Rates are per minute.",
        [])
    per_min = f"[{RATE}])) * 60"

    d.row("Totals over the selected time range")
    d.add(stat("Orders placed", [target("sum(increase(zt_orders_placed_total[$__range]))")], "short",
               "Orders placed in the time range, all channels.", decimals=0, graph=False), 6, 4)
    d.add(stat("Placement failures", [target("sum(increase(zt_order_placement_failures_total[$__range]))")], "short",
               "Placements that failed and were undone (empty until the first failure).", decimals=0,
               graph=False, steps=[(None, "green"), (1, "orange")]), 6, 4)
    d.add(stat("Payment success",
               [target('sum(increase(zt_payments_total{result="succeeded"}[$__range])) / '
                       "sum(increase(zt_payments_total[$__range]))")],
               "percentunit", "Share of payment attempts that succeeded.", decimals=1, graph=False,
               steps=[(None, "red"), (0.9, "orange"), (0.98, "green")]), 6, 4)
    d.add(stat("Outbox lag now", [target("max(zt_outbox_lag_seconds)")], "s",
               "Age of the oldest order event not yet published (worst instance). Alert ZtOutboxLagHigh: over 60 s "
               "for 5 minutes.", steps=[(None, "green"), (10, "orange"), (60, "red")]), 6, 4)

    d.row("Orders")
    d.add(timeseries("Orders placed by channel",
                     [target(f"sum by (channel) (rate(zt_orders_placed_total{per_min}", "{{channel}}")],
                     "opm", "Orders placed per minute by sales channel (web, app, mini_program).", stack=True), 12, 8)
    d.add(timeseries("Placement failures by reason",
                     [target(f"sum by (reason) (rate(zt_order_placement_failures_total{per_min}", "{{reason}}")],
                     "opm", "Placements that failed and were undone, per minute, by reason (the error reason, "
                     "e.g. insufficient stock or an unknown SKU)."), 12, 8)
    d.add(timeseries("Placement failure ratio",
                     [target(f"sum(rate(zt_order_placement_failures_total[{RATE}])) / "
                             f"(sum(rate(zt_order_placement_failures_total[{RATE}])) + "
                             f"sum(rate(zt_orders_placed_total[{RATE}])))", "failed")],
                     "percentunit", "Failed placements as a share of all placements that ran the saga (retries of "
                     "an Idempotency-Key are not counted twice).", max_=1), 24, 6)

    d.row("Payments and stock")
    d.add(timeseries("Payments by result",
                     [target(f"sum by (result) (rate(zt_payments_total{per_min}", "{{result}}")],
                     "opm", "Payment attempts per minute: succeeded, declined, error, reservation_expired, "
                     "deadline_passed."), 12, 8)
    d.add(timeseries("Stock reservations by result",
                     [target(f"sum by (result) (rate(zt_stock_reservations_total{per_min}", "{{result}}")],
                     "opm", "Stock reservation outcomes per minute: reserved, insufficient, confirmed (paid), "
                     "released (cancelled or failed), expired (unpaid timeout)."), 12, 8)

    d.row("Events")
    d.add(timeseries("Outbox lag",
                     [target("max by (job, instance) (zt_outbox_lag_seconds)", "{{job}} {{instance}}")],
                     "s", "Age of the oldest unpublished order event per instance. Dashed line: the 60 s alert "
                     "threshold.", steps=[(None, "green"), (60, "red")], lines=True), 12, 8)
    d.add(timeseries("Events ingested by type",
                     [target(f"sum by (type) (rate(zt_events_ingested_total{per_min}", "{{type}}")],
                     "opm", "Domain events applied by the data hub per minute, by event type (duplicates are "
                     "not counted)."), 12, 8)
    return d


# ---------------------------------------------------------------------------------------------------------------
# 4. SLOs and error budgets (recording rules of deploy/prometheus/rules/slo.yml)


def burn_targets(ratio, selector, budget, legend_label):
    return [target(f"{ratio}{w}{{{selector}}} / {budget}", f"{{{{{legend_label}}}}} {w}") for w in BURN_WINDOWS]


def remaining_budget(bad_rate, total_rate, selector, budget):
    """1 - (bad events / all events over 30 days) / budget. Both recorded rates are sampled at the same rule
    evaluations, so the ratio of their sums over 30 days is the ratio of the event counts."""
    return (f"1 - (sum_over_time({bad_rate}{{{selector}}}[30d]) / "
            f"sum_over_time({total_rate}{{{selector}}}[30d])) / {budget}")


def slo():
    burn_steps = [(None, "green")] + [(t, c) for t, c in zip(BURN_THRESHOLDS, ("yellow", "orange", "red"))]
    budget_steps = [(None, "red"), (0, "orange"), (0.25, "green")]
    d = Dashboard(
        "zt-slo", "Zhongtai / SLOs and error budgets",
        "Service and journey SLIs from the recording rules in deploy/prometheus/rules/slo.yml: burn rate over "
        "each alert window (1 = the budget lasts exactly 30 days) and what is left of the 30-day error budget. "
        "Objectives: docs/slo.md.",
        [query_variable("journey", "Journey", "label_values(journey:http_server_requests:rate5m, journey)"),
         query_variable("service", "Service",
                        "label_values(grpc_service:grpc_server_requests:rate5m, grpc_service)")])

    d.row("Firing alerts")
    d.add(table("Firing alerts",
                [target('ALERTS{alertstate="firing"}', instant=True, table=True)],
                "Every alert firing now, with its labels (severity page or ticket; runbooks in docs/runbooks/).",
                hide=("Time", "Value", "__name__", "alertstate")), 16, 6)
    d.add(timeseries("Alerts firing",
                     [target('count by (alertname, severity) (ALERTS{alertstate="firing"})', "{{alertname}} ({{severity}})")],
                     "short", "Firing alerts over time.", decimals=0), 8, 6)

    j = 'journey=~"$journey"'
    d.row(f"Journeys: availability (objective {100 * (1 - AVAILABILITY_BUDGET):g}% not 5xx)")
    d.add(stat("Error budget left (30 days)",
               [target(remaining_budget("journey:http_server_faults:rate5m", "journey:http_server_requests:rate5m",
                                        j, AVAILABILITY_BUDGET), "{{journey}}")],
               "percentunit", "Share of the 30-day availability error budget (0.1% of requests) not yet spent; "
               "negative when overspent.", steps=budget_steps, decimals=1, graph=False), 8, 8)
    d.add(timeseries("Availability SLI",
                     [target(f"1 - journey:http_server_faults:ratio_rate{w}{{{j}}}", f"{{{{journey}}}} {w}")
                      for w in ("5m", "1h")],
                     "percentunit", "Share of requests that were not 5xx over 5 minutes and 1 hour. Dashed line: "
                     "the objective.", min_=None, max_=1, steps=[(None, "red"), (1 - AVAILABILITY_BUDGET, "green")],
                     lines=True, decimals=3), 8, 8)
    d.add(timeseries("Availability burn rate",
                     burn_targets("journey:http_server_faults:ratio_rate", j, AVAILABILITY_BUDGET, "journey"),
                     "short", "Fault ratio divided by the 0.1% budget, per window. Alerts page at 14.4 (1h and 5m) "
                     "and 6 (6h and 30m), open a ticket at 1 (3d and 6h).", steps=burn_steps, lines=True), 8, 8)

    d.row(f"Journeys: latency (objective {100 * (1 - LATENCY_BUDGET):g}% under the journey threshold)")
    d.add(stat("Latency budget left (30 days)",
               # Slow requests = slow ratio x requests, summed over 30 days by a 1-minute subquery (no recording
               # rule holds the slow rate itself); divided by the requests sampled the same way.
               [target(f"1 - (sum_over_time((journey:http_server_slow:ratio_rate5m{{{j}}} * "
                       f"journey:http_server_requests:rate5m{{{j}}})[30d:1m]) / "
                       f"sum_over_time(journey:http_server_requests:rate5m{{{j}}}[30d:1m])) / {LATENCY_BUDGET}",
                       "{{journey}}")],
               "percentunit", "Share of the 30-day latency error budget (1% of requests may be slower than the "
               "threshold: browse 0.25 s, place_order and pay 1 s) not yet spent.", steps=budget_steps,
               decimals=1, graph=False), 6, 8)
    d.add(timeseries("Latency SLI",
                     [target(f"1 - journey:http_server_slow:ratio_rate{w}{{{j}}}", f"{{{{journey}}}} {w}")
                      for w in ("5m", "1h")],
                     "percentunit", "Share of requests faster than the journey's threshold.", min_=None, max_=1,
                     steps=[(None, "red"), (1 - LATENCY_BUDGET, "green")], lines=True), 6, 8)
    d.add(timeseries("Latency burn rate",
                     burn_targets("journey:http_server_slow:ratio_rate", j, LATENCY_BUDGET, "journey"),
                     "short", "Slow ratio divided by the 1% budget, per window. Alerts page at 14.4 (1h and 5m) "
                     "and open a ticket at 1 (3d and 6h).", steps=burn_steps, lines=True), 6, 8)
    d.add(timeseries("Journey p99",
                     [target(f"journey:http_server_request_duration_seconds:p99_rate5m{{{j}}}", "{{journey}}")],
                     "s", "99th percentile of the journey's requests at the gateway over 5 minutes.",
                     steps=[(None, "green"), (0.25, "orange"), (1, "red")], lines=True), 6, 8)

    s = 'grpc_service=~"$service"'
    d.row(f"Services: availability (objective {100 * (1 - AVAILABILITY_BUDGET):g}% not a server fault)")
    d.add(stat("Error budget left (30 days)",
               [target(remaining_budget("grpc_service:grpc_server_faults:rate5m",
                                        "grpc_service:grpc_server_requests:rate5m", s, AVAILABILITY_BUDGET),
                       "{{grpc_service}}")],
               "percentunit", "Share of the service's 30-day error budget (0.1% of unary RPCs) not yet spent.",
               steps=budget_steps, decimals=1, graph=False), 8, 8)
    d.add(timeseries("Availability SLI",
                     [target(f"1 - grpc_service:grpc_server_faults:ratio_rate{w}{{{s}}}", f"{{{{grpc_service}}}} {w}")
                      for w in ("5m", "1h")],
                     "percentunit", f"Share of RPCs answered without a server fault ({FAULT_CODES.replace('|', ', ')}).",
                     min_=None, max_=1, steps=[(None, "red"), (1 - AVAILABILITY_BUDGET, "green")], lines=True,
                     decimals=3), 8, 8)
    d.add(timeseries("Availability burn rate",
                     burn_targets("grpc_service:grpc_server_faults:ratio_rate", s, AVAILABILITY_BUDGET, "grpc_service"),
                     "short", "Server-fault ratio divided by the 0.1% budget, per window; thresholds as for the "
                     "journeys.", steps=burn_steps, lines=True), 8, 8)

    d.row(f"Services: latency (dashboards only: share over {SERVICE_LATENCY_SECONDS} s, no alert)")
    d.add(timeseries(f"Share slower than {SERVICE_LATENCY_SECONDS} s",
                     [target(f"grpc_service:grpc_server_slow:ratio_rate{w}{{{s}}}", f"{{{{grpc_service}}}} {w}")
                      for w in ("5m", "1h")],
                     "percentunit", "Share of RPCs slower than the service latency target.", max_=1), 12, 8)
    d.add(timeseries("p99 by method",
                     [target(f"grpc_service_method:grpc_server_handling_seconds:p99_rate5m{{{s}}}",
                             "{{grpc_service}}/{{grpc_method}}")],
                     "s", "99th percentile of server handling time per method over 5 minutes (recording rule).",
                     steps=[(None, "green"), (float(SERVICE_LATENCY_SECONDS), "red")], lines=True), 12, 8)
    return d


# ---------------------------------------------------------------------------------------------------------------
# 5. Saturation


def saturation():
    job = 'job=~"$service"'
    d = Dashboard(
        "zt-saturation", "Zhongtai / Saturation",
        "What runs out first: database connections, worker threads, Redis, CPU, memory and file descriptors; "
        "and the load shed when something has (RESOURCE_EXHAUSTED, HTTP 429).",
        [query_variable("service", "Service (job)", "label_values(up, job)")],
        [restarts_annotation(f"{{{job}}}")])

    d.row("Database connection pools")
    d.add(timeseries("Connections in use vs pool size",
                     [target(f"sum by (job, pool) (zt_db_pool_in_use{{{job}}})", "{{pool}} in use"),
                      target(f"sum by (job, pool) (zt_db_pool_size{{{job}}})", "{{pool}} size")],
                     "short", "Connections held by callers against the connections the pools hold (all "
                     "instances)."), 8, 8)
    d.add(timeseries("Pool utilisation",
                     [target(f"sum by (job, pool) (zt_db_pool_in_use{{{job}}}) / sum by (job, pool) "
                             f"(zt_db_pool_size{{{job}}})", "{{pool}}")],
                     "percentunit", "Share of the pool's connections in use.", max_=1,
                     steps=[(None, "green"), (0.8, "orange"), (1, "red")], lines=True), 8, 8)
    d.add(timeseries("Callers waiting for a connection",
                     [target(f"sum by (job, pool) (zt_db_pool_waiting{{{job}}})", "{{pool}}")],
                     "short", "Callers queued for a connection. Alert ZtDbPoolWaiting: waiting at every scrape "
                     "for 15 minutes; an acquire timeout answers RESOURCE_EXHAUSTED.", decimals=0), 8, 8)

    d.row("Worker threads (blocking calls)")
    d.add(timeseries("Queue depth vs capacity",
                     [target(f"sum by (job) (zt_worker_queue_depth{{{job}}})", "{{job}} waiting"),
                      target(f"sum by (job) (zt_worker_queue_capacity{{{job}}})", "{{job}} capacity")],
                     "short", "Blocking calls waiting for a worker thread, and how many may wait before the service "
                     "sheds load."), 8, 8)
    d.add(timeseries("Queue fill",
                     [target(f"max by (job, instance) (zt_worker_queue_depth{{{job}}} / "
                             f"zt_worker_queue_capacity{{{job}}})", "{{job}} {{instance}}")],
                     "percentunit", "Queue depth over capacity per instance. Alert ZtWorkerQueueNearlyFull: over 80% "
                     "for 5 minutes.", max_=1, steps=[(None, "green"), (0.8, "red")], lines=True), 8, 8)
    d.add(timeseries("Busy workers",
                     [target(f"sum by (job) (zt_worker_busy{{{job}}})", "{{job}}")],
                     "short", "Worker threads running a blocking call (database, Redis, upstream).",
                     decimals=0), 8, 8)

    d.row("Shed load and dependencies")
    d.add(timeseries("Shed: RESOURCE_EXHAUSTED answers",
                     [target(f'sum by (job, grpc_service, grpc_method) (rate(grpc_server_handled_total{{{job},'
                             f'grpc_code="ResourceExhausted"}}[{RATE}]))', "{{grpc_service}}/{{grpc_method}}")],
                     "reqps", "RPCs refused because a queue or pool was full or a rate limit hit. Not a server "
                     "fault for the SLO, so it is watched here."), 8, 8)
    d.add(timeseries("Gateway 429 answers",
                     [target(f'sum by (method, route) (rate(http_server_requests_total{{{job},code="429"}}[{RATE}]))',
                             "{{method}} {{route}}")],
                     "reqps", "What callers of the gateway see of shed load and rate limits."), 8, 8)
    d.add(timeseries("Redis errors",
                     [target(f"sum by (job) (rate(zt_redis_errors_total{{{job}}}[{RATE}]))", "{{job}}")],
                     "ops", "Failed Redis commands per second by process (connection loss, timeouts, server "
                     "errors)."), 8, 8)

    d.row("Processes")
    d.add(timeseries("CPU",
                     [target(f"sum by (job, instance) (rate(process_cpu_seconds_total{{{job}}}[{RATE}]))",
                             "{{job}} {{instance}}")],
                     "percentunit", "CPU time per second (user and system): 100% is one core fully busy."), 8, 8)
    d.add(timeseries("Resident memory",
                     [target(f"sum by (job, instance) (process_resident_memory_bytes{{{job}}})", "{{job}} {{instance}}")],
                     "bytes", "Resident set size."), 8, 8)
    d.add(timeseries("Open file descriptors",
                     [target(f"max by (job, instance) (process_open_fds{{{job}}} / process_max_fds{{{job}}})",
                             "{{job}} {{instance}}")],
                     "percentunit", "Open descriptors (sockets, files) as a share of the limit.", max_=1,
                     steps=[(None, "green"), (0.8, "orange"), (0.95, "red")], lines=True), 8, 8)
    d.add(timeseries("Threads",
                     [target(f"sum by (job, instance) (process_threads{{{job}}})", "{{job}} {{instance}}")],
                     "short", "OS threads per process.", decimals=0), 8, 7)
    d.add(table("Builds and uptime",
                [target(f"max by (job, instance, version) (zt_build_info{{{job}}})", instant=True, table=True),
                 target(f"max by (job, instance) (time() - process_start_time_seconds{{{job}}})", instant=True,
                        table=True)],
                "Version of each running process (zt_build_info) and time since it started.",
                hide=("Time", "Value #A"), rename={"Value #B": "uptime"}, unit="s"), 16, 7)
    d.panels[-1]["transformations"].insert(0, {"id": "merge", "options": {}})
    return d


DASHBOARDS = {
    "zhongtai-red.json": red,
    "zhongtai-gateway.json": gateway,
    "zhongtai-business.json": business,
    "zhongtai-slo.json": slo,
    "zhongtai-saturation.json": saturation,
}


def render(build):
    return json.dumps(build().model(), indent=2, ensure_ascii=False) + "\n"


def main():
    check = "--check" in sys.argv
    stale = []
    for name, build in DASHBOARDS.items():
        path = os.path.join(OUT, name)
        text = render(build)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(path)
        else:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    extra = sorted(set(os.listdir(OUT)) - set(DASHBOARDS)) if check and os.path.isdir(OUT) else []
    for name in extra:
        stale.append(os.path.join(OUT, name) + " (not written by this script)")
    if stale:
        print("stale: run deploy/grafana/generate_dashboards.py\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
