#!/usr/bin/env bash
# Runs the whole test suite: installs the test dependencies too, builds everything (tests included), starts
# throw-away PostgreSQL and Redis, runs every CTest test (unit, store, contract, end to end), and stops what it started.
#   deploy/test.sh [extra ctest args, e.g. -L unit or -R order]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZT_BUILD_DIR:-$repo/build}
state=$repo/.state/test

"$repo/deploy/install-deps.sh" test
cmake -S "$repo" -B "$build" -G Ninja >/dev/null
ninja -C "$build"

trap '"$repo/tests/harness/stores.sh" stop "$state"' EXIT
"$repo/tests/harness/stores.sh" start "$state" >/dev/null
# shellcheck disable=SC1091
source "$state/stores.env"
export ZT_BUILD_DIR=$build
cd "$build"
ctest --output-on-failure --timeout 600 -j2 "$@"
