#!/usr/bin/env bash
# Kim et al. (000), at laptop scale: an SGD- and a SAM-trained MLP on Fashion-MNIST.
#   Fig. 3  loss along ascent directions v_N          -> ascent-*.h5/png
#   Fig. 4  2-D landscape on (v1, v10)                -> interp-*.h5/png
#   Fig. 5  cosine matrix of the perturbed gradients  -> gradsim-*.h5/png
#   Fig. 6  cosine field on (v1, v2), rho = 0.5       -> field-*.h5/png
#   Fig. 7, 8  loss-decrease matrix and segment       -> decrease-*.h5/png
#   Fig. 10 top Hessian eigenvalues                   -> spectrum-*.h5, hessian-eigenvalues.png
#   Table 1 L(w^pN) for N = 1, 3, 5 (batch scope)     -> table1.h5
out=analyses/out/kim
source "$(dirname "$0")/common.sh"
mkdir -p "$out"
train_model fmnist-mlp-sgd --optimizer sgd --seed 0
train_model fmnist-mlp-sam --optimizer sam --rho 0.05 --seed 0
common=(--subset 2048 --quiet)
for m in sgd sam; do
  ck=checkpoints/fmnist-mlp-$m.pt
  "$bin" landscape ascent "$ck" --rho 0.1 --steps 1,2,3,5,10 --k 0:0.2:11 "${common[@]}" --out "$out/ascent-$m.h5"
  "$bin" landscape interp "$ck" --dirs v1,v10 --rho 0.1 --x -0.2:0.2:11 --y -0.2:0.2:11 "${common[@]}" --out "$out/interp-$m.h5"
  "$bin" gradsim "$ck" --rho 0.1 --steps 0,1,2,3,4 "${common[@]}" --out "$out/gradsim-$m.h5"
  "$bin" gradsim "$ck" --field --dirs v1,v2 --rho 0.5 --x 0:0.5:6 --y 0:0.5:6 "${common[@]}" --out "$out/field-$m.h5"
  "$bin" loss-decrease "$ck" --rho 0.1 --steps 0,1,2 --lr 0.1 --segment 1,2 "${common[@]}" --out "$out/decrease-$m.h5"
  "$bin" hessian spectrum "$ck" --top 5 "${common[@]}" --out "$out/spectrum-$m.h5"
  for kind in ascent interp gradsim field decrease; do
    $plot plots/plot_landscape.py "$out/$kind-$m.h5" --out "$out/$kind-$m.png" >/dev/null
  done
done
"$bin" sharpness checkpoints/fmnist-mlp-sgd.pt checkpoints/fmnist-mlp-sam.pt --rho 0.05 --kinds asc \
  --perturbed-steps 1,3,5 --scope batch --batch-size 128 --subset 2048 --out "$out/table1.h5"
$plot plots/plot_hessian.py --spectrum "$out/spectrum-sgd.h5" "$out/spectrum-sam.h5" --out "$out/hessian" >/dev/null
echo "kim: results and figures in $out/"
