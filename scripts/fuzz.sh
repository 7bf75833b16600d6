#!/usr/bin/env bash
# Fuzzes the TF.js model loader for a bounded time (FUZZ_SECONDS, default 30) with libFuzzer +
# AddressSanitizer + UBSan (clang++-14). Exits non-zero when the fuzzer finds a crash; the
# reproducer is left in build/fuzz/ (crash-*). Seeds: tools/fuzz/corpus/nn_model/ (read only;
# new inputs go to build/fuzz/corpus/).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/fuzz/corpus build/fuzz/obj
CXX=${FUZZ_CXX:-clang++-14}
FLAGS=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -march=x86-64-v2 -ffp-contract=off -Isrc)
srcs=(tools/fuzz/nn_model_fuzzer.cpp src/nn/*.cpp src/core/*.cpp)
objs=()
for s in "${srcs[@]}"; do   # compile only what changed (one object per source)
  o=build/fuzz/obj/$(echo "$s" | tr / _).o
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find src/nn src/core -name '*.h' -newer "$o" | head -1)" ]; then
    # the fuzzer entry point needs the fuzzer runtime; the library sources only the instrumentation
    f=("${FLAGS[@]}"); [ "$s" = tools/fuzz/nn_model_fuzzer.cpp ] || f=("${f[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}")
    "$CXX" "${f[@]}" -c "$s" -o "$o"
  fi
  objs+=("$o")
done
"$CXX" "${FLAGS[@]}" "${objs[@]}" -o build/fuzz/nn_model_fuzzer
cd build/fuzz
./nn_model_fuzzer -max_total_time="${FUZZ_SECONDS:-30}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus ../../tools/fuzz/corpus/nn_model
