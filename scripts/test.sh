#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${SHARPSCOPE_BUILD_DIR:-build}
# The recipes' end-to-end --quick runs (label recipes-quick, when configured) are run on their own:
# .ci/run, docs/reproductions.md "Tests".
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" -LE recipes-quick
