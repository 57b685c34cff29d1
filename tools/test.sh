#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install the Debian dependencies,
# then build and test three ways, failing on the first problem:
#   1. gcc, -Werror, the full suite (unit, API, ABI, kernels, real data, the
#      Python binding);
#   2. gcc with AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer);
#   3. clang, -Werror, build only plus the quick unit suite;
#   4. gcc release build (-O3, as the main job builds it), which warns about
#      things -O2 does not see.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests run one at a time: each context uses both cores already (OpenMP), and
# two such tests side by side only fight over them.

bash tools/setup-deps.sh

setup() { # dir, extra meson options...
  local dir=$1
  shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

echo "== gcc build and full test suite"
CC=gcc setup build-test
ninja -C build-test
meson test -C build-test --print-errorlogs --num-processes 1

echo "== gcc with address and undefined-behaviour sanitizers"
CC=gcc setup build-sanitize -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-sanitize
meson test -C build-sanitize --print-errorlogs --num-processes 1 --timeout-multiplier 3

echo "== clang build (-Werror) and unit tests"
CC=clang setup build-clang
ninja -C build-clang
meson test -C build-clang --print-errorlogs --num-processes 1 --suite unit

echo "== gcc release build (-Werror), as tools/main.sh builds it"
CC=gcc setup build-release --buildtype=release -Dtests=false
ninja -C build-release

echo "== all test builds passed"
