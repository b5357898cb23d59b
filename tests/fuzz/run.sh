#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and UndefinedBehaviorSanitizer (only
# them and what they link: ninja zt_fuzz_targets in a build folder of its own) and runs each for RUNS inputs from
# its kept corpus. Prints one line per target: inputs run, seconds, execs/s, coverage, corpus size, crashes.
# Exits 1 on the first crash, leak, timeout or property violation (the input is left in the build folder).
#   tests/fuzz/run.sh [--runs N] [--seconds S] [--jobs J] [--build DIR] [--no-build] [target...]
#     --seconds S: stop each target after S seconds even if it has not run N inputs (a busy machine)
#   tests/fuzz/run.sh --runs 1000000                      # what docs/reliability.md reports
#   tests/fuzz/run.sh --runs 20000 page_token_fuzz        # a short run of one target
# New interesting inputs go to DIR/fuzz-scratch/<target>; copy the few worth keeping into corpus/<target>/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=1000000
seconds=0
jobs=1
build=$repo/build-fuzz
targets=()
build_first=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --no-build) build_first=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(gateway_request_fuzz access_token_fuzz page_token_fuzz compliance_fuzz)

if [[ $build_first == 1 ]]; then
  command -v clang++ >/dev/null || { echo "clang++ is needed (apt-get install clang)" >&2; exit 2; }
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DZT_FUZZ=ON >/dev/null
  nice ninja -C "$build" -j"$jobs" "${targets[@]}"
fi

printf '%-22s %10s %8s %9s %6s %6s %7s\n' target inputs seconds execs/s cov corpus crashes
for target in "${targets[@]}"; do
  scratch=$build/fuzz-scratch/$target
  log=$build/fuzz-logs/$target.log
  mkdir -p "$scratch" "$(dirname "$log")"
  start=$(date +%s)
  status=0
  (cd "$build/fuzz-logs" && "$build/tests/fuzz/$target" -runs="$runs" -max_total_time="$seconds" -seed=1 -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "$scratch" "$repo/tests/fuzz/corpus/$target") >"$log" 2>&1 || status=$?
  took=$(($(date +%s) - start))
  done_runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || echo 0)
  execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  corpus=$(find "$scratch" "$repo/tests/fuzz/corpus/$target" -type f | wc -l)
  crashes=$([[ $status -eq 0 ]] && echo 0 || echo 1)
  printf '%-22s %10s %8s %9s %6s %6s %7s\n' "$target" "$done_runs" "$took" "$execs" "$cov" "$corpus" "$crashes"
  if [[ $status -ne 0 ]]; then
    echo "--- $target failed (exit $status); the last lines of $log:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
done
