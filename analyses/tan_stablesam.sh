#!/usr/bin/env bash
# Tan et al. (003) at laptop scale:
#   Fig. 1  gradient-norm ratio ||grad L_B(w)|| / ||g_asc|| per step, SAM vs StableSAM (training logs)
#   Fig. 2  the loss along the top Hessian eigenvector of each model
out=analyses/out/tan
source "$(dirname "$0")/common.sh"
mkdir -p "$out"
train_model fmnist-mlp-sam --optimizer sam --rho 0.05 --seed 0
train_model fmnist-mlp-stablesam --optimizer stablesam --rho 0.05 --seed 0
"$bin" landscape eigen checkpoints/fmnist-mlp-sam.pt checkpoints/fmnist-mlp-stablesam.pt --top 1 --x -1:1:21 \
  --subset 2048 --quiet --out "$out/eigen-lines.h5"
$plot plots/plot_landscape.py "$out/eigen-lines.h5" --out "$out/eigen-lines.png" >/dev/null
logs=()
for m in sam stablesam; do [[ -f "$out/train-fmnist-mlp-$m.h5" ]] && logs+=("$out/train-fmnist-mlp-$m.h5"); done
((${#logs[@]})) && $plot plots/plot_train.py "${logs[@]}" --out "$out/train.png" >/dev/null
echo "tan: results and figures in $out/"
