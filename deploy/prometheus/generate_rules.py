#!/usr/bin/env python3
"""Writes deploy/prometheus/rules/slo.yml: SLI recording rules and multi-window multi-burn-rate alerts.

The rules repeat one pattern over services, journeys and windows, so they are generated rather than typed:
    generate_rules.py           rewrite rules/slo.yml
    generate_rules.py --check   exit 1 when rules/slo.yml is not what this script writes (a CTest contract test)
Saturation alerts are hand-written in rules/saturation.yml.

Objectives (30-day window):
  availability  99.9% of requests are not server faults (error budget 0.1%)
  latency       99% of journey requests finish under the journey's threshold (error budget 1%)
Server faults: gRPC codes Unknown, DeadlineExceeded, Internal, Unavailable, DataLoss; at the gateway any 5xx.
Client errors (InvalidArgument, NotFound, FailedPrecondition, AlreadyExists, PermissionDenied, Unauthenticated,
ResourceExhausted, Aborted, Cancelled, OutOfRange, Unimplemented, 4xx) spend no error budget.
"""
import os
import sys

# Relative to the repository root: point your alert templates at your own copy of the repo to make it a link.
RUNBOOK_BASE = "docs/runbooks/"
FAULT_CODES = "Unknown|DeadlineExceeded|Internal|Unavailable|DataLoss"
# Server SLIs: unary RPCs of our services; health checks and reflection are not user traffic.
GRPC_SELECTOR = 'grpc_type="unary",grpc_service=~"zhongtai\\\\..+"'
WINDOWS = ["5m", "30m", "1h", "6h", "3d"]
SECONDS = {"5m": 300, "30m": 1800, "1h": 3600, "6h": 21600, "3d": 259200}
# A burn-rate alert needs at least this many requests in its long window: a handful of requests cannot say
# anything about a 0.1% objective, and one failure out of three must not page anyone.
MIN_REQUESTS = 100

AVAILABILITY_BUDGET = 0.001
LATENCY_BUDGET = 0.01
SERVICE_LATENCY_SECONDS = "0.5"

# Gateway journeys: label matchers on http_server_requests_total / http_server_request_duration_seconds,
# and the latency threshold (a histogram bucket bound) of each.
JOURNEYS = [
    ("browse", 'method="GET",route=~"/v1/products.*"', "0.25"),
    ("place_order", 'method="POST",route="/v1/orders"', "1"),
    ("pay", 'method="POST",route="/v1/orders/{order_id}:pay"', "1"),
]

# (alert suffix, severity, long window, short window, burn factor, for)
BURNS = [
    ("BurnFast", "page", "1h", "5m", 14.4, "2m"),
    ("BurnSustained", "page", "6h", "30m", 6, "15m"),
    ("BurnSlow", "ticket", "3d", "6h", 1, "1h"),
]
LATENCY_BURNS = [BURNS[0], BURNS[2]]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def rule(record, expr, labels=None):
    out = [f"      - record: {record}", f"        expr: {q(expr)}"]
    if labels:
        out.append("        labels:")
        out += [f"          {k}: {v}" for k, v in labels.items()]
    return out


def sli_rules():
    lines = ["  - name: zt-sli-services", "    rules:"]
    for w in WINDOWS:
        lines += rule(f"grpc_service:grpc_server_requests:rate{w}",
                      f"sum by (grpc_service) (rate(grpc_server_handled_total{{{GRPC_SELECTOR}}}[{w}]))")
        lines += rule(f"grpc_service:grpc_server_faults:rate{w}",
                      f'sum by (grpc_service) (rate(grpc_server_handled_total{{{GRPC_SELECTOR},grpc_code=~"{FAULT_CODES}"}}[{w}]))')
        lines += rule(f"grpc_service:grpc_server_faults:ratio_rate{w}",
                      f"grpc_service:grpc_server_faults:rate{w} / grpc_service:grpc_server_requests:rate{w}")
    for w in ["5m", "1h"]:
        lines += rule(f"grpc_service:grpc_server_slow:ratio_rate{w}",
                      f'1 - sum by (grpc_service) (rate(grpc_server_handling_seconds_bucket{{{GRPC_SELECTOR},le="{SERVICE_LATENCY_SECONDS}"}}[{w}]))'
                      f" / sum by (grpc_service) (rate(grpc_server_handling_seconds_count{{{GRPC_SELECTOR}}}[{w}]))")
    for quantile in ["0.5", "0.99"]:
        lines += rule(f"grpc_service_method:grpc_server_handling_seconds:p{quantile[2:]}_rate5m",
                      f"histogram_quantile({quantile}, sum by (grpc_service, grpc_method, le) "
                      f"(rate(grpc_server_handling_seconds_bucket{{{GRPC_SELECTOR}}}[5m])))")

    lines += ["  - name: zt-sli-journeys", "    rules:"]
    for journey, match, threshold in JOURNEYS:
        labels = {"journey": journey}
        for w in WINDOWS:
            lines += rule(f"journey:http_server_requests:rate{w}",
                          f"sum(rate(http_server_requests_total{{{match}}}[{w}]))", labels)
            # The gateway creates a code's counter on its first answer with that code: "or vector(0)" keeps the
            # fault rate (and the ratio) defined, at 0, while a journey has never failed.
            lines += rule(f"journey:http_server_faults:rate{w}",
                          f'sum(rate(http_server_requests_total{{{match},code=~"5.."}}[{w}])) or vector(0)', labels)
            lines += rule(f"journey:http_server_slow:ratio_rate{w}",
                          f'1 - sum(rate(http_server_request_duration_seconds_bucket{{{match},le="{threshold}"}}[{w}]))'
                          f" / sum(rate(http_server_request_duration_seconds_count{{{match}}}[{w}]))", labels)
        lines += rule("journey:http_server_request_duration_seconds:p99_rate5m",
                      f"histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{{{match}}}[5m])))",
                      labels)
    for w in WINDOWS:
        lines += rule(f"journey:http_server_faults:ratio_rate{w}",
                      f"journey:http_server_faults:rate{w} / journey:http_server_requests:rate{w}")
    return lines


