#!/usr/bin/env bash
# Peak resident memory (/usr/bin/time -v, "Maximum resident set size") of sharpscope runs:
#   1. landscape grids of 25 to 40 401 points: the peak must not grow with the points beyond the
#      result arrays (a few doubles per point);
#   2. passes over the whole Fashion-MNIST training set (--subset 0): the peak must stay within the
#      data (60 000 x 784 float32 = 188 MB) plus a batch, whatever the batch size.
# Usage: bench/memory_bench.sh [BUILD_DIR] [THREADS]   (results: docs/performance.md#memory)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
threads=${2:-2}
bin=$build/sharpscope
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "peak_MB seconds" of one run; the run's own output is discarded, its failure is fatal.
peak() {
  if ! /usr/bin/time -v -o "$work/time" "$bin" "$@" --threads "$threads" --quiet \
    >/dev/null 2>"$work/err"; then
    cat "$work/err" "$work/time" >&2
    exit 1
  fi
  awk -F': ' '/Maximum resident set size/ {kb = $2}
              /Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = t[n] + 60 * t[n - 1]}
              END {printf "%.1f %.1f\n", kb / 1024, s}' "$work/time"
}

echo "== grids: tests/fixtures/tiny_cnn.pt, fmnist test, --subset 256, two random directions"
fixture=tests/fixtures/tiny_cnn.pt
printf '%-8s %-8s %-10s %-8s\n' points side peak_MB seconds
for n in 5 51 101 201; do
  read -r mb s < <(peak landscape interp "$fixture" --data fmnist --split test --subset 256 \
    --dirs rand:1,rand:2 --x -1:1:$n --y -1:1:$n --out "$work/g$n.h5")
  printf '%-8s %-8s %-10s %-8s\n' $((n * n)) "$n" "$mb" "$s"
done

echo "== grids: mlp:500,500 (648 010 parameters), fmnist test, --subset 32"
"$bin" train --arch mlp:500,500 --data fmnist --train-steps 1 --train-subset 1024 \
  --test-subset 256 --threads "$threads" --out "$work/mlp.pt" --quiet >/dev/null
for n in 5 51 101; do
  read -r mb s < <(peak landscape interp "$work/mlp.pt" --data fmnist --split test --subset 32 \
    --dirs rand:1,rand:2 --x -1:1:$n --y -1:1:$n --out "$work/m$n.h5")
  printf '%-8s %-8s %-10s %-8s\n' $((n * n)) "$n" "$mb" "$s"
done

echo "== whole training set (--subset 0, 60 000 examples, 188 MB as float32)"
printf '%-34s %-8s %-10s %-8s\n' run batch peak_MB seconds
for model in "$fixture" "$work/mlp.pt"; do
  name=$(basename "$model")
  read -r mb s < <(peak info "$model" --data fmnist --subset 64 --out "$work/i.h5")
  printf '%-34s %-8s %-10s %-8s\n' "info $name --subset 64" 1024 "$mb" "$s"
  for batch in 128 1024 4096; do
    read -r mb s < <(peak info "$model" --data fmnist --subset 0 --batch-size $batch \
      --out "$work/i.h5")
    printf '%-34s %-8s %-10s %-8s\n' "info $name --subset 0" $batch "$mb" "$s"
  done
  for batch in 128 1024; do
    read -r mb s < <(peak hessian trace "$model" --data fmnist --subset 0 --batch-size $batch \
      --probes 1 --tol 0 --out "$work/t.h5")
    printf '%-34s %-8s %-10s %-8s\n' "hessian trace $name --subset 0" $batch "$mb" "$s"
  done
done
