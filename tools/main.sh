#!/usr/bin/env bash
# The main job, from a fresh clone: install the Debian dependencies, build
# librfnas (release), and run the main program on the default dataset,
# Fashion-MNIST from Debian's dataset-fashion-mnist package.
#
# Until the search program lands, the main program is rfnas-dataset-info,
# which opens Fashion-MNIST through the public API and prints its summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup-deps.sh
if [ -d build-release ]; then
  meson setup --reconfigure build-release --buildtype=release -Dtests=false >/dev/null
else
  meson setup build-release --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build-release
build-release/examples/rfnas-dataset-info "$@"
