#!/usr/bin/env bash
# Park (002) at laptop scale:
#   Table 5.1  steps to escape an SGD minimum, SGD vs SAM at rho 0.05/0.1/0.2 -> escape.h5/png
#   Fig. 3.1   L and the SAM objective on the symmetric sextic and the LINEX   -> valley-*.h5, valleys.png
# The minimum: an MLP (one hidden layer of 256) trained with SGD to ~99% training accuracy on the
# first 4096 Fashion-MNIST training examples. The escape runs on the same 4096 examples (batches and
# accuracy), lr 0.6: at 0.5 SGD does not escape in 400 steps, at 0.8 every optimizer leaves within a
# handful (docs/dynamics.md). ~8 minutes on 2 cores.
out=analyses/out/park
source "$(dirname "$0")/common.sh"
mkdir -p "$out" checkpoints
minimum=checkpoints/fmnist-mlp256-sgd-minimum.pt
if [[ ! -f $minimum ]]; then
  "$bin" train --arch mlp:256 --data fmnist --train-subset 4096 --epochs 40 --lr 0.1 --momentum 0.9 \
    --batch-size 128 --seed 0 --out "$minimum" --log "$out/train-minimum.h5" --quiet
fi
"$bin" escape-test "$minimum" --optimizer sgd,sam --rho 0.05,0.1,0.2 --lr 0.6 --batch-size 256 \
  --threshold 0.9 --trials 20 --max-steps 400 --subset 4096 --train-subset 4096 --quiet --out "$out/escape.h5"
$plot plots/plot_dynamics.py "$out/escape.h5" --out "$out/escape.png" >/dev/null
"$bin" toy valley --loss sextic --rho 0.1,0.2,0.3 --quiet --out "$out/valley-sextic.h5"
"$bin" toy valley --loss linex --rho 1,2,4,8 --quiet --out "$out/valley-linex.h5"
$plot plots/plot_dynamics.py "$out/valley-sextic.h5" "$out/valley-linex.h5" --out "$out/valleys.png" >/dev/null
echo "park: results and figures in $out/"
