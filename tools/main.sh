#!/usr/bin/env bash
# The main job, from a fresh clone: install the Debian dependencies, build
# librfnas (release), and run a real RF-DARTS search on the default dataset,
# Fashion-MNIST from Debian's dataset-fashion-mnist package: the dataset
# summary, then the first-order search loop of examples/search_minimal.c on
# the NAS-Bench-201 space (2 epochs over the first 2,000 training images by
# default; arguments: EPOCHS TRAIN_IMAGES [DIR]).
#
# Until the full search program (rfnas-search) lands, this is the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup-deps.sh
if [ -d build-release ]; then
  meson setup --reconfigure build-release --buildtype=release -Dtests=false >/dev/null
else
  meson setup build-release --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build-release
build-release/examples/rfnas-dataset-info fashion-mnist "${3:-/usr/share/datasets/fashion-mnist}"
echo
echo "RF-DARTS search, NAS-Bench-201 space, Fashion-MNIST (${1:-2} epochs, ${2:-2000} images):"
time build-release/examples/rfnas-search-minimal "${1:-2}" "${2:-2000}" ${3:+"$3"}
