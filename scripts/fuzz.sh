#!/usr/bin/env bash
# Fuzzes the parsers that take outside input, each for a bounded time (FUZZ_SECONDS, default 20),
# with libFuzzer + AddressSanitizer + UBSan (clang++-14):
#   tools/fuzz/nn_model_fuzzer.cpp  the TF.js model loader   (seeds: tools/fuzz/corpus/nn_model/)
#   tools/fuzz/mnist_fuzzer.cpp     IDX files and drawings   (seeds: tools/fuzz/corpus/mnist/)
# Exits non-zero when a fuzzer finds a crash; the reproducer is left in build/fuzz/ (crash-*).
# Seed folders are read only; new inputs go to build/fuzz/corpus-<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/fuzz/obj
CXX=${FUZZ_CXX:-clang++-14}
FLAGS=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -march=x86-64-v2 -ffp-contract=off -Isrc)
LIB_FLAGS=("${FLAGS[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}")  # instrumentation only

compile() {  # source flags... -> prints the object path; recompiles only what changed
  local s=$1; shift
  local o=build/fuzz/obj/$(echo "$s" | tr / _).o
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" | head -1)" ]; then
    "$CXX" "$@" -c "$s" -o "$o"
  fi
  echo "$o"
}

lib_objs=()
for s in src/core/*.cpp src/nn/*.cpp src/mnist/*.cpp; do lib_objs+=("$(compile "$s" "${LIB_FLAGS[@]}")"); done

for name in nn_model mnist; do
  main=$(compile "tools/fuzz/${name}_fuzzer.cpp" "${FLAGS[@]}")
  "$CXX" "${FLAGS[@]}" "$main" "${lib_objs[@]}" -o "build/fuzz/${name}_fuzzer"
  mkdir -p "build/fuzz/corpus-$name"
  echo "== fuzz $name for ${FUZZ_SECONDS:-20} s"
  (cd build/fuzz && "./${name}_fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "corpus-$name" "../../tools/fuzz/corpus/$name")
done