def alert(name, expr, for_, severity, slo, summary, description):
    return [
        f"      - alert: {name}",
        f"        expr: {q(expr)}",
        f"        for: {for_}",
        "        labels:",
        f"          severity: {severity}",
        f"          slo: {slo}",
        "        annotations:",
        f"          summary: {q(summary)}",
        f"          description: {q(description)}",
        f"          runbook_url: {RUNBOOK_BASE}{name}.md",
    ]


def burn_expr(ratio, requests, by, long_w, short_w, factor, budget):
    threshold = round(factor * budget, 6)
    return (f"({ratio}{long_w} > {threshold} and {ratio}{short_w} > {threshold})"
            f" and on ({by}) {requests}{long_w} * {SECONDS[long_w]} >= {MIN_REQUESTS}")


def alert_rules():
    lines = ["  - name: zt-slo-alerts", "    rules:"]
    for suffix, severity, long_w, short_w, factor, for_ in BURNS:
        lines += alert(
            f"ZtServiceAvailability{suffix}",
            burn_expr("grpc_service:grpc_server_faults:ratio_rate", "grpc_service:grpc_server_requests:rate",
                      "grpc_service", long_w, short_w, factor, AVAILABILITY_BUDGET),
            for_, severity, "availability",
            f"{{{{ $labels.grpc_service }}}} burns its 30-day error budget at {factor}x or more",
            f"Server faults ({FAULT_CODES}) of {{{{ $labels.grpc_service }}}} exceed {factor}x the 0.1% budget "
            f"over both {long_w} and {short_w}.")
        lines += alert(
            f"ZtJourneyAvailability{suffix}",
            burn_expr("journey:http_server_faults:ratio_rate", "journey:http_server_requests:rate",
                      "journey", long_w, short_w, factor, AVAILABILITY_BUDGET),
            for_, severity, "availability",
            f"Journey {{{{ $labels.journey }}}} burns its 30-day error budget at {factor}x or more",
            f"Gateway 5xx answers on the {{{{ $labels.journey }}}} journey exceed {factor}x the 0.1% budget "
            f"over both {long_w} and {short_w}.")
    for suffix, severity, long_w, short_w, factor, for_ in LATENCY_BURNS:
        lines += alert(
            f"ZtJourneyLatency{suffix}",
            burn_expr("journey:http_server_slow:ratio_rate", "journey:http_server_requests:rate",
                      "journey", long_w, short_w, factor, LATENCY_BUDGET),
            for_, severity, "latency",
            f"Journey {{{{ $labels.journey }}}} is slow: latency budget burns at {factor}x or more",
            f"More than {round(factor * LATENCY_BUDGET * 100, 4)}% of {{{{ $labels.journey }}}} requests are slower than "
            f"the journey threshold over both {long_w} and {short_w} (objective: 99% under the threshold).")
    return lines


def render():
    header = ["# Generated by deploy/prometheus/generate_rules.py; edit that script, not this file.",
              "# Objectives and the list of server-fault codes are documented in docs/slo.md.",
              "groups:"]
    return "\n".join(header + sli_rules() + alert_rules()) + "\n"


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules", "slo.yml")
    text = render()
    if "--check" in sys.argv:
        with open(path) as f:
            if f.read() != text:
                print(f"{path} is stale: run deploy/prometheus/generate_rules.py", file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
