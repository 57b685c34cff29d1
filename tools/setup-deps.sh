#!/usr/bin/env bash
# Installs the Debian 12 packages librfnas needs to build, test and run its
# main job, skipping what is already present. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  gcc clang libomp-dev pkg-config cmake meson ninja-build  # toolchain (clang: the -Werror build)
  libdnnl-dev                                              # oneDNN 2.6, C API, OpenMP runtime
  zlib1g-dev                                               # gzip-compressed IDX files
  libcmocka-dev                                            # tests
  binutils python3 doxygen graphviz                        # ABI checks, API reference, cell diagrams
  python3-numpy python3-venv                               # Python binding tests (numpy views, pip install)
  dataset-fashion-mnist                                    # the default dataset
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
run_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  run_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${run_root[@]}" apt-get update -qq
"${run_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
