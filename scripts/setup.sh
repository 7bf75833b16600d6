#!/usr/bin/env bash
# Installs everything convolens needs on Debian 12 (as root), skipping what is already there.
# Usage: scripts/setup.sh [system|npm]   (default: both; system = the Debian packages)
set -euo pipefail
cd "$(dirname "$0")/.."
part=${1:-all}

need_apt=()
[ "$part" = npm ] || {
command -v em++ >/dev/null 2>&1            || need_apt+=(emscripten)
[ -f /usr/include/simde/wasm/simd128.h ]   || need_apt+=(libsimde-dev)
command -v chromium >/dev/null 2>&1        || need_apt+=(chromium)
[ -d /usr/src/googletest/googletest ]      || need_apt+=(googletest libgtest-dev)
command -v cmake >/dev/null 2>&1           || need_apt+=(cmake)
command -v ninja >/dev/null 2>&1           || need_apt+=(ninja-build)
command -v clang++ >/dev/null 2>&1         || need_apt+=(clang)
[ -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ] || need_apt+=(libclang-rt-14-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
}
[ "$part" = system ] && exit 0

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.convolens-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
