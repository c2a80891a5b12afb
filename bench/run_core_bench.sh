#!/usr/bin/env bash
# Foundation benchmark: sharpscope vs PyTorch-in-Python on the same model, data and threads.
# Prints, per architecture, the seconds of each and the ratio python/sharpscope (>1: we are faster).
# Usage: bench/run_core_bench.sh [build-dir] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
threads=${2:-$(nproc)}
printf "%-12s %-8s %10s %10s %7s\n" arch op sharpscope python ratio
for arch in mlp:500,500 cnn; do
  cpp=$("$build/sharpscope_bench" --arch "$arch" --threads "$threads")
  py=$(/usr/bin/python3 bench/core_bench.py --arch "$arch" --threads "$threads")
  for op in forward hvp; do
    c=$(awk -v k=$op '$1==k{print $2}' <<<"$cpp")
    p=$(awk -v k=$op '$1==k{print $2}' <<<"$py")
    printf "%-12s %-8s %10.4f %10.4f %7.2f\n" "$arch" "$op" "$c" "$p" "$(awk -v a="$p" -v b="$c" 'BEGIN{print a/b}')"
  done
done
