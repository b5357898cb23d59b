#!/usr/bin/env bash
# Runs every benchmark scenario on a fresh local stack and writes bench/results/<date>.md and .json.
#   bench/run.sh [--pairs N] [--duration S] [--only B1,B3] [--smoke]    (see bench/run.py)
# Builds the services, the load generator and the echo server into build-bench/ (Release) first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZT_BUILD_DIR:-$repo/build-bench}
if [ "${ZT_BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" zt-loadgen zt-bench-echo zt-flash-bench zt-product zt-order zt-marketing zt-user zt-datahub zt-gateway
fi
exec python3 "$repo/bench/run.py" --build "$build" "$@"
