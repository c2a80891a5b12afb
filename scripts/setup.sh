#!/usr/bin/env bash
# Installs what sharpscope needs (Debian packages only) and builds it in Release.
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build git pkg-config
  # The format check of the test suite (scripts/format.sh --check).
  clang-format
  libtorch-dev libeigen3-dev libspectra-dev libhdf5-dev libcli11-dev libgtest-dev zlib1g-dev
  # c10d's Gloo process group (docs/distributed.md) and the mpirun launch of its tests.
  libgloo-dev openmpi-bin
  # The default reference BLAS is ~20x slower than OpenBLAS here (docs/performance.md).
  libopenblas0-openmp
  # Fashion-MNIST, the built-in default data set.
  dataset-fashion-mnist
  # Plots, the TorchScript fixture generator and the Python baselines of bench/.
  python3 python3-torch python3-h5py python3-matplotlib python3-numpy
  # /usr/bin/time: the recipes of analyses/ record each training run's wall and CPU seconds.
  time
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir=${SHARPSCOPE_BUILD_DIR:-build}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)"
