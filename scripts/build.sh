#!/usr/bin/env bash
# Builds convolens. Usage: scripts/build.sh [native] [asan] [wasm]   (default: all three)
#   build/native  g++ Release, SIMD through SIMDe: core libs, GoogleTest suites, tools
#   build/asan    the GoogleTest suites with AddressSanitizer + UndefinedBehaviorSanitizer (no tools)
#   build/wasm    em++: SIMD and plain modules (ES modules -> web/wasm/, CommonJS -> build/wasm/)
#                 and the GoogleTest suites compiled to wasm
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(native asan wasm)

configure() {  # dir, extra args...
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || "$@" -S . -B "$dir" -G Ninja >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
}
mkdir -p build
for t in "${targets[@]}"; do
  case $t in
    native) configure build/native cmake ;;
    asan)   configure build/asan cmake -DCONVOLENS_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
    wasm)   configure build/wasm emcmake cmake
            node scripts/write-mnist.js ;;  # web/data/: the MNIST copy cl.loadMnist() reads
    *) echo "unknown build '$t' (native, asan, wasm)"; exit 2 ;;
  esac
  echo "build: $t"
  start=$SECONDS
  only=(); [ "$t" = asan ] && only=(--target tests)
  cmake --build "build/$t" -j "$JOBS" "${only[@]}" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build: $t FAILED"; exit 1; }
  echo "build: $t done in $((SECONDS - start)) s"
done
