#!/usr/bin/env bash
# One-command setup on Debian bookworm: installs every system package the project needs (only
# if something is missing), then configures and builds into ./build and makes `import wavenet`
# find the Python module built there. Safe to run again.
#   ./setup.sh            install + build (Release)
#   BUILD_TYPE=Debug ./setup.sh, CMAKE_ARGS="-DWAVENET_WERROR=ON" ./setup.sh
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libtorch-dev libgloo-dev libopenblas0-pthread
  libsndfile1-dev libsoxr-dev libfftw3-dev libhdf5-dev libpng-dev zlib1g-dev
  libyaml-cpp-dev libcli11-dev libgtest-dev libsptk-dev
  espeak-ng libfluidsynth-dev fluid-soundfont-gm libplplot-dev plplot-driver-cairo fonts-dejavu-core
  python3-torch python3-numpy python3-dev pybind11-dev python3-pytest
)

# shellcheck source=cmake/ensure_packages.sh
. cmake/ensure_packages.sh
# shellcheck source=cmake/register_python_module.sh
. cmake/register_python_module.sh
ensure_packages "${packages[@]}"

# Compiler cache keys relative to the checkout, so a fresh clone on this machine hits the cache.
export CCACHE_BASEDIR="$PWD"
# Let ccache cache compilations that use the precompiled LibTorch header.
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
build_type=${BUILD_TYPE:-Release}
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${CMAKE_ARGS:-}
cmake --build build -j2
if [ -d build/python ]; then register_python_module build; fi
echo "setup: built build/wavenet ($build_type)"
