#!/usr/bin/env bash
# Tan et al. (003) at laptop scale:
#   Fig. 4  success rate vs learning rate on the saddle toy, GD / SAM / StableSAM -> saddle.h5/png
#           (paper: 100 learning rates in [0.001, 0.3] x 10 000 starts; here 46 in [0.001, 1] x 4 000, ~35 s:
#           the range goes past 0.3 because SAM's collapse is clearest between 0.3 and 1)
#   Fig. 5  parameter distance and generalization gap of models trained on S and S',
#           FCN (500-500) on 10 000 Fashion-MNIST examples, 20 epochs (paper: MNIST, 60)  -> stability.h5/png
out=analyses/out/tan
source "$(dirname "$0")/common.sh"
mkdir -p "$out"
"$bin" toy saddle --optimizers gd,sam,stablesam --rho 0.05,0.2,0.5 --lrs 0.001:1:46:log --starts 4000 \
  --iters 1000 --quiet --out "$out/saddle.h5"
$plot plots/plot_dynamics.py "$out/saddle.h5" --out "$out/saddle.png" >/dev/null
"$bin" stability --model fcn --data fmnist --train-subset 10000 --test-subset 10000 \
  --optimizer sgd,sam,stablesam --epochs 20 --lr 0.05 --rho 0.05 --quiet --out "$out/stability.h5"
$plot plots/plot_dynamics.py "$out/stability.h5" --out "$out/stability.png" >/dev/null
echo "tan (dynamics): results and figures in $out/"
