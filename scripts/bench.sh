#!/usr/bin/env bash
# npm run bench:<name>: set up, build (native + wasm), run bench/<name>.js.
# Results are printed as a table and written to bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
bash scripts/build.sh native wasm
cmake --build build/wasm --target convolens-bench-peak >/dev/null  # bench/cnn.js's peak row
mkdir -p bench/results
exec node bench/"$1".js "${@:2}"
