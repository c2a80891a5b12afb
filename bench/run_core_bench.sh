#!/usr/bin/env bash
# Foundation benchmark: sharpscope vs PyTorch-in-Python on the same model, data and threads:
# (1) forward loss over 10 000 Fashion-MNIST test examples, (2) one HVP over 2 048 examples.
# Prints seconds (median of 5) for sharpscope with its tuned allocator, sharpscope with glibc's
# default allocator policy, and Python, and the ratio python/sharpscope (> 1: sharpscope faster).
# Usage: bench/run_core_bench.sh [build-dir] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
threads=${2:-$(nproc)}
echo "threads: $threads"
printf "%-12s %-8s %10s %14s %10s %7s\n" arch op sharpscope "(default malloc)" python ratio
for arch in mlp:500,500 cnn; do
  tuned=$("$build/sharpscope_core_bench" --arch "$arch" --threads "$threads")
  plain=$("$build/sharpscope_core_bench" --arch "$arch" --threads "$threads" --default-malloc)
  py=$(/usr/bin/python3 bench/core_bench.py --arch "$arch" --threads "$threads")
  for op in forward hvp; do
    t=$(awk -v k=$op '$1==k{print $2}' <<<"$tuned")
    d=$(awk -v k=$op '$1==k{print $2}' <<<"$plain")
    p=$(awk -v k=$op '$1==k{print $2}' <<<"$py")
    printf "%-12s %-8s %10.4f %14.4f %10.4f %7.2f\n" "$arch" "$op" "$t" "$d" "$p" \
      "$(awk -v a="$p" -v b="$t" 'BEGIN{print a/b}')"
  done
done
