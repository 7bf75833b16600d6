#!/usr/bin/env bash
# npm test: set up, build everything, run every suite, end with "N passed, N failed".
# Run one suite alone: scripts/test.sh native|asan|wasm|fuzz|jest|browser|types
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p build/results
# The system packages first; npm ci (only when the lock file changed) runs beside the C++ builds,
# which do not need node_modules, and is waited for before the wasm build and any test.
bash scripts/setup.sh system || exit 1
start=$SECONDS
bash scripts/setup.sh npm >build/results/setup-npm.log 2>&1 & npm_pid=$!
npm_ready() {
  wait "$npm_pid" || { cat build/results/setup-npm.log; echo "0 passed, 1 failed"; exit 1; }
  cat build/results/setup-npm.log
  echo "setup: npm ready after $((SECONDS - start)) s"
}

ALL=(native asan wasm fuzz jest browser types)
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=("${ALL[@]}")

needs=()
for s in "${suites[@]}"; do
  case $s in
    native|asan|wasm) needs+=("$s") ;;
    jest|browser|types) needs+=(wasm) ;;
  esac
done
needs=($(printf '%s\n' "${needs[@]}" | sort -u))
cpp=(); for n in "${needs[@]}"; do [ "$n" != wasm ] && cpp+=("$n"); done
if [ ${#cpp[@]} -gt 0 ]; then
  bash scripts/build.sh "${cpp[@]}" || { echo "0 passed, 1 failed"; exit 1; }
fi
npm_ready
if [ ${#cpp[@]} -lt ${#needs[@]} ]; then
  bash scripts/build.sh wasm || { echo "0 passed, 1 failed"; exit 1; }
fi

total_pass=0; total_fail=0; report=()
suite_start=$SECONDS
record() {  # suite passed failed [seconds]: the seconds default to the time since suite_start
  local took=${4:-$((SECONDS - suite_start))}
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  if [ "$2" -eq 0 ] && [ "$3" -eq 0 ]; then
    report+=("$1: ran no test (counted as a failure) ($took s)"); total_fail=$((total_fail + 1))
  else
    report+=("$1: $2 passed, $3 failed ($took s)")
  fi
}

run_ctest() {  # suite dir
  local log=build/results/$1.log
  echo "== $1: ctest in $2"
  (cd "$2" && ctest -j "$JOBS" --timeout 900 --output-on-failure) >"$log" 2>&1
  tail -n 25 "$log" | grep -E 'tests passed|FAILED|Failed|\*\*\*' || true
  local line total failed
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line"); failed=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  [ -z "$line" ] && { total=0; failed=0; grep -q 'No tests were found' "$log" || failed=1; }
  record "$1" $((total - failed)) "$failed"
}

run_jest() {  # suite jest-args...
  local suite=$1; shift
  local json=build/results/$suite.json
  echo "== $suite: jest $*"
  rm -f "$json"
  NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning" \
    npx jest --ci --json --outputFile="$json" "$@" 2>&1 | grep -vE '^\s*$' | tail -n 60
  if [ -f "$json" ]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$PWD/$json")
    record "$suite" "$p" "$f"
  else
    record "$suite" 0 1
  fi
}

for s in "${suites[@]}"; do
  suite_start=$SECONDS
  case $s in
    native) run_ctest native build/native ;;
    asan)   run_ctest asan build/asan ;;
    wasm)   run_ctest wasm build/wasm ;;
    jest)   run_jest jest --selectProjects node ;;
    # One worker (Jest's default on 2 cores): two were tried and, on a loaded machine, the soak's
    # action count and the in-page training fell behind their bounds.
    browser) run_jest browser --selectProjects browser ;;
    fuzz)
      # In the background: the fuzzers use one core while Jest (one worker) uses the other.
      echo "== fuzz (in the background; reported at the end)"
      (bash scripts/fuzz.sh; rc=$?; echo "fuzz took $((SECONDS - suite_start)) s"; exit $rc) >build/results/fuzz.log 2>&1 &
      fuzz_pid=$! ;;
    types)
      if [ -f tsconfig.json ]; then
        echo "== types: tsc --noEmit"
        if npx tsc --noEmit -p tsconfig.json; then record types 1 0; else record types 0 1; fi
      fi ;;
    *) echo "unknown suite '$s' (${ALL[*]})"; exit 2 ;;
  esac
done

if [ -n "${fuzz_pid:-}" ]; then
  # One test per fuzz target that ran its full time without a finding.
  fuzz_ok=0; wait "$fuzz_pid" || fuzz_ok=$?
  fuzz_took=$(sed -nE 's/^fuzz took ([0-9]+) s$/\1/p' build/results/fuzz.log)
  if [ "$fuzz_ok" -eq 0 ]; then
    grep -E '^== fuzz|^Done [0-9]+ runs' build/results/fuzz.log
    record fuzz "$(grep -c '^Done [0-9]* runs' build/results/fuzz.log)" 0 "$fuzz_took"
  else tail -30 build/results/fuzz.log; record fuzz 0 1 "$fuzz_took"; fi
fi

echo
printf '%s\n' "${report[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
