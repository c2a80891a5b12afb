#!/usr/bin/env bash
# Tiwary & Aananth (001) Table 2 at laptop scale: L^Asc, L^Max, L^Avg sharpness (x1e3, rho = 0.05)
# and the generalization gap of SGD, SAM and Rand-SAM MLPs on Fashion-MNIST, mean +- std over
# two seeds per variant (grouped by the checkpoints' "variant" metadata).
out=analyses/out/tiwary
source "$(dirname "$0")/common.sh"
mkdir -p "$out"
models=()
for variant in sgd sam rand-sam; do
  for seed in 0 1; do
    train_model "fmnist-mlp-$variant-s$seed" --optimizer "$variant" --rho 0.05 --seed "$seed"
    models+=("checkpoints/fmnist-mlp-$variant-s$seed.pt")
  done
done
"$bin" sharpness "${models[@]}" --rho 0.05 --kinds asc,max,avg --max-steps 5 --avg-samples 32 \
  --subset 2048 --group variant --out "$out/table2.h5"
echo "tiwary: $out/table2.h5"
