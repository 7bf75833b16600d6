#!/usr/bin/env bash
# npm start: set up, build the wasm modules, serve the demo at http://localhost:${PORT:-8080}
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh wasm
exec node scripts/serve.js
