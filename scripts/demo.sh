#!/usr/bin/env bash
# The main job on the built-in default, Fashion-MNIST: set up, train an MLP with SGD and with SAM
# (one epoch each, ~1 minute on 2 cores), then look inside both: loss and accuracy, the top of the
# Hessian spectrum, the loss along multi-step ascent directions, sharpness (L^Asc, L^Max, L^Avg),
# and figures of all of it. Results land in analyses/demo/; re-running reuses trained models.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin=${SHARPSCOPE_BUILD_DIR:-build}/sharpscope
out=analyses/demo
# The demo's own models, with their training logs beside them (the trainer's default
# <stem>.train.h5): no recipe writes here, and a model is retrained when either file is missing.
ckdir=checkpoints/demo
mkdir -p "$out" "$ckdir"

for opt in sgd sam; do
  ck=$ckdir/fmnist-mlp-$opt.pt
  if [[ ! -f $ck || ! -f ${ck%.pt}.train.h5 ]]; then
    "$bin" train --arch mlp:500,500 --data fmnist --optimizer "$opt" --rho 0.05 --epochs 1 \
      --lr 0.05 --momentum 0.9 --batch-size 128 --seed 0 --out "$ck"
  fi
  "$bin" info "$ck" --split test --out "$out/info-$opt.h5"
  "$bin" hessian spectrum "$ck" --top 3 --subset 2048 --out "$out/spectrum-$opt.h5"
  "$bin" landscape ascent "$ck" --rho 0.1 --steps 1,2,5 --k 0:0.2:11 --subset 2048 \
    --out "$out/ascent-$opt.h5"
done
"$bin" sharpness "$ckdir"/fmnist-mlp-sgd.pt "$ckdir"/fmnist-mlp-sam.pt --rho 0.05 \
  --kinds asc,max,avg --max-steps 3 --avg-samples 16 --subset 2048 --out "$out/sharpness.h5"

/usr/bin/python3 plots/plot_hessian.py --spectrum "$out"/spectrum-sgd.h5 "$out"/spectrum-sam.h5 \
  --out "$out/hessian"
for opt in sgd sam; do
  /usr/bin/python3 plots/plot_landscape.py "$out/ascent-$opt.h5" --out "$out/ascent-$opt.png"
done
/usr/bin/python3 plots/plot_train.py "$ckdir"/fmnist-mlp-sgd.train.h5 "$ckdir"/fmnist-mlp-sam.train.h5 \
  --out "$out/train.png"
echo "demo: results and figures in $out/"
