#!/usr/bin/env bash
# The main job, from a fresh clone: install the Debian dependencies, build
# librfnas (release), print a summary of the default dataset (Fashion-MNIST
# from Debian's dataset-fashion-mnist package) and run the default RF-DARTS
# search with rfnas-search: NAS-Bench-201 space, random features, first
# order, DARTS hyper-parameters, the first 10,000 training images for 3
# epochs (about five minutes on 2 cores). Arguments go to rfnas-search
# (`bash tools/main.sh --help`); the paper's budget is
# `bash tools/main.sh --epochs 50 --train-subset 0`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup-deps.sh
if [ -d build-release ]; then
  meson setup --reconfigure build-release --buildtype=release -Dtests=false >/dev/null
else
  meson setup build-release --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build-release
if [ "${1:-}" = "--help" ]; then
  exec build-release/examples/rfnas-search --help
fi
build-release/examples/rfnas-dataset-info fashion-mnist /usr/share/datasets/fashion-mnist
echo
# Each invocation gets its own run directory unless --out or --resume is given.
out=()
case " $* " in
  *" --out "* | *" --out="* | *" --resume "* | *" --resume="*) ;;
  *) out=(--out "runs/search-$(date +%Y%m%d-%H%M%S)") ;;
esac
time build-release/examples/rfnas-search "${out[@]}" "$@"
