#!/usr/bin/env bash
# Park (002) Fig. 5.1 at laptop scale: train and test loss and error along the line
# (1 - alpha) w_SGD + alpha w_SAM between an SGD and a SAM solution from the same initialization.
out=analyses/out/park
source "$(dirname "$0")/common.sh"
mkdir -p "$out"
train_model fmnist-mlp-sgd --optimizer sgd --seed 0
train_model fmnist-mlp-sam --optimizer sam --rho 0.05 --seed 0
"$bin" landscape line checkpoints/fmnist-mlp-sgd.pt checkpoints/fmnist-mlp-sam.pt --alpha -0.5:1.5:21 \
  --subset 2048 --quiet --out "$out/line.h5"
$plot plots/plot_landscape.py "$out/line.h5" --out "$out/line.png" >/dev/null
echo "park: $out/line.png"
