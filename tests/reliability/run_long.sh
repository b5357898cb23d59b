#!/usr/bin/env bash
# The long fault run: its own local stack (deploy/stack.sh, as the e2e fixture starts it), shoppers at a steady rate
# for about ten minutes while every fault is injected one at a time, then combined; the invariants and the final
# state of every accepted order checked afterwards (tests/reliability/crash_scenario_test.py, faults.py). Writes the
# report to STATE_DIR/report.txt and STATE_DIR/report.json; the results are recorded in docs/reliability.md.
#   run_long.sh [STATE_DIR]     (default .state/reliability-long; ZT_BUILD_DIR: the build, default build/)
# ZT_RELIABILITY_PHASE_SECONDS (default 30) sets each phase; ZT_RELIABILITY_FAULTS replaces the list below.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
state=$(realpath -m "${1:-$repo/.state/reliability-long}")
export ZT_BUILD_DIR=${ZT_BUILD_DIR:-$repo/build}
export ZT_STACK_FREE_PORTS=1 ZT_ORDER_PAYMENT_TIMEOUT=4s ZT_ORDER_SWEEP_INTERVAL=200ms ZT_ORDER_PAYMENT_QUERY_AFTER=1s
export ZT_PRODUCT_RESERVATION_SWEEP_INTERVAL=200ms ZT_STACK_SCRAPE_INTERVAL=15s
export ZT_RELIABILITY_PHASE_SECONDS=${ZT_RELIABILITY_PHASE_SECONDS:-30}
export ZT_RELIABILITY_SETTLE_SECONDS=${ZT_RELIABILITY_SETTLE_SECONDS:-90}
export ZT_RELIABILITY_FAULTS=${ZT_RELIABILITY_FAULTS:-"kill:order kill:product kill:marketing kill:user kill:datahub \
kill:gateway kill:payment-simulator pg-restart netem clock:order:+90 clock:marketing:-7200 saturate:product \
combined:netem,clock:order:+90,pg-restart,kill:order,kill:product"}
export ZT_RELIABILITY_REPORT=$state/report.json

mkdir -p "$state"
trap '"$repo/deploy/stack.sh" stop "$state/stack" >/dev/null 2>&1 || true' EXIT
"$repo/deploy/stack.sh" start "$state/stack" >/dev/null
export ZT_E2E_STACK_ENV=$state/stack/stack.env
started=$(date +%s)
set +e
python3 "$repo/tests/reliability/crash_scenario_test.py" 2>&1 | tee "$state/report.txt"
status=${PIPESTATUS[0]}
set -e
echo "run_long: $(( $(date +%s) - started )) s, exit $status; report in $state/report.txt" | tee -a "$state/report.txt"
exit "$status"
