#!/usr/bin/env bash
# The tests under sanitizers, in a build folder of their own (build-<mode>; ZT_SANITIZE in CMakeLists.txt).
#   deploy/sanitize.sh address [TARGETS] [-- ctest args]
#       AddressSanitizer + UndefinedBehaviorSanitizer: builds the test executables whose names match the regex
#       TARGETS (default: every *_test and *_fuzz) and runs their unit and store tests (and the fuzz corpora).
#   deploy/sanitize.sh thread [TARGETS] [-- ctest args]
#       ThreadSanitizer: the concurrency tests (named with concurrent, parallel, race (not trace), at once, threads,
#       same moment, however many; or the CTest regex ZT_SANITIZE_TESTS) of the matching executables (default: those
#       that have such tests). Linked with the TSan-built Abseil and gRPC of deploy/tsan-grpc.sh when it has run
#       (ZT_TSAN_GRPC, default .state/tsan-grpc), else with Debian's.
# Only tests run by the executables built here run (the python and node tests are the normal suite's); the end is a
# table per executable: tests selected, tests failed. Any report stops the test that made it (no recovery), so it
# fails. Starts and stops its own PostgreSQL and Redis (tests/harness/stores.sh) under .state/sanitize-<mode>.
# Environment: ZT_SANITIZE_JOBS (ninja -j, default 1), ZT_SANITIZE_TESTS (the CTest -R regex), ZT_SANITIZE_BUILD
# (the build folder, default build-<mode>), CC/CXX (default the system's gcc; clang works too).
# Suppressions (a false report from a library built without the sanitizer, with the reason) live in
# tests/sanitizers/. docs/reliability.md says what ran and what it found.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
case $mode in
  address) sanitizers=address,undefined ;;
  thread) sanitizers=thread ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
shift
targets=
if [[ $# -gt 0 && $1 != -- ]]; then targets=$1; shift; fi
if [[ ${1:-} == -- ]]; then shift; fi
build=${ZT_SANITIZE_BUILD:-$repo/build-$mode}
state=$repo/.state/sanitize-$mode
jobs=${ZT_SANITIZE_JOBS:-1}

if [[ -z $targets ]]; then
  if [[ $mode == address ]]; then
    targets='_(test|fuzz)$'
  else
    # Executables with concurrency tests: the worker pool, async calls, sagas and fan-outs, the connection pools,
    # the gateway's server and rate limiter, the stores whose tests race writers against each other, the domain
    # tests that race threads over the fakes, and the flash sale's change under concurrent buyers.
    targets='^(zt_server_test|zt_async_test|zt_pg_store_test|zt_pg_test|zt_gateway_http_test|zt_gateway_rate_limit_test|zt_(product|order|marketing|user|datahub)_store_test|zt_(product|order|user)_domain_test|zt_flash_sale_change_flow_test)$'
  fi
fi
tests_regex=${ZT_SANITIZE_TESTS:-}
if [[ $mode == thread && -z $tests_regex ]]; then
  tests_regex='[Cc]oncurren|[Pp]arallel|[^t]race|at once|threads|same moment|however many'
fi

# Under TSan, Abseil and gRPC built with TSan (deploy/tsan-grpc.sh) when they are there: Debian's are not instrumented,
# so TSan cannot see gRPC's synchronisation and what it hands between threads looks racy (tsan.supp hides what it can).
tsan_grpc=${ZT_TSAN_GRPC:-$repo/.state/tsan-grpc}
deps=(-UgRPC_DIR -Uabsl_DIR)
tsan_supp=tsan.supp
if [[ $mode == thread && -f $tsan_grpc/.built ]]; then
  deps=(-DgRPC_DIR="$tsan_grpc/lib/cmake/grpc" -Dabsl_DIR="$tsan_grpc/lib/cmake/absl")
  tsan_supp=tsan-grpc.supp
  echo "with the TSan-built Abseil and gRPC of $tsan_grpc"
elif [[ $mode == thread ]]; then
  echo "with Debian's gRPC (not instrumented; deploy/tsan-grpc.sh builds one that is): tests that cross gRPC report" \
       "races inside its hand-over"
fi
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZT_SANITIZE="$sanitizers" "${deps[@]}" \
  >/dev/null
mapfile -t executables < <(ninja -C "$build" -t targets all | sed -n 's/^\([A-Za-z0-9_]*\): phony$/\1/p' |
                           grep -E "$targets" | grep -E '_(test|fuzz)$' | grep -v '^cmake_object_order_depends_target_' |
                           sort -u)
[[ ${#executables[@]} -gt 0 ]] || { echo "no test executable matches $targets" >&2; exit 2; }
echo "building ${#executables[@]} executables with -fsanitize=$sanitizers: ${executables[*]}"
nice ninja -C "$build" -j"$jobs" "${executables[@]}"

trap '"$repo/tests/harness/stores.sh" stop "$state"' EXIT
"$repo/tests/harness/stores.sh" start "$state" >/dev/null
# shellcheck disable=SC1091
source "$state/stores.env"
export ZT_BUILD_DIR=$build
supp=$repo/tests/sanitizers
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/$tsan_supp}

# Only the tests the executables built here run: a test executable not built registers a *_NOT_BUILT test, and tests
# that run python or node (migrate_only_*, reliability_*) or an executable not built here (a fuzz target's corpus)
# belong to the normal suite.
if [[ $mode == address ]]; then
  select=(-L 'unit|store')
  if [[ -n $tests_regex ]]; then select+=(-R "$tests_regex"); fi
else
  select=(-R "$tests_regex")
fi
cd "$build"
ctest --show-only=json-v1 "${select[@]}" >"$build/sanitize-tests.json"
# By position in that selection (ctest -I numbers the selected tests): a -E regex of the others' names outgrew
# CMake's regular expressions once several groups had been built into one folder, and then excluded nothing.
numbers=$(python3 - "$build/sanitize-tests.json" "${executables[@]}" <<'PY'
import json, os, sys
built = set(sys.argv[2:])
tests = json.load(open(sys.argv[1]))["tests"]
print(",".join(str(i + 1) for i, t in enumerate(tests)
               if os.path.basename((t.get("command") or [""])[0]) in built))
PY
)
status=0
ctest --output-on-failure --timeout 1200 -j1 "${select[@]}" -I "0,0,0,$numbers" "$@" || status=$?

# Per executable: its tests selected here and how many failed (ctest's LastTestsFailed.log).
python3 - "$build/sanitize-tests.json" "$build/Testing/Temporary/LastTestsFailed.log" "${executables[@]}" <<'PY'
import collections, json, os, sys
built = sys.argv[3:]
failed = set()
if os.path.exists(sys.argv[2]) and os.path.getmtime(sys.argv[2]) >= os.path.getmtime(sys.argv[1]):
    failed = {line.split(":", 1)[1].strip() for line in open(sys.argv[2]) if ":" in line}
count, bad = collections.Counter(), collections.Counter()
for t in json.load(open(sys.argv[1]))["tests"]:
    exe = os.path.basename((t.get("command") or [""])[0])
    count[exe] += 1
    bad[exe] += t["name"] in failed
print("sanitize summary: executable, tests selected, failed")
for exe in built:
    print(f"  {exe:40} {count[exe]:5} {bad[exe]:5}")
PY
exit $status
