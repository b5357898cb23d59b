#!/usr/bin/env bash
# Brings up the whole suite locally on a fresh Debian 12 machine: installs what running needs, builds the six
# service executables (not the tests), starts PostgreSQL and Redis as local processes under .state/local, starts the
# six services, applies migrations (each service at start), seeds a demo catalogue and an admin account, and prints
# where the gateway listens and how long the start took. Safe to run again, or after a crash.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZT_BUILD_DIR:-$repo/build}
state=$repo/.state/local

started=$SECONDS
"$repo/deploy/install-deps.sh" run
installed=$SECONDS
cmake -S "$repo" -B "$build" -G Ninja >/dev/null
ninja -C "$build" zt-services
built=$SECONDS
ZT_BUILD_DIR=$build "$repo/deploy/stack.sh" start "$state" >/dev/null
# shellcheck disable=SC1091
source "$state/stack.env"
python3 "$repo/deploy/seed.py" "$ZT_STACK_GATEWAY" "$ZT_STACK_ADMIN_LOGIN" "$ZT_STACK_ADMIN_PASSWORD"
echo "logs: $state/logs/   prometheus: ${ZT_STACK_PROMETHEUS:-not started}   stop: deploy/down.sh"
echo "gateway: $ZT_STACK_GATEWAY"
echo "admin login: $ZT_STACK_ADMIN_LOGIN / $ZT_STACK_ADMIN_PASSWORD"
echo "started in $((SECONDS - started)) s (dependencies $((installed - started)) s, build $((built - installed)) s," \
  "start and seed $((SECONDS - built)) s)"
